/** Telephony settings (GET|PUT /v1/settings/telephony, administrators): PBX keys (write-only), switches, webhook URLs. */
import { useMutation, useQuery, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { AdminOnly, SavedStatus, TimezoneSelect, isConflict, useSavedFlag } from "./common";

export const TELEPHONY = ["settings", "telephony"] as const;
type Telephony = Schemas["TelephonySettingsOut"];

const AUTO_LEADS = ["auto_lead_incoming_calls", "auto_lead_outgoing_calls", "auto_lead_incoming_sms", "auto_lead_outgoing_sms"] as const;
const OPTIONS = ["autodial_all_numbers", "sms_all_numbers"] as const;
type Switch = (typeof AUTO_LEADS)[number] | "dial_without_country_code" | (typeof OPTIONS)[number];

interface Values extends Record<Switch, boolean> {
  pbx_timezone: string;
  pbx_api_key: string;
  pbx_api_secret: string;
}

export function TelephonyPage() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("settings.telephony.title")}</h1>
      <AdminOnly>
        <TelephonySettings />
      </AdminOnly>
    </>
  );
}

function TelephonySettings() {
  const api = useApi();
  const queryClient = useQueryClient();
  const flag = useSavedFlag();
  const telephony = useQuery({ queryKey: TELEPHONY, queryFn: () => unwrap(api.GET("/v1/settings/telephony")) });
  const save = useMutation({
    mutationFn: ({ values, version }: { values: Values; version: number }) => {
      const { pbx_api_key, pbx_api_secret, ...rest } = values;
      // The keys are write-only: sent only when new ones were typed.
      const keys = pbx_api_key || pbx_api_secret ? { pbx_api_key: pbx_api_key || null, pbx_api_secret: pbx_api_secret || null } : {};
      return unwrap(api.PUT("/v1/settings/telephony", { body: { ...rest, ...keys, version } }));
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(TELEPHONY, saved);
      flag.show();
    },
    onError: (error) => {
      if (isConflict(error)) void queryClient.invalidateQueries({ queryKey: TELEPHONY });
    },
  });
  return (
    <QueryState query={telephony}>
      {(data) => (
        <>
          <TelephonyForm key={data.version} telephony={data} save={save} flag={flag} />
          <WebhookUrls path={data.webhook_path} />
        </>
      )}
    </QueryState>
  );
}

function TelephonyForm({
  telephony,
  save,
  flag,
}: {
  telephony: Telephony;
  save: UseMutationResult<Telephony, Error, { values: Values; version: number }>;
  flag: ReturnType<typeof useSavedFlag>;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Values>(() => ({
    pbx_timezone: telephony.pbx_timezone,
    pbx_api_key: "",
    pbx_api_secret: "",
    auto_lead_incoming_calls: telephony.auto_lead_incoming_calls,
    auto_lead_outgoing_calls: telephony.auto_lead_outgoing_calls,
    auto_lead_incoming_sms: telephony.auto_lead_incoming_sms,
    auto_lead_outgoing_sms: telephony.auto_lead_outgoing_sms,
    dial_without_country_code: telephony.dial_without_country_code,
    autodial_all_numbers: telephony.autodial_all_numbers,
    sms_all_numbers: telephony.sms_all_numbers,
  }));
  const errors = useFormErrors(save.error, ["pbx_api_key", "pbx_api_secret", "pbx_timezone", ...AUTO_LEADS, ...OPTIONS, "dial_without_country_code"]);
  const set = (patch: Partial<Values>) => {
    flag.hide();
    setValues({ ...values, ...patch });
  };
  const check = (name: Switch) => (
    <label key={name} className="settings__check">
      <input type="checkbox" name={name} checked={values[name]} onChange={(e) => set({ [name]: e.target.checked })} />
      {t(`settings.telephony.${name}`)}
    </label>
  );
  return (
    <section className="card" aria-labelledby="telephony-form-heading">
      <h2 id="telephony-form-heading">{t("settings.telephony.form")}</h2>
      <Form error={save.error} label={t("settings.telephony.form")} onSubmit={() => save.mutate({ values, version: telephony.version })}>
        <FormError message={isConflict(save.error) ? t("settings.conflict") : errors.form} />
        <fieldset className="settings__group">
          <legend>{t("settings.telephony.keys")}</legend>
          <p className="notice">{telephony.pbx_keys_set ? t("settings.telephony.keysSet") : t("settings.telephony.keysUnset")}</p>
          <div className="settings__row">
            <Field label={t("settings.telephony.apiKey")} name="pbx_api_key" value={values.pbx_api_key} autoComplete="off"
              hint={t("settings.telephony.keysHint")} onChange={(e) => set({ pbx_api_key: e.target.value })} error={errors.field("pbx_api_key")} />
            <Field label={t("settings.telephony.apiSecret")} name="pbx_api_secret" type="password" value={values.pbx_api_secret}
              autoComplete="new-password" onChange={(e) => set({ pbx_api_secret: e.target.value })} error={errors.field("pbx_api_secret")} />
          </div>
        </fieldset>
        <TimezoneSelect label={t("settings.telephony.pbxTimezone")} value={values.pbx_timezone} error={errors.field("pbx_timezone")}
          onChange={(pbx_timezone) => set({ pbx_timezone })} />
        <fieldset className="settings__group">
          <legend>{t("settings.telephony.autoLeads")}</legend>
          {AUTO_LEADS.map(check)}
        </fieldset>
        <fieldset className="settings__group">
          <legend>{t("settings.telephony.dialling")}</legend>
          {check("dial_without_country_code")}
        </fieldset>
        <fieldset className="settings__group">
          <legend>{t("settings.telephony.options")}</legend>
          {OPTIONS.map(check)}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("settings.saving") : t("settings.save")}
          </button>
          <SavedStatus saved={flag.saved} />
        </div>
      </Form>
    </section>
  );
}

/** Both PBX notification streams go to the same path on this API's origin. */
function WebhookUrls({ path }: { path: string }) {
  const { t } = useTranslation();
  const url = new URL(path, window.location.origin).toString();
  return (
    <section className="card" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">{t("settings.telephony.webhooks")}</h2>
      <p className="field__hint">{t("settings.telephony.webhooksHint")}</p>
      <CopyField label={t("settings.telephony.callsUrl")} value={url} />
      <CopyField label={t("settings.telephony.eventsUrl")} value={url} />
    </section>
  );
}

function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <div className="settings__row settings__copy">
      <Field label={label} name={label} value={value} readOnly onFocus={(e) => e.target.select()} />
      <button type="button" className="button" aria-label={t("settings.telephony.copyUrl", { what: label })}
        onClick={() => {
          void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
        }}>
        {t("settings.copy")}
      </button>
      <span role="status">{copied ? t("settings.copied") : ""}</span>
    </div>
  );
}
