/**
 * Email broadcasts (EM-4, CL-5): a selection handed over by the clients' or leads' bulk bar (at
 * most 100, one message each), subject, body, signature and mailbox; then the live progress and
 * the per-recipient report (sent, failed with the reason, hard bounces included), cancel.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Field, Form, FormError, SelectField, TextAreaField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { BroadcastHistory, useBroadcastHistory } from "../broadcasts/BroadcastHistory";
import { BroadcastProgress, RecipientReport } from "../broadcasts/BroadcastReport";
import { emailKeys, isRunning, useEmailBroadcast, useSignatures, useUsableIntegrations, type EmailBroadcast } from "./api";
import "./email.css";

export const MAX_RECIPIENTS = 100;

export const recipientState = (r: EmailBroadcast["recipients"][number]) => (r.status === "pending" && r.in_progress ? "sending" : r.status);

interface PickedContact {
  id: string;
  name: string;
  kind?: "client" | "lead";
}

/** The selection another screen passes in the navigation state: `{ contacts: PickedContact[] }`. */
export function handedOver(state: unknown): PickedContact[] {
  const contacts = (state as { contacts?: unknown } | null)?.contacts;
  return Array.isArray(contacts) ? contacts.filter((c): c is PickedContact => typeof c?.id === "string" && typeof c?.name === "string") : [];
}

/** Past and running email broadcasts, newest first (the caller's own; all for an administrator). */
export function EmailBroadcastsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const list = useBroadcastHistory(emailKeys.broadcasts, (cursor) =>
    unwrap(api.GET("/v1/email-broadcasts", { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })),
  );
  return (
    <div className="email-broadcast">
      <h1>{t("email.broadcast.listTitle")}</h1>
      <p className="field__hint">{t("email.broadcast.listHint")}</p>
      <BroadcastHistory list={list} caption={t("email.broadcast.listTitle")} none={t("email.broadcast.none")} more={t("email.broadcast.more")}
        columns={[
          t("email.broadcast.started"),
          t("email.compose.subject"),
          t("email.broadcast.recipientStatus"),
          t("email.broadcast.total"),
          t("email.broadcast.sentCount"),
          t("email.broadcast.failedCount"),
        ]}
        tableClassName="email-table" captionClassName="visually-hidden" badgeClassName="email-badge"
        href={(b) => `/email/broadcasts/${b.id}`}
        statusText={(status) => t(`email.broadcast.statuses.${status as "running"}`, { defaultValue: status })}
        message={(b) => b.subject} />
    </div>
  );
}

