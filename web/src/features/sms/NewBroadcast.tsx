/**
 * A new SMS broadcast (SM-2): recipients handed over by the clients list's bulk action (or
 * found here), a template or a free text, then off to its live report.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { smsKeys, useTemplates, type PickedContact } from "./api";
import { smsParts } from "./parts";
import { SmsTabs } from "./SmsTabs";
import { SmsText } from "./SmsText";

/** The selection another screen passes in the navigation state: `{ contacts: PickedContact[] }`. */
function handedOver(state: unknown): PickedContact[] {
  const contacts = (state as { contacts?: unknown } | null)?.contacts;
  return Array.isArray(contacts) ? contacts.filter((c): c is PickedContact => typeof c?.id === "string") : [];
}

export function NewBroadcast() {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const templates = useTemplates();
  const [recipients, setRecipients] = useState<PickedContact[]>(() => handedOver(location.state));
  const [source, setSource] = useState<"template" | "text">("template");
  const [templateId, setTemplateId] = useState("");
  const [text, setText] = useState("");
  const ids = useId();

  const send = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/sms-broadcasts", {
          body: {
            contact_ids: recipients.map((r) => r.id),
            ...(source === "template" ? { template_id: templateId } : { text }),
          },
        }),
      ),
    onSuccess: async (started) => {
      await client.invalidateQueries({ queryKey: smsKeys.broadcasts });
      void navigate(`/sms/broadcasts/${started.id}`, { state: { contacts: recipients } });
    },
  });
  // contact_ids[3] names one recipient: shown on the recipients' block.
  const field = isApiError(send.error) ? send.error.field : undefined;
  const onRecipients = field?.startsWith("contact_ids");
  const errors = useFormErrors(send.error, onRecipients ? [] : ["text", "template_id"]);
  const recipientsError = onRecipients && isApiError(send.error) ? send.error.message : undefined;
  const chosen = templates.data?.find((tpl) => tpl.id === templateId);
  const preview = chosen ? smsParts(chosen.text) : undefined;

  return (
    <div className="sms">
      <SmsTabs title={t("sms.compose.title")} />
      <Form error={send.error} label={t("sms.compose.title")} onSubmit={() => send.mutate()}>
        <FormError message={onRecipients ? undefined : errors.form} />
        <fieldset
          className={recipientsError ? "panel sms-panel field--invalid" : "panel sms-panel"}
          aria-describedby={recipientsError ? `${ids}-recipients-error` : undefined}
        >
          <legend>{t("sms.compose.recipients", { count: recipients.length })}</legend>
          {recipientsError && (
            <p id={`${ids}-recipients-error`} className="field__error form-error" role="alert" tabIndex={-1}>
              {recipientsError}
            </p>
          )}
          {recipients.length === 0 ? (
            <p>{t("sms.compose.noRecipients")}</p>
          ) : (
            <ul className="sms-recipients" aria-label={t("sms.compose.chosen")}>
              {recipients.map((r) => (
                <li key={r.id}>
                  <span>{r.name}</span>
                  <button
                    type="button"
                    className="button button--link"
                    aria-label={t("sms.compose.removeOne", { name: r.name })}
                    onClick={() => setRecipients(recipients.filter((x) => x.id !== r.id))}
                  >
                    {t("sms.compose.remove")}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <ContactFinder chosen={recipients} onAdd={(c) => setRecipients([...recipients, c])} />
        </fieldset>

        <fieldset className="panel sms-panel">
          <legend>{t("sms.compose.message")}</legend>
          <div className="sms-choice" role="radiogroup" aria-label={t("sms.compose.source")}>
            <label>
              <input type="radio" name="source" value="template" checked={source === "template"} onChange={() => setSource("template")} />
              {t("sms.compose.useTemplate")}
            </label>
            <label>
              <input type="radio" name="source" value="text" checked={source === "text"} onChange={() => setSource("text")} />
              {t("sms.compose.useText")}
            </label>
          </div>
          {source === "template" ? (
            <div className={errors.field("template_id") ? "field field--invalid" : "field"}>
              <label htmlFor={`${ids}-template`}>{t("sms.compose.template")}</label>
              <select
                id={`${ids}-template`}
                value={templateId}
                onChange={(e) => setTemplateId(e.target.value)}
                aria-invalid={errors.field("template_id") ? true : undefined}
                aria-describedby={errors.field("template_id") ? `${ids}-template-error` : `${ids}-template-preview`}
              >
                <option value="">{t("sms.compose.chooseTemplate")}</option>
                {templates.data?.map((tpl) => (
                  <option key={tpl.id} value={tpl.id}>
                    {tpl.title}
                  </option>
                ))}
              </select>
              {errors.field("template_id") && (
                <p id={`${ids}-template-error`} className="field__error">
                  {errors.field("template_id")}
                </p>
              )}
              <div id={`${ids}-template-preview`}>
                {chosen && preview && (
                  <>
                    <p className="sms-template__text">{chosen.text}</p>
                    <p className="field__hint">
                      {t("sms.count", {
                        count: preview.parts,
                        length: chosen.text.length,
                        max: 1000,
                        encoding: t(`sms.encoding.${preview.encoding}`),
                        remaining: preview.remaining,
                      })}{" "}
                      {chosen.text.includes("{name}") && t("sms.compose.nameNote")}
                    </p>
                  </>
                )}
              </div>
            </div>
          ) : (
            <SmsText label={t("sms.compose.text")} value={text} onChange={setText} required error={errors.field("text")} />
          )}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={send.isPending}>
            {t("sms.compose.send", { count: recipients.length })}
          </button>
        </div>
      </Form>
    </div>
  );
}

/** Find clients or leads by name or number and add them to the recipients. */
function ContactFinder({ chosen, onAdd }: { chosen: PickedContact[]; onAdd: (c: PickedContact) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const id = useId();
  const [kind, setKind] = useState<"client" | "lead">("client");
  const [q, setQ] = useState("");
  const term = q.trim();
  const found = useQuery({
    queryKey: ["sms", "find", kind, term],
    enabled: term.length > 0,
    queryFn: () => {
      const query = { q: term, limit: 10 };
      return kind === "client"
        ? unwrap(api.GET("/v1/clients", { params: { query } }))
        : unwrap(api.GET("/v1/leads", { params: { query } }));
    },
    placeholderData: (previous) => previous,
  });
  const items = (term ? found.data?.items : undefined) ?? [];
  return (
    <div className="sms-finder">
      <div className="field">
        <label htmlFor={`${id}-kind`}>{t("sms.compose.findKind")}</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as "client" | "lead")}>
          <option value="client">{t("sms.compose.clients")}</option>
          <option value="lead">{t("sms.compose.leads")}</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-q`}>{t("sms.compose.find")}</label>
        <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </div>
      {term && found.isSuccess && items.length === 0 && <p>{t("sms.compose.nothingFound")}</p>}
      {items.length > 0 && (
        <ul className="sms-recipients" aria-label={t("sms.compose.found")}>
          {items.map((c) => {
            const already = chosen.some((x) => x.id === c.id);
            return (
              <li key={c.id}>
                <span>
                  {c.name} {c.phones[0] && <span className="field__hint">{c.phones[0].phone}</span>}
                </span>
                <button
                  type="button"
                  className="button button--link"
                  disabled={already}
                  aria-label={t("sms.compose.addOne", { name: c.name })}
                  onClick={() => onAdd({ id: c.id, name: c.name, kind })}
                >
                  {already ? t("sms.compose.added") : t("sms.compose.add")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
