/**
 * Settings → Email → Exceptions (EM-6: an address or a whole @domain whose mail never enters the
 * CRM) and → Own domains (GET|PUT /v1/settings/email: the company's domains never become leads).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Field, Form, FormError, TextAreaField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { call, emailKeys, type EmailException } from "./api";
import { EmailTabs } from "./EmailTabs";

export function ExceptionsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [pattern, setPattern] = useState("");
  const [notice, setNotice] = useState("");
  const list = useQuery({
    queryKey: emailKeys.exceptions,
    queryFn: async () => (await call<{ items: EmailException[] }>(api, "GET", "/v1/email/exceptions")).items,
  });
  const add = useMutation({
    mutationFn: () => call<EmailException>(api, "POST", "/v1/email/exceptions", { body: { pattern: pattern.trim() } }),
    onSuccess: async (created) => {
      setNotice(t("email.exceptions.added", { pattern: created.pattern ?? pattern.trim() }));
      setPattern("");
      await client.invalidateQueries({ queryKey: emailKeys.exceptions });
    },
  });
  const remove = useMutation({
    mutationFn: (item: EmailException) =>
      call(api, "DELETE", "/v1/email/exceptions/{exception_id}", { params: { path: { exception_id: item.id } } }).then(() => item),
    onSuccess: async (item) => {
      setNotice(t("email.exceptions.deleted", { pattern: item.pattern }));
      await client.invalidateQueries({ queryKey: emailKeys.exceptions });
    },
  });
  const errors = useFormErrors(add.error, ["pattern"]);
  return (
    <>
      <EmailTabs />
      <h1>{t("email.exceptions.title")}</h1>
      <p>{t("email.exceptions.intro")}</p>
      <p role="status" className="settings__saved">{notice}</p>
      <section className="card" aria-labelledby="exception-new">
        <h2 id="exception-new">{t("email.exceptions.add")}</h2>
        <Form error={add.error} label={t("email.exceptions.add")} onSubmit={() => add.mutate()}>
          <FormError message={errors.form} />
          <Field label={t("email.exceptions.pattern")} name="pattern" value={pattern} hint={t("email.exceptions.patternHint")}
            onChange={(e) => setPattern(e.target.value)} error={errors.field("pattern")} />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={add.isPending}>{t("email.exceptions.add")}</button>
          </div>
        </Form>
      </section>
      {remove.isError && (
        <p role="alert" className="form-error">
          {isApiError(remove.error) ? remove.error.message : t("errors.unexpected")}
        </p>
      )}
      <QueryState query={list}>
        {(items) =>
          items.length === 0 ? (
            <p>{t("email.exceptions.none")}</p>
          ) : (
            <ul className="email-exceptions" aria-label={t("email.exceptions.title")}>
              {items.map((item) => (
                <li key={item.id}>
                  <code>{item.pattern}</code>
                  <button type="button" className="button button--link" disabled={remove.isPending}
                    onClick={() => remove.mutate(item)} aria-label={t("email.exceptions.deleteOne", { pattern: item.pattern })}>
                    {t("email.delete")}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}

/** GET|PUT /v1/settings/email: `domains` (the company's own), with the record's `version`. */
interface EmailSettings {
  domains: string[];
  version?: number;
}

export function DomainsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const settings = useQuery({
    queryKey: emailKeys.settings,
    queryFn: () => call<EmailSettings>(api, "GET", "/v1/settings/email"),
    retry: false,
  });
  return (
    <>
      <EmailTabs />
      <h1>{t("email.domains.title")}</h1>
      <p>{t("email.domains.intro")}</p>
      {settings.isError && isApiError(settings.error) && settings.error.status === 404 ? (
        <p className="notice">{t("email.domains.unavailable")}</p>
      ) : (
        <QueryState query={settings}>{(data) => <DomainsForm key={data.version ?? 0} settings={data} />}</QueryState>
      )}
    </>
  );
}

function DomainsForm({ settings }: { settings: EmailSettings }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [text, setText] = useState((settings.domains ?? []).join("\n"));
  const [saved, setSaved] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      call<EmailSettings>(api, "PUT", "/v1/settings/email", {
        body: {
          domains: text.split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean),
          ...(settings.version !== undefined ? { version: settings.version } : {}),
        },
      }),
    onSuccess: (data) => {
      client.setQueryData(emailKeys.settings, data);
      setSaved(true);
    },
  });
  const errors = useFormErrors(save.error, ["domains"]);
  return (
    <section className="card" aria-labelledby="domains-heading">
      <h2 id="domains-heading">{t("email.domains.field")}</h2>
      <Form error={save.error} label={t("email.domains.title")} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <TextAreaField label={t("email.domains.field")} name="domains" rows={4} value={text} hint={t("email.domains.hint")}
          onChange={(e) => { setSaved(false); setText(e.target.value); }} error={errors.field("domains")} />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>{t("email.save")}</button>
          <p role="status" className="settings__saved">{saved ? t("email.domains.saved") : ""}</p>
        </div>
      </Form>
    </section>
  );
}
