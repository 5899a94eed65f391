/**
 * One broadcast's live progress (polled while it runs) and its per-recipient report: each
 * number's status, the failures with their reasons (SM-2).
 */
import { useTranslation } from "react-i18next";
import { useLocation, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { BroadcastProgress, RecipientReport } from "../broadcasts/BroadcastReport";
import { ClickToCall } from "../calls/ClickToCall";
import { isRunning, smsKeys, useBroadcast, type Broadcast, type PickedContact, type Recipient } from "./api";
import { SmsTabs } from "./SmsTabs";

export function BroadcastReport() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const broadcast = useBroadcast(id);
  const names = namesFrom(useLocation().state);
  return (
    <div className="sms">
      <SmsTabs title={t("sms.report.title")} />
      <QueryState query={broadcast}>{(b) => <Report broadcast={b} names={names} />}</QueryState>
    </div>
  );
}

function namesFrom(state: unknown): Map<string, string> {
  const contacts = (state as { contacts?: PickedContact[] } | null)?.contacts;
  return new Map(Array.isArray(contacts) ? contacts.map((c) => [c.id, c.name]) : []);
}

export const recipientState = (r: Recipient) => (r.status === "pending" && r.in_progress ? "sending" : r.status);

function Report({ broadcast: b, names }: { broadcast: Broadcast; names: Map<string, string> }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  return (
    <>
      <BroadcastProgress broadcast={b} running={isRunning(b)} headingId="sms-progress" sectionClassName="panel sms-panel" progressClassName="sms-progress"
        figuresClassName="sms-figures" invalidate={smsKeys.broadcasts}
        cancel={() => unwrap(api.POST("/v1/sms-broadcasts/{broadcast_id}/cancel", { params: { path: { broadcast_id: b.id } } }))}
        labels={{
          heading: t("sms.report.progress"),
          progressLabel: t("sms.report.progressLabel"),
          progressText: (done, total) => t("sms.report.progressText", { done, total }),
          total: t("sms.report.total"),
          sent: t("sms.report.sent"),
          failed: t("sms.report.failed"),
          pending: t("sms.report.pending"),
          confirmCancel: t("sms.report.confirmCancel"),
          cancel: t("sms.report.cancel"),
        }}>
        <p>
          {t("sms.report.started", { date: date.format(new Date(b.created_at)) })}
          {b.finished_at && <> · {t("sms.report.finished", { date: date.format(new Date(b.finished_at)) })}</>}
        </p>
        <p role="status" className={`sms-status sms-status--${b.status}`}>
          {t(`sms.broadcastStatus.${b.status}` as "sms.broadcastStatus.running", { defaultValue: b.status })}
        </p>
      </BroadcastProgress>

      <RecipientReport recipients={b.recipients} headingId="sms-recipients" heading={t("sms.report.recipients")} failuresOnly={t("sms.report.failuresOnly")}
        columns={[t("sms.report.contact"), t("sms.report.phone"), t("sms.report.status"), t("sms.report.reason")]}
        sectionClassName="panel sms-panel" checkClassName="sms-inline" tableClassName="sms-table" captionClassName="sms-sr"
        row={(r, i) => {
          const state = recipientState(r);
          return (
            <tr key={`${r.phone}-${r.contact_id ?? ""}-${i}`}>
              <td>{(r.contact_id && names.get(r.contact_id)) ?? "—"}</td>
              <td>{r.phone ? <ClickToCall phone={r.phone} contactId={r.contact_id ?? undefined} /> : t("sms.report.noPhone")}</td>
              <td>
                <span className={`sms-badge sms-badge--${state}`}>{t(`sms.recipientStatus.${state}`)}</span>
              </td>
              <td>{r.reason ?? ""}</td>
            </tr>
          );
        }} />
    </>
  );
}
