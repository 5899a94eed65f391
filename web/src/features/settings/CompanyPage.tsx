/** Company settings (GET|PUT /v1/settings/company, administrators): name, country, zone, currencies and rates. */
import { useMutation, useQuery, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { AdminOnly, SavedStatus, TimezoneSelect, isConflict, useSavedFlag } from "./common";

export const COMPANY = ["settings", "company"] as const;
type Company = Schemas["CompanySettingsOut"];
type Values = Omit<Schemas["CompanySettingsIn"], "version"> & { currencies: { code: string; rate: string }[] };

export function CompanyPage() {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("settings.company.title")}</h1>
      <AdminOnly>
        <CompanySettings />
      </AdminOnly>
    </>
  );
}

function CompanySettings() {
  const api = useApi();
  const queryClient = useQueryClient();
  const flag = useSavedFlag();
  const company = useQuery({ queryKey: COMPANY, queryFn: () => unwrap(api.GET("/v1/settings/company")) });
  const save = useMutation({
    mutationFn: ({ values, version }: { values: Values; version: number }) =>
      unwrap(api.PUT("/v1/settings/company", { body: { ...values, version } })),
    onSuccess: (saved) => {
      queryClient.setQueryData(COMPANY, saved);
      flag.show();
    },
    onError: (error) => {
      if (isConflict(error)) void queryClient.invalidateQueries({ queryKey: COMPANY });
    },
  });
  return (
    <QueryState query={company}>{(data) => <CompanyForm key={data.version} company={data} save={save} flag={flag} />}</QueryState>
  );
}

function CompanyForm({
  company,
  save,
  flag,
}: {
  company: Company;
  save: UseMutationResult<Company, Error, { values: Values; version: number }>;
  flag: ReturnType<typeof useSavedFlag>;
}) {
  const { t, i18n } = useTranslation();
  const [values, setValues] = useState<Values>(() => ({
    name: company.name,
    country: company.country,
    timezone: company.timezone,
    base_currency: company.base_currency,
    currencies: company.currencies.map(({ code, rate }) => ({ code, rate })),
  }));
  const currencyFields = values.currencies.flatMap((_, i) => [`currencies[${i}]`, `currencies[${i}].code`, `currencies[${i}].rate`]);
  const errors = useFormErrors(save.error, ["name", "country", "timezone", "base_currency", "currencies", ...currencyFields]);
  const set = (patch: Partial<Values>) => {
    flag.hide();
    setValues({ ...values, ...patch });
  };
  const setCurrency = (i: number, patch: Partial<Values["currencies"][number]>) =>
    set({ currencies: values.currencies.map((c, k) => (k === i ? { ...c, ...patch } : c)) });
  const number = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 6 });
  return (
    <section className="card" aria-labelledby="company-form-heading">
      <h2 id="company-form-heading">{t("settings.company.form")}</h2>
      <p className="field__hint">{t("settings.company.slug", { slug: company.slug })}</p>
      <Form error={save.error} label={t("settings.company.form")} onSubmit={() => save.mutate({ values, version: company.version })}>
        <FormError message={isConflict(save.error) ? t("settings.conflict") : errors.form} />
        <Field label={t("settings.company.name")} name="name" value={values.name} required
          onChange={(e) => set({ name: e.target.value })} error={errors.field("name")} />
        <Field label={t("settings.company.country")} name="country" value={values.country} maxLength={2} hint={t("settings.company.countryHint")}
          onChange={(e) => set({ country: e.target.value.toUpperCase() })} error={errors.field("country")} />
        <TimezoneSelect label={t("settings.timezone.label")} value={values.timezone} error={errors.field("timezone")}
          onChange={(timezone) => set({ timezone })} />
        <Field label={t("settings.company.baseCurrency")} name="base_currency" value={values.base_currency} maxLength={3}
          hint={t("settings.company.currencyHint")} onChange={(e) => set({ base_currency: e.target.value.toUpperCase() })}
          error={errors.field("base_currency")} />
        <fieldset className="settings__group">
          <legend>{t("settings.company.currencies")}</legend>
          <p className="field__hint">{t("settings.company.currenciesHint")}</p>
          {errors.field("currencies") && <p className="field__error">{errors.field("currencies")}</p>}
          {values.currencies.length === 0 && <p>{t("settings.company.noCurrencies")}</p>}
          {values.currencies.map((currency, i) => {
            const rate = Number(currency.rate);
            return (
              <div className="settings__row" key={i}>
                <Field label={t("settings.company.code", { n: i + 1 })} name={`currency-${i}`} value={currency.code} maxLength={3}
                  onChange={(e) => setCurrency(i, { code: e.target.value.toUpperCase() })}
                  error={errors.field(`currencies[${i}].code`) ?? errors.field(`currencies[${i}]`)} />
                <Field label={t("settings.company.rate", { n: i + 1 })} name={`rate-${i}`} value={currency.rate} inputMode="decimal"
                  onChange={(e) => setCurrency(i, { rate: e.target.value.replace(",", ".") })} error={errors.field(`currencies[${i}].rate`)}
                  hint={currency.code.length === 3 && currency.rate && Number.isFinite(rate)
                    ? t("settings.company.rateExample", { code: currency.code, rate: number.format(rate), base: values.base_currency })
                    : undefined} />
                <button type="button" className="button" onClick={() => set({ currencies: values.currencies.filter((_, k) => k !== i) })}>
                  {t("settings.company.removeCurrency", { n: i + 1 })}
                </button>
              </div>
            );
          })}
          <button type="button" className="button settings__add" onClick={() => set({ currencies: [...values.currencies, { code: "", rate: "" }] })}>
            {t("settings.company.addCurrency")}
          </button>
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
