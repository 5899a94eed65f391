/** The deals list (`GET /v1/deals`) filtered by status, responsible user and client. */
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { STATUSES, type Status } from "./board";
import { ClientPicker } from "./ClientPicker";
import { DealsTabs } from "./DealsTabs";
import { formatMoney, PAGE, useUserNames, useUsers } from "./hooks";

export function DealsList() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const users = useUsers();
  const names = useUserNames();
  const status = (params.get("status") ?? "") as Status | "";
  const responsible = params.get("responsible_user_id") ?? "";
  const client = params.get("client_id") ?? "";
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const list = useInfiniteQuery({
    queryKey: ["deals", "list", status, responsible, client],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/v1/deals", {
          params: {
            query: {
              limit: PAGE,
              ...(status ? { status } : {}),
              ...(responsible ? { responsible_user_id: responsible } : {}),
              ...(client ? { client_id: client } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  return (
    <div className="deals">
      <DealsTabs title={t("deals.list.title")} />
      <form className="deals__filters" aria-label={t("deals.list.filters")} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="filter-status">{t("deals.fields.status")}</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter("status", e.target.value)}>
            <option value="">{t("deals.list.anyStatus")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>{t(`deals.status.${s}`)}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-responsible">{t("deals.fields.responsible")}</label>
          <select id="filter-responsible" value={responsible} onChange={(e) => setFilter("responsible_user_id", e.target.value)}>
            <option value="">{t("deals.list.anyone")}</option>
            {(users.data?.items ?? []).map((u) => (
              <option key={u.id} value={u.id}>{u.name}</option>
            ))}
          </select>
        </div>
        <ClientPicker label={t("deals.fields.client")} value={client} onChange={(id) => setFilter("client_id", id)} allowNone />
      </form>
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          return (
            <>
              {items.length === 0 ? (
                <p className="notice">{t("deals.list.empty")}</p>
              ) : (
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">{t("deals.fields.title")}</th>
                      <th scope="col">{t("deals.fields.status")}</th>
                      <th scope="col">{t("deals.fields.value")}</th>
                      <th scope="col">{t("deals.fields.responsible")}</th>
                      <th scope="col">{t("deals.fields.created")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((deal) => (
                      <tr key={deal.id}>
                        <td><Link to={`/deals/${deal.id}`}>{deal.title}</Link></td>
                        <td>{t(`deals.status.${deal.status as Status}`)}</td>
                        <td>{formatMoney(deal.value, i18n.language)}</td>
                        <td>{names.get(deal.responsible_user_id) ?? ""}</td>
                        <td>{new Date(deal.created_at).toLocaleDateString(i18n.language)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {list.hasNextPage && (
                <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t("deals.list.more")}
                </button>
              )}
            </>
          );
        }}
      </QueryState>
    </div>
  );
}
