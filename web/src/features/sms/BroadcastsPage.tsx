/** Past and running SMS broadcasts, newest first (`GET /v1/sms-broadcasts`); running ones refresh. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { smsKeys, useTemplates } from "./api";
import { SmsTabs } from "./SmsTabs";

export function BroadcastsPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const templates = useTemplates();
  const list = useInfiniteQuery({
    queryKey: smsKeys.broadcasts,
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/v1/sms-broadcasts", { params: { query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((b) => b.status === "running")) ? 2000 : false,
  });
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const number = new Intl.NumberFormat(i18n.language);
  const titleOf = (id: string | null) => templates.data?.find((tpl) => tpl.id === id)?.title;
  return (
    <div className="sms">
      <SmsTabs title={t("sms.broadcasts.title")} />
      <p className="field__hint">{t("sms.broadcasts.hint")}</p>
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (items.length === 0) return <p>{t("sms.broadcasts.none")}</p>;
          return (
            <>
              <table className="sms-table">
                <caption className="sms-sr">{t("sms.broadcasts.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("sms.broadcasts.started")}</th>
                    <th scope="col">{t("sms.broadcasts.message")}</th>
                    <th scope="col">{t("sms.report.status")}</th>
                    <th scope="col">{t("sms.report.total")}</th>
                    <th scope="col">{t("sms.report.sent")}</th>
                    <th scope="col">{t("sms.report.failed")}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((b) => (
                    <tr key={b.id}>
                      <td>
                        <Link to={`/sms/broadcasts/${b.id}`}>{date.format(new Date(b.created_at))}</Link>
                      </td>
                      <td className="sms-table__text">
                        {b.text ??
                          (titleOf(b.template_id)
                            ? t("sms.broadcasts.fromTemplate", { title: titleOf(b.template_id) })
                            : t("sms.broadcasts.aTemplate"))}
                      </td>
                      <td>
                        <span className={`sms-badge sms-badge--${b.status}`}>
                          {t(`sms.broadcastStatus.${b.status}` as "sms.broadcastStatus.running", { defaultValue: b.status })}
                        </span>
                      </td>
                      <td>{number.format(b.total)}</td>
                      <td>{number.format(b.sent)}</td>
                      <td>{number.format(b.failed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {list.hasNextPage && (
                <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t("sms.broadcasts.more")}
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </div>
  );
}
