/** The card's SMS action (CL-8, SM-1): a template or free text to the contact's number, through
 *  `POST /v1/sms`; the message lands in the contact's feed. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { keys, type Kind } from "./api";
import { SelectField, TextAreaField } from "./widgets";

export function SmsForm({ kind, contactId, onDone }: { kind: Kind; contactId: string; onDone: (to: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const templates = useQuery({
    queryKey: ["sms-templates"],
    queryFn: () => unwrap(api.GET("/v1/sms-templates", { params: { query: { limit: 100 } } })),
    staleTime: 300_000,
  });
  const [templateId, setTemplateId] = useState("");
  const [text, setText] = useState("");
  const send = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/sms", { body: { contact_id: contactId, ...(templateId ? { template_id: templateId } : { text }) } })),
    onSuccess: async (sms) => {
      await client.invalidateQueries({ queryKey: keys.feed(kind, contactId) });
      onDone(sms.to);
    },
  });
  const errors = useFormErrors(send.error, ["text", "template_id", "contact_id", "to"]);
  const chosen = templates.data?.items.find((tpl) => tpl.id === templateId);
  return (
    <section className="panel" aria-label={t("contacts.sms.title")}>
      <Form error={send.error} label={t("contacts.sms.title")} onSubmit={() => send.mutate()}>
        <FormError message={errors.form ?? errors.field("contact_id") ?? errors.field("to")} />
        <SelectField
          label={t("contacts.sms.template")}
          value={templateId}
          onChange={(e) => setTemplateId(e.target.value)}
          error={errors.field("template_id")}
        >
          <option value="">{t("contacts.sms.noTemplate")}</option>
          {(templates.data?.items ?? []).map((tpl) => (
            <option key={tpl.id} value={tpl.id}>
              {tpl.title}
            </option>
          ))}
        </SelectField>
        <TextAreaField
          label={t("contacts.sms.text")}
          name="text"
          rows={3}
          required={!templateId}
          readOnly={Boolean(chosen)}
          value={chosen ? chosen.text : text}
          onChange={(e) => setText(e.target.value)}
          error={errors.field("text")}
        />
        <p className="muted">{t("contacts.sms.length", { count: (chosen ? chosen.text : text).length })}</p>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={send.isPending}>
            {send.isPending ? t("contacts.sms.sending") : t("contacts.sms.send")}
          </button>
        </div>
      </Form>
    </section>
  );
}
