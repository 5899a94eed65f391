/**
 * Settings → Email → Mailboxes (EM-1): the integrations with their state (ok, error, syncing; last
 * sync, last error, messages), added or edited from a provider preset or custom servers, the
 * connection test's error on the field the API names, "sync now", delete.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi, useMe } from "../../app/session";
import { Field, Form, FormError, SelectField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { useUsers } from "../contacts/api";
import { emailKeys, useIntegrations, usePresets } from "./api";
import { EmailTabs } from "./EmailTabs";
import {
  CREATE_LEADS,
  SECURITIES,
  applyPreset,
  createBody,
  emptyValues,
  inputFor,
  patchBody,
  valuesOf,
  withEmail,
  type Integration,
  type IntegrationValues,
  type Security,
  type ServerValues,
} from "./integrationForm";

export function IntegrationsPage() {
  const { t } = useTranslation();
  const integrations = useIntegrations();
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState("");
  return (
    <>
      <EmailTabs />
      <h1>{t("email.integrations.title")}</h1>
      <p>{t("email.integrations.intro")}</p>
      <p role="status" className="settings__saved">{notice}</p>
      <QueryState query={integrations}>
        {(items) => (
          <section className="card" aria-labelledby="mailboxes-heading">
            <h2 id="mailboxes-heading">{t("email.integrations.list")}</h2>
            {items.length === 0 ? (
              <p>{t("email.integrations.none")}</p>
            ) : (
              <ul className="email-mailboxes">
                {items.map((integration) => (
                  <IntegrationItem key={integration.id} integration={integration} onNotice={setNotice} />
                ))}
              </ul>
            )}
          </section>
        )}
      </QueryState>
      {adding ? (
        <section className="card" aria-labelledby="new-mailbox-heading">
          <h2 id="new-mailbox-heading">{t("email.integrations.addTitle")}</h2>
          <IntegrationForm
            onCancel={() => setAdding(false)}
            onSaved={(saved) => {
              setAdding(false);
              setNotice(t("email.integrations.created", { name: saved.name }));
            }}
          />
        </section>
      ) : (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={() => { setNotice(""); setAdding(true); }}>
            {t("email.integrations.add")}
          </button>
        </div>
      )}
    </>
  );
}

function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  const known = status === "ok" || status === "error" || status === "syncing" ? status : "ok";
  return <span className={`email-badge email-badge--${known}`}>{t(`email.status.${known}`)}</span>;
}

function IntegrationItem({ integration, onNotice }: { integration: Integration; onNotice: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const me = useMe().data?.id;
  const rights = useRights();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const name = integration.name;
  const refresh = () => client.invalidateQueries({ queryKey: emailKeys.integrations });
  const remove = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/v1/email/integrations/{integration_id}", { params: { path: { integration_id: integration.id } } })),
    onSuccess: async () => {
      onNotice(t("email.integrations.deleted", { name }));
      await refresh();
    },
  });
  const sync = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/email/integrations/{integration_id}/sync", { params: { path: { integration_id: integration.id } } })),
    onSuccess: async (result) => {
      onNotice(
        result.status === "syncing"
          ? t("email.integrations.syncStarted", { name })
          : t("email.integrations.synced", { name, count: result.stored }),
      );
      await refresh();
    },
  });
  const manageable = rights.isAdmin || (integration.owner_id === me && integration.shared_with.length === 0);
  const shared = integration.shared_with;
  const date = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : t("email.never"));
  const failure = remove.error ?? sync.error;
  return (
    <li className="email-mailbox">
      <div className="email-mailbox__head">
        <h3>{name}</h3>
        <StatusBadge status={integration.status} />
      </div>
      <dl className="details">
        <dt>{t("email.integrations.email")}</dt>
        <dd>{integration.email}</dd>
        <dt>{t("email.integrations.lastSync")}</dt>
        <dd>{date(integration.last_sync_at)}</dd>
        {integration.last_error && (
          <>
            <dt>{t("email.integrations.lastError")}</dt>
            <dd className="email-error-text">{integration.last_error}</dd>
          </>
        )}
        <dt>{t("email.integrations.sharing")}</dt>
        <dd>
          {shared === "all"
            ? t("email.integrations.sharedAll")
            : Array.isArray(shared) && shared.length > 0
              ? t("email.integrations.sharedUsers", { count: shared.length })
              : t("email.integrations.personal")}
          {" · "}
          {t("email.integrations.messages", { count: integration.messages })}
        </dd>
      </dl>
      {failure ? (
        <p role="alert" className="form-error">
          {isApiError(failure) ? failure.message : t("errors.unexpected")}
        </p>
      ) : null}
      {editing ? (
        <IntegrationForm
          integration={integration}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            onNotice(t("email.integrations.updated", { name: saved.name }));
          }}
        />
      ) : (
        <div className="actions">
          <button type="button" className="button" disabled={sync.isPending} onClick={() => sync.mutate()}
            aria-label={t("email.integrations.syncOne", { name })}>
            {t("email.integrations.sync")}
          </button>
          {manageable && (
            <>
              <button type="button" className="button" onClick={() => setEditing(true)} aria-label={t("email.integrations.editOne", { name })}>
                {t("email.edit")}
              </button>
              <button type="button" className="button button--danger" disabled={remove.isPending}
                aria-label={t("email.integrations.deleteOne", { name })}
                onClick={() => {
                  if (window.confirm(t("email.integrations.confirmDelete", { name }))) remove.mutate();
                }}>
                {t("email.delete")}
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
}

function IntegrationForm({
  integration,
  onCancel,
  onSaved,
}: {
  integration?: Integration;
  onCancel: () => void;
  onSaved: (saved: Integration) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const rights = useRights();
  const presets = usePresets();
  const users = useUsers();
  const ids = useId();
  const [values, setValues] = useState<IntegrationValues>(() => (integration ? valuesOf(integration) : emptyValues()));
  const canShare = rights.isAdmin;
  const save = useMutation({
    mutationFn: () =>
      integration
        ? unwrap(
            api.PATCH("/v1/email/integrations/{integration_id}", {
              params: { path: { integration_id: integration.id } },
              body: patchBody(integration, values, canShare),
            }),
          )
        : unwrap(api.POST("/v1/email/integrations", { body: createBody(values, canShare) })),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: emailKeys.integrations });
      onSaved(saved);
    },
  });
  // The API names e.g. `imap.password` or `shared_with[1]`: re-aimed at the input that shows it.
  const apiField = isApiError(save.error) ? save.error.field : undefined;
  const named = inputFor(apiField, values.sameLogin);
  const errors = useFormErrors(save.error, named && apiField ? [apiField] : []);
  const fieldError = (input: string) => (named === input && apiField ? errors.field(apiField) : undefined);
  const set = (patch: Partial<IntegrationValues>) => setValues({ ...values, ...patch });
  const setSide = (side: "imap" | "smtp", patch: Partial<ServerValues>) => set({ [side]: { ...values[side], ...patch } });
  const editing = Boolean(integration);
  const chosenPreset = presets.data?.find((p) => p.id === values.preset);

  const serverFields = (side: "imap" | "smtp") => {
    const login = side === "imap" || !values.sameLogin;
    return (
      <fieldset className="settings__group">
        <legend>{t(`email.integrations.${side}`)}</legend>
        <div className="settings__row">
          <Field label={t("email.integrations.host")} name={`${side}.host`} value={values[side].host} autoComplete="off"
            onChange={(e) => setSide(side, { host: e.target.value })} error={fieldError(`${side}.host`)} />
          <Field label={t("email.integrations.port")} name={`${side}.port`} value={values[side].port} inputMode="numeric"
            onChange={(e) => setSide(side, { port: e.target.value })} error={fieldError(`${side}.port`)} />
          <SelectField label={t("email.integrations.security")} name={`${side}.security`} value={values[side].security}
            onChange={(e) => setSide(side, { security: e.target.value as Security })} error={fieldError(`${side}.security`)}>
            {SECURITIES.map((s) => (
              <option key={s} value={s}>{t(`email.integrations.securityValues.${s}`)}</option>
            ))}
          </SelectField>
        </div>
        {login && (
          <div className="settings__row">
            <Field label={t("email.integrations.username")} name={`${side}.username`} value={values[side].username} autoComplete="off"
              onChange={(e) => setSide(side, { username: e.target.value })} error={fieldError(`${side}.username`)} />
            <Field label={t("email.integrations.password")} name={`${side}.password`} type="password" value={values[side].password}
              autoComplete="new-password" hint={editing ? t("email.integrations.passwordKeep") : t("email.integrations.passwordHint")}
              onChange={(e) => setSide(side, { password: e.target.value })} error={fieldError(`${side}.password`)} />
          </div>
        )}
        {side === "imap" && (
          <label className="settings__check">
            <input type="checkbox" checked={values.sameLogin} onChange={(e) => set({ sameLogin: e.target.checked })} />
            {t("email.integrations.sameLogin")}
          </label>
        )}
      </fieldset>
    );
  };

  const label = integration ? t("email.integrations.editTitle", { name: integration.name }) : t("email.integrations.addTitle");
  return (
    <Form error={save.error} label={label} onSubmit={() => save.mutate()}>
      <FormError message={named ? undefined : errors.form} />
      <SelectField label={t("email.integrations.provider")} value={values.preset}
        hint={chosenPreset?.note ?? undefined}
        onChange={(e) => setValues(applyPreset(values, presets.data?.find((p) => p.id === e.target.value)))}>
        <option value="">{t("email.integrations.custom")}</option>
        {(presets.data ?? []).map((p) => (
          <option key={p.id} value={p.id}>{p.name}</option>
        ))}
      </SelectField>
      <div className="settings__row">
        <Field label={t("email.integrations.name")} name="name" value={values.name} hint={t("email.integrations.nameHint")}
          onChange={(e) => set({ name: e.target.value })} error={fieldError("name")} />
        <Field label={t("email.integrations.email")} name="email" type="email" value={values.email} autoComplete="off"
          onChange={(e) => setValues(withEmail(values, e.target.value))} error={fieldError("email")} />
      </div>
      {serverFields("imap")}
      {serverFields("smtp")}
      <fieldset className="settings__group" aria-describedby={fieldError("shared_with") ? `${ids}-share-error` : undefined}>
        <legend>{t("email.integrations.sharing")}</legend>
        {canShare ? (
          <>
            {(["personal", "all", "chosen"] as const).map((s) => (
              <label key={s} className="settings__check">
                <input type="radio" name={`${ids}-sharing`} value={s} checked={values.sharing === s} onChange={() => set({ sharing: s })} />
                {t(`email.integrations.${s === "personal" ? "shareNone" : s === "all" ? "shareAll" : "shareChosen"}`)}
              </label>
            ))}
            {values.sharing === "chosen" && (
              <div role="group" aria-label={t("email.integrations.users")} className="email-users">
                {(users.data ?? []).map((u) => (
                  <label key={u.id} className="settings__check">
                    <input type="checkbox" checked={values.users.includes(u.id)}
                      onChange={(e) => set({ users: e.target.checked ? [...values.users, u.id] : values.users.filter((x) => x !== u.id) })} />
                    {u.name}
                  </label>
                ))}
              </div>
            )}
          </>
        ) : (
          <p className="notice">{t("email.integrations.sharingAdminOnly")}</p>
        )}
        {fieldError("shared_with") && (
          <p id={`${ids}-share-error`} className="field__error form-error" role="alert" tabIndex={-1}>
            {fieldError("shared_with")}
          </p>
        )}
      </fieldset>
      <SelectField label={t("email.integrations.createLeads")} value={values.create_leads} error={fieldError("create_leads")}
        onChange={(e) => set({ create_leads: e.target.value as IntegrationValues["create_leads"] })}>
        {CREATE_LEADS.map((c) => (
          <option key={c} value={c}>{t(`email.integrations.createLeadsValues.${c}`)}</option>
        ))}
      </SelectField>
      <p className="field__hint">{t("email.integrations.testHint")}</p>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {save.isPending ? t("email.integrations.testing") : t("email.save")}
        </button>
        <button type="button" className="button" onClick={onCancel}>{t("email.cancel")}</button>
      </div>
    </Form>
  );
}