export function NewEmailBroadcast() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const ids = useId();
  const integrations = useUsableIntegrations();
  const signatures = useSignatures();
  const [recipients, setRecipients] = useState<PickedContact[]>(() => handedOver(location.state));
  const [chosen, setChosen] = useState("");
  const [subject, setSubject] = useState("");
  const [text, setText] = useState("");
  const [signatureId, setSignatureId] = useState("");
  const usable = integrations.data ?? [];
  const integration = usable.some((i) => i.id === chosen) ? chosen : (usable[0]?.id ?? "");
  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/email-broadcasts", {
          body: {
            integration_id: integration,
            contact_ids: recipients.map((r) => r.id),
            subject,
            text,
            ...(signatureId ? { signature_id: signatureId } : {}),
          },
        }),
      ),
    onSuccess: (started) => {
      void client.invalidateQueries({ queryKey: emailKeys.broadcasts });
      void navigate(`/email/broadcasts/${started.id}`, { state: { contacts: recipients } });
    },
  });
  const field = isApiError(send.error) ? send.error.field : undefined;
  const onRecipients = field?.startsWith("contact_ids");
  const errors = useFormErrors(send.error, onRecipients ? [] : ["integration_id", "subject", "text", "signature_id"]);
  const recipientsError = onRecipients && isApiError(send.error) ? send.error.message : undefined;
  const tooMany = recipients.length > MAX_RECIPIENTS;
  return (
    <div className="email-broadcast">
      <h1>{t("email.broadcast.title")}</h1>
      {integrations.isSuccess && usable.length === 0 && <p className="notice">{t("email.compose.noIntegration")}</p>}
      <Form error={send.error} label={t("email.broadcast.title")} onSubmit={() => send.mutate()}>
        <FormError message={onRecipients ? undefined : errors.form} />
        <fieldset className={recipientsError || tooMany ? "panel field--invalid" : "panel"}
          aria-describedby={`${ids}-max${recipientsError ? ` ${ids}-recipients-error` : ""}`}>
          <legend>{t("email.broadcast.recipients", { count: recipients.length })}</legend>
          <p id={`${ids}-max`} className="field__hint">{t("email.broadcast.max")}</p>
          {recipientsError && (
            <p id={`${ids}-recipients-error`} className="field__error form-error" role="alert" tabIndex={-1}>
              {recipientsError}
            </p>
          )}
          {recipients.length === 0 ? (
            <p>{t("email.broadcast.noRecipients")}</p>
          ) : (
            <ul className="email-recipients" aria-label={t("email.broadcast.chosen")}>
              {recipients.map((r) => (
                <li key={r.id}>
                  <span>{r.name}</span>
                  <button type="button" className="button button--link" aria-label={t("email.broadcast.removeOne", { name: r.name })}
                    onClick={() => setRecipients(recipients.filter((x) => x.id !== r.id))}>
                    {t("email.broadcast.remove")}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <fieldset className="panel">
          <legend>{t("email.broadcast.message")}</legend>
          <SelectField label={t("email.compose.integration")} value={integration} error={errors.field("integration_id")}
            onChange={(e) => setChosen(e.target.value)}>
            {usable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name} &lt;{i.email}&gt;
              </option>
            ))}
          </SelectField>
          <Field label={t("email.compose.subject")} name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={errors.field("subject")} />
          <TextAreaField label={t("email.compose.body")} name="text" rows={8} value={text} onChange={(e) => setText(e.target.value)} error={errors.field("text")} />
          <SelectField label={t("email.compose.signature")} value={signatureId} error={errors.field("signature_id")}
            onChange={(e) => setSignatureId(e.target.value)}>
            <option value="">{t("email.compose.noSignature")}</option>
            {(signatures.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </SelectField>
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={send.isPending || recipients.length === 0 || tooMany || !integration}>
            {t("email.broadcast.send", { count: recipients.length })}
          </button>
        </div>
      </Form>
    </div>
  );
}

export function EmailBroadcastReport() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const broadcast = useEmailBroadcast(id);
  const names = new Map(handedOver(useLocation().state).map((c) => [c.id, c.name]));
  return (
    <div className="email-broadcast">
      <p>
        <Link to="/email/broadcasts">{t("email.broadcast.back")}</Link>
      </p>
      <h1>{t("email.broadcast.reportTitle")}</h1>
      {broadcast.data?.subject && <p className="muted">{broadcast.data.subject}</p>}
      <QueryState query={broadcast}>{(b) => <Report broadcast={b} names={names} />}</QueryState>
    </div>
  );
}

function Report({ broadcast: b, names }: { broadcast: EmailBroadcast; names: Map<string, string> }) {
  const { t } = useTranslation();
  const api = useApi();
  return (
    <>
      <BroadcastProgress broadcast={b} running={isRunning(b)} headingId="email-progress" sectionClassName="panel" progressClassName="email-progress"
        figuresClassName="email-figures" invalidate={emailKeys.broadcasts}
        cancel={() => unwrap(api.POST("/v1/email-broadcasts/{broadcast_id}/cancel", { params: { path: { broadcast_id: b.id } } }))}
        labels={{
          heading: t("email.broadcast.progress"),
          progressLabel: t("email.broadcast.progressLabel"),
          progressText: (done, total) => t("email.broadcast.progressText", { done, total }),
          total: t("email.broadcast.total"),
          sent: t("email.broadcast.sentCount"),
          failed: t("email.broadcast.failedCount"),
          pending: t("email.broadcast.pending"),
          confirmCancel: t("email.broadcast.confirmCancel"),
          cancel: t("email.broadcast.cancel"),
        }}>
        <p role="status">
          <span className={`email-badge email-badge--${b.status}`}>
            {t(`email.broadcast.statuses.${b.status}`, { defaultValue: b.status })}
          </span>
        </p>
      </BroadcastProgress>
      <RecipientReport recipients={b.recipients} headingId="email-report" heading={t("email.broadcast.report")} failuresOnly={t("email.broadcast.failuresOnly")}
        columns={[t("email.broadcast.contact"), t("email.broadcast.email"), t("email.broadcast.recipientStatus"), t("email.broadcast.reason")]}
        sectionClassName="panel" checkClassName="settings__check" tableClassName="email-table" captionClassName="visually-hidden"
        row={(r, i) => (
          <tr key={`${r.contact_id}-${i}`} data-state={recipientState(r)}>
            <td>{names.get(r.contact_id) ?? r.contact_id}</td>
            <td>{r.email || "—"}</td>
            <td>
              <span className={`email-badge email-badge--${recipientState(r)}`}>
                {t(`email.broadcast.recipientStatuses.${recipientState(r)}`)}
              </span>
            </td>
            <td>{r.reason ?? ""}</td>
          </tr>
        )} />
    </>
  );
}
