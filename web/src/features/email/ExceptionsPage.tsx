/**
 * Settings → Email → Exceptions (EM-6: an address or a whole @domain whose mail never enters the
 * CRM) and → Own domains (GET|PUT /v1/settings/email: the company's domains never become leads).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, TextAreaField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { emailKeys, type EmailException } from "./api";
import { EmailTabs } from "./EmailTabs";

export function ExceptionsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [pattern, setPattern] = useState("");
  const [notice, setNotice] = useState("");
  const list = useQuery({
    queryKey: emailKeys.exceptions,
    queryFn: async () => (await unwrap(api.GET("/v1/email/exceptions"))).items,
  });
  const add = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/email/exceptions", { body: { pattern: pattern.trim() } })),
    onSuccess: async (created) => {
      setNotice(t("email.exceptions.added", { pattern: created.pattern ?? pattern.trim() }));
      setPattern("");
      await client.invalidateQueries({ queryKey: emailKeys.exceptions });
    },
  });
  const remove = useMutation({
    mutationFn: (item: EmailException) =>
      unwrap(api.DELETE("/v1/email/exceptions/{exception_id}", { params: { path: { exception_id: item.id } } })).then(() => item),
    onSuccess: async (item) => {
      setNotice(t("email.exceptions.deleted", { pattern: item.pattern }));
      await client.invalidateQueries({ queryKey: emailKeys.exceptions });
    },
  });
  const errors = useFormErrors(add.error, ["pattern"]);
  const rights = useRights();
  const manage = rights.isAdmin;
  return (
    <>
      <EmailTabs />
      <h1>{t("email.exceptions.title")}</h1>
      <p>{t("email.exceptions.intro")}</p>
      <p role="status" className="settings__saved">{notice}</p>
      {rights.loaded && !manage && <p className="notice">{t("email.exceptions.adminOnly")}</p>}
      {manage && <section className="card" aria-labelledby="exception-new">
        <h2 id="exception-new">{t("email.exceptions.add")}</h2>
        <Form error={add.error} label={t("email.exceptions.add")} onSubmit={() => add.mutate()}>
          <FormError message={errors.form} />
          <Field label={t("email.exceptions.pattern")} name="pattern" value={pattern} hint={t("email.exceptions.patternHint")}
            onChange={(e) => setPattern(e.target.value)} error={errors.field("pattern")} />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={add.isPending}>{t("email.exceptions.add")}</button>
          </div>
        </Form>
      </section>}
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
                  {manage && <button type="button" className="button button--link" disabled={remove.isPending}
                    onClick={() => remove.mutate(item)} aria-label={t("email.exceptions.deleteOne", { pattern: item.pattern })}>
                    {t("email.delete")}
                  </button>}
                </li>
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}

/** GET|PUT /v1/settings/email: the company's own domains, with the record's `version`. */
type EmailSettings = Schemas["EmailSettingsOut"];

/** "a.com, b.org\nc.net" -> the domains, lower case, without a leading "@". */
export function parseDomains(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((d) => d.trim().replace(/^@/, "").toLowerCase())
    .filter(Boolean);
}

export function DomainsPage() {
  const { t } = useTranslation();
  const api = useApi();
  const settings = useQuery({
    queryKey: emailKeys.settings,
    queryFn: () => unwrap(api.GET("/v1/settings/email")),
  });
  // Kept here: a save remounts the form (its key is the version).
  const [saved, setSaved] = useState(false);
  return (
    <>
      <EmailTabs />
      <h1>{t("email.domains.title")}</h1>
      <p>{t("email.domains.intro")}</p>
      <QueryState query={settings}>
        {(data) => <DomainsForm key={data.version} settings={data} saved={saved} onSaved={setSaved} />}
      </QueryState>
    </>
  );
}

function DomainsForm({ settings, saved, onSaved }: { settings: EmailSettings; saved: boolean; onSaved: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const rights = useRights();
  const [text, setText] = useState(settings.own_domains.join("\n"));
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PUT("/v1/settings/email", { body: { own_domains: parseDomains(text), version: settings.version } })),
    onSuccess: (data) => {
      client.setQueryData(emailKeys.settings, data);
      onSaved(true);
    },
  });
  const apiField = isApiError(save.error) ? save.error.field : undefined;
  const onDomains = apiField?.startsWith("own_domains");
  const errors = useFormErrors(save.error, onDomains && apiField ? [apiField] : []);
  const conflict = isApiError(save.error) && save.error.code === "conflict" && !apiField;
  if (rights.loaded && !rights.isAdmin) {
    return (
      <section className="card" aria-labelledby="domains-heading">
        <h2 id="domains-heading">{t("email.tabs.domains")}</h2>
        {settings.own_domains.length === 0 ? <p>{t("email.domains.none")}</p> : <ul>{settings.own_domains.map((d) => <li key={d}>{d}</li>)}</ul>}
        <p className="notice">{t("email.domains.adminOnly")}</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="domains-heading">
      <h2 id="domains-heading">{t("email.tabs.domains")}</h2>
      <Form error={save.error} label={t("email.domains.title")} onSubmit={() => save.mutate()}>
        <FormError message={conflict ? t("settings.conflict") : errors.form} />
        <TextAreaField label={t("email.domains.field")} name="domains" rows={4} value={text} hint={t("email.domains.hint")}
          onChange={(e) => { onSaved(false); setText(e.target.value); }} error={onDomains && apiField ? errors.field(apiField) : undefined} />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>{t("email.save")}</button>
          <p role="status" className="settings__saved">{saved ? t("email.domains.saved") : ""}</p>
        </div>
      </Form>
    </section>
  );
}
