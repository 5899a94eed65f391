/**
 * Compose an email (CL-8) from a client's or lead's card, a deal page or a reply in a feed:
 * `POST /v1/email/send` through a mailbox the user may use, with a signature; the message lands
 * in the contact's (and deal's) feed. Field errors show on their fields (`to[1]` on "To").
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Field, Form, FormError, SelectField, TextAreaField, useFormErrors } from "../../components/forms";
import { splitAddresses, useSignatures, useUsableIntegrations } from "./api";
import "./email.css";

export interface ComposeTarget {
  /** The client or lead the email is about (its feed gets it). */
  contact?: { kind: "client" | "lead"; id: string };
  dealId?: string;
}

const FIELDS = ["integration_id", "to", "cc", "subject", "text", "signature_id"];

/** `to[2]` -> `to`: the input that holds the list. */
export function composeField(field: string | undefined): string | undefined {
  if (!field) return undefined;
  const base = field.replace(/\[\d+\]$/, "");
  return FIELDS.includes(base) ? base : undefined;
}

export function EmailCompose({
  target,
  to: initialTo,
  subject: initialSubject = "",
  replyTo,
  integrationId,
  title,
  onDone,
  onCancel,
}: {
  target: ComposeTarget;
  to: string[];
  subject?: string;
  /** The email answered (its id goes as `in_reply_to`). */
  replyTo?: string;
  integrationId?: string;
  title: string;
  onDone: (to: string) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const integrations = useUsableIntegrations();
  const signatures = useSignatures();
  const [chosen, setChosen] = useState(integrationId ?? "");
  const [to, setTo] = useState(initialTo.join(", "));
  const [cc, setCc] = useState("");
  const [subject, setSubject] = useState(initialSubject);
  const [text, setText] = useState("");
  const [signatureId, setSignatureId] = useState("");
  const usable = integrations.data ?? [];
  const integration = usable.some((i) => i.id === chosen) ? chosen : (usable[0]?.id ?? "");
  const send = useMutation({
    mutationFn: () => {
      const ccList = splitAddresses(cc);
      return unwrap(api.POST("/v1/email/send", {
        body: {
          integration_id: integration,
          to: splitAddresses(to),
          ...(ccList.length ? { cc: ccList } : {}),
          subject,
          text,
          ...(signatureId ? { signature_id: signatureId } : {}),
          ...(target.contact ? { contact_id: target.contact.id } : {}),
          ...(target.dealId ? { deal_id: target.dealId } : {}),
          ...(replyTo ? { in_reply_to: replyTo } : {}),
        },
      }));
    },
    onSuccess: async () => {
      const refresh: Promise<void>[] = [];
      if (target.contact) {
        const collection = target.contact.kind === "client" ? "clients" : "leads";
        refresh.push(client.invalidateQueries({ queryKey: [collection, "feed", target.contact.id] }));
      }
      if (target.dealId) {
        refresh.push(client.invalidateQueries({ queryKey: ["deals", "feed", target.dealId] }));
        refresh.push(client.invalidateQueries({ queryKey: ["deals", "one", target.dealId] }));
      }
      await Promise.all(refresh);
      onDone(splitAddresses(to).join(", "));
    },
  });
  const apiField = isApiError(send.error) ? send.error.field : undefined;
  const named = composeField(apiField);
  const errors = useFormErrors(send.error, named && apiField ? [apiField] : []);
  const error = (input: string) => (named === input && apiField ? errors.field(apiField) : undefined);

  if (integrations.isSuccess && usable.length === 0) {
    return (
      <section className="panel" aria-label={title}>
        <p className="notice">{t("email.compose.noIntegration")}</p>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel}>
            {t("email.cancel")}
          </button>
        )}
      </section>
    );
  }
  return (
    <section className="panel email-compose" aria-label={title}>
      <Form error={send.error} label={title} onSubmit={() => send.mutate()}>
        <FormError message={named ? undefined : errors.form} />
        <SelectField label={t("email.compose.integration")} value={integration} error={error("integration_id")}
          onChange={(e) => setChosen(e.target.value)}>
          {usable.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name} &lt;{i.email}&gt;
            </option>
          ))}
        </SelectField>
        <Field label={t("email.compose.to")} name="to" value={to} autoComplete="off"
          hint={initialTo.length === 0 && target.contact ? `${t("email.compose.noAddress")} ${t("email.compose.toHint")}` : t("email.compose.toHint")}
          onChange={(e) => setTo(e.target.value)} error={error("to")} />
        <Field label={t("email.compose.cc")} name="cc" value={cc} autoComplete="off" onChange={(e) => setCc(e.target.value)} error={error("cc")} />
        <Field label={t("email.compose.subject")} name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} error={error("subject")} />
        <TextAreaField label={t("email.compose.body")} name="text" rows={8} value={text} onChange={(e) => setText(e.target.value)} error={error("text")} />
        <SelectField label={t("email.compose.signature")} value={signatureId} error={error("signature_id")}
          onChange={(e) => setSignatureId(e.target.value)}>
          <option value="">{t("email.compose.noSignature")}</option>
          {(signatures.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={send.isPending || !integration}>
            {send.isPending ? t("email.compose.sending") : t("email.compose.send")}
          </button>
          {onCancel && (
            <button type="button" className="button" onClick={onCancel}>
              {t("email.cancel")}
            </button>
          )}
        </div>
      </Form>
    </section>
  );
}
