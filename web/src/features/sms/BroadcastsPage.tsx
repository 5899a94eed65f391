/** Past and running SMS broadcasts, newest first (`GET /v1/sms-broadcasts`); running ones refresh. */
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { BroadcastHistory, useBroadcastHistory } from "../broadcasts/BroadcastHistory";
import { smsKeys, useTemplates } from "./api";
import { SmsTabs } from "./SmsTabs";

export function BroadcastsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const templates = useTemplates();
  const list = useBroadcastHistory(smsKeys.broadcasts, (cursor) =>
    unwrap(api.GET("/v1/sms-broadcasts", { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })),
  );
  const titleOf = (id: string | null) => templates.data?.find((tpl) => tpl.id === id)?.title;
  return (
    <div className="sms">
      <SmsTabs title={t("sms.broadcasts.title")} />
      <p className="field__hint">{t("sms.broadcasts.hint")}</p>
      <BroadcastHistory list={list} caption={t("sms.broadcasts.title")} none={t("sms.broadcasts.none")} more={t("sms.broadcasts.more")}
        columns={[
          t("sms.broadcasts.started"),
          t("sms.broadcasts.message"),
          t("sms.report.status"),
          t("sms.report.total"),
          t("sms.report.sent"),
          t("sms.report.failed"),
        ]}
        tableClassName="sms-table" captionClassName="sms-sr" badgeClassName="sms-badge"
        href={(b) => `/sms/broadcasts/${b.id}`}
        statusText={(status) => t(`sms.broadcastStatus.${status}` as "sms.broadcastStatus.running", { defaultValue: status })}
        messageClassName="sms-table__text"
        message={(b) =>
          b.text ??
          (titleOf(b.template_id) ? t("sms.broadcasts.fromTemplate", { title: titleOf(b.template_id) }) : t("sms.broadcasts.aTemplate"))
        } />
    </div>
  );
}
