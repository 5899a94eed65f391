/**
 * One call list's live progress (AD-3): polled every 1.5 s while it runs (or, paused, while its
 * last number is still being dialled), each number's outcome as it comes; pause, resume, cancel.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { formatDateTime } from "../contacts/widgets";
import "../contacts/contacts.css";
import { ClickToCall } from "./ClickToCall";
import { isLive } from "./logic";
import "./calls.css";

export const POLL_MS = 1500;

export function CallListPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const id = useParams().id ?? "";
  const key = ["call-lists", id];
  const list = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET("/v1/call-lists/{list_id}", { params: { path: { list_id: id } } })),
    refetchInterval: (query) => (query.state.data && !isLive(query.state.data.status, query.state.data.items) ? false : POLL_MS),
    staleTime: 0,
  });
  const steer = useMutation({
    mutationFn: (action: "pause" | "resume" | "cancel") => {
      const params = { params: { path: { list_id: id } } };
      if (action === "pause") return unwrap(api.POST("/v1/call-lists/{list_id}/pause", params));
      if (action === "resume") return unwrap(api.POST("/v1/call-lists/{list_id}/resume", params));
      return unwrap(api.POST("/v1/call-lists/{list_id}/cancel", params));
    },
    onSettled: () => client.invalidateQueries({ queryKey: ["call-lists"] }), // this list and the lists' page
  });

  return (
    <div>
      <p>
        <Link to="/autodial">{t("calls.autodial.back")}</Link>
      </p>
      <QueryState query={list}>
        {(data) => (
          <>
            <h1>
              {t("calls.autodial.listTitle")} · {formatDateTime(data.created_at, i18n.language)}
            </h1>
            <section className="panel" aria-label={t("calls.autodial.listTitle")}>
              <p role="status" aria-live="polite">
                <span className={data.status === "running" ? "badge badge--running" : "badge"}>
                  {t(`calls.autodial.state.${data.status}` as "calls.autodial.state.running")}
                </span>{" "}
                {t("calls.autodial.progress", { done: data.done, total: data.total })}
              </p>
              <progress
                className="autodial__progress"
                max={data.total}
                value={data.done}
                aria-label={t("calls.autodial.progress", { done: data.done, total: data.total })}
              />
              <p className="muted">{t("calls.autodial.extension", { extension: data.extension })}</p>
              {data.error && (
                <p role="alert" className="form-error">
                  {data.error}
                </p>
              )}
              <div className="actions">
                {data.status === "running" && (
                  <button type="button" className="button" disabled={steer.isPending} onClick={() => steer.mutate("pause")}>
                    {t("calls.autodial.pause")}
                  </button>
                )}
                {data.status === "paused" && (
                  <button type="button" className="button button--primary" disabled={steer.isPending} onClick={() => steer.mutate("resume")}>
                    {t("calls.autodial.resume")}
                  </button>
                )}
                {(data.status === "running" || data.status === "paused") && (
                  <button
                    type="button"
                    className="button"
                    disabled={steer.isPending}
                    onClick={() => {
                      if (window.confirm(t("calls.autodial.confirmCancel"))) steer.mutate("cancel");
                    }}
                  >
                    {t("calls.autodial.cancel")}
                  </button>
                )}
              </div>
              {steer.isError && (
                <p role="alert" className="form-error">
                  {isApiError(steer.error) && steer.error.code !== "network_error" ? steer.error.message : t("errors.unexpected")}
                </p>
              )}
            </section>
            <table className="table">
              <caption className="visually-hidden">{t("calls.autodial.caption")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("calls.autodial.index")}</th>
                  <th scope="col">{t("calls.autodial.number")}</th>
                  <th scope="col">{t("calls.autodial.outcome")}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item, i) => (
                  <tr key={`${i}-${item.phone}`}>
                    <td>{i + 1}</td>
                    <td>{item.phone ? <ClickToCall phone={item.phone} contactId={item.contact_id ?? undefined} /> : ""}</td>
                    <td>
                      {item.in_progress ? (
                        <strong>{t("calls.autodial.dialling")}</strong>
                      ) : (
                        t(`calls.autodial.outcomes.${item.outcome}`)
                      )}
                      {item.reason ? <span className="muted"> · {item.reason}</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </QueryState>
    </div>
  );
}
