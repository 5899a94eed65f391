/**
 * One broadcast's live progress (polled while it runs) and its per-recipient report: each
 * number's status, the failures with their reasons (SM-2).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
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
  const client = useQueryClient();
  const [failuresOnly, setFailuresOnly] = useState(false);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/sms-broadcasts/{broadcast_id}/cancel", { params: { path: { broadcast_id: b.id } } })),
    onSettled: () => client.invalidateQueries({ queryKey: smsKeys.broadcasts }),
  });
  const done = b.sent + b.failed;
  const number = new Intl.NumberFormat(i18n.language);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  const shown = failuresOnly ? b.recipients.filter((r) => r.status === "failed") : b.recipients;
  return (
    <>
      <section className="panel sms-panel" aria-labelledby="sms-progress">
        <h2 id="sms-progress">{t("sms.report.progress")}</h2>
        <p>
          {t("sms.report.started", { date: date.format(new Date(b.created_at)) })}
          {b.finished_at && <> · {t("sms.report.finished", { date: date.format(new Date(b.finished_at)) })}</>}
        </p>
        <p role="status" className={`sms-status sms-status--${b.status}`}>
          {t(`sms.broadcastStatus.${b.status}` as "sms.broadcastStatus.running", { defaultValue: b.status })}
        </p>
        <progress
          className="sms-progress"
          max={Math.max(b.total, 1)}
          value={done}
          aria-label={t("sms.report.progressLabel")}
          aria-valuetext={t("sms.report.progressText", { done: number.format(done), total: number.format(b.total) })}
        />
        <dl className="sms-figures">
          <div>
            <dt>{t("sms.report.total")}</dt>
            <dd>{number.format(b.total)}</dd>
          </div>
          <div>
            <dt>{t("sms.report.sent")}</dt>
            <dd>{number.format(b.sent)}</dd>
          </div>
          <div>
            <dt>{t("sms.report.failed")}</dt>
            <dd>{number.format(b.failed)}</dd>
          </div>
          <div>
            <dt>{t("sms.report.pending")}</dt>
            <dd>{number.format(Math.max(b.total - done, 0))}</dd>
          </div>
        </dl>
        {b.error && (
          <p role="alert" className="form-error">
            {b.error}
          </p>
        )}
        {cancel.isError && (
          <p role="alert" className="form-error">
            {isApiError(cancel.error) ? cancel.error.message : t("errors.unexpected")}
          </p>
        )}
        {isRunning(b) && (
          <div className="actions">
            <button
              type="button"
              className="button"
              disabled={cancel.isPending}
              onClick={() => {
                if (window.confirm(t("sms.report.confirmCancel"))) cancel.mutate();
              }}
            >
              {t("sms.report.cancel")}
            </button>
          </div>
        )}
      </section>

      <section className="panel sms-panel" aria-labelledby="sms-recipients">
        <h2 id="sms-recipients">{t("sms.report.recipients")}</h2>
        <label className="sms-inline">
          <input type="checkbox" checked={failuresOnly} onChange={(e) => setFailuresOnly(e.target.checked)} />
          {t("sms.report.failuresOnly")}
        </label>
        <table className="sms-table">
          <caption className="sms-sr">{t("sms.report.recipients")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("sms.report.contact")}</th>
              <th scope="col">{t("sms.report.phone")}</th>
              <th scope="col">{t("sms.report.status")}</th>
              <th scope="col">{t("sms.report.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r, i) => {
              const state = recipientState(r);
              return (
                <tr key={`${r.phone}-${r.contact_id ?? ""}-${i}`}>
                  <td>{(r.contact_id && names.get(r.contact_id)) ?? "—"}</td>
                  <td>{r.phone || t("sms.report.noPhone")}</td>
                  <td>
                    <span className={`sms-badge sms-badge--${state}`}>{t(`sms.recipientStatus.${state}`)}</span>
                  </td>
                  <td>{r.reason ?? ""}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
