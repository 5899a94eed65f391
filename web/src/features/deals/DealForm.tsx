/** The deal's fields, for creating a deal and editing one. */
import { useTranslation } from "react-i18next";

import { Field, type FormErrors } from "../../components/forms";
import { STATUSES, type Status } from "./board";
import { ClientPicker } from "./ClientPicker";
import { useUsers } from "./hooks";

export interface DealValues {
  title: string;
  client_id: string;
  amount: string;
  currency: string;
  status: Status;
  responsible_user_id: string;
}

export const DEAL_FIELDS = ["title", "client_id", "value", "value.amount", "value.currency", "status", "responsible_user_id"];

export function DealFields({
  values,
  onChange,
  errors,
  withClient,
}: {
  values: DealValues;
  onChange: (values: DealValues) => void;
  errors: FormErrors;
  withClient: boolean;
}) {
  const { t } = useTranslation();
  const users = useUsers();
  const set = (patch: Partial<DealValues>) => onChange({ ...values, ...patch });
  return (
    <>
      <Field label={t("deals.fields.title")} name="title" value={values.title} required
        onChange={(e) => set({ title: e.target.value })} error={errors.field("title")} />
      {withClient && (
        <ClientPicker label={t("deals.fields.client")} value={values.client_id}
          onChange={(client_id) => set({ client_id })} error={errors.field("client_id")} />
      )}
      <div className="deals__row">
        <Field label={t("deals.fields.amount")} name="amount" inputMode="decimal" value={values.amount}
          onChange={(e) => set({ amount: e.target.value })} error={errors.field("value.amount") ?? errors.field("value")} />
        <Field label={t("deals.fields.currency")} name="currency" maxLength={3} value={values.currency}
          hint={t("deals.fields.currencyHint")}
          onChange={(e) => set({ currency: e.target.value.toUpperCase() })} error={errors.field("value.currency")} />
      </div>
      <div className="field">
        <label htmlFor="deal-status">{t("deals.fields.status")}</label>
        <select id="deal-status" value={values.status} onChange={(e) => set({ status: e.target.value as Status })}
          aria-invalid={errors.field("status") ? true : undefined}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>{t(`deals.status.${s}`)}</option>
          ))}
        </select>
        {errors.field("status") && <p className="field__error">{errors.field("status")}</p>}
      </div>
      <div className="field">
        <label htmlFor="deal-responsible">{t("deals.fields.responsible")}</label>
        <select id="deal-responsible" value={values.responsible_user_id}
          onChange={(e) => set({ responsible_user_id: e.target.value })}
          aria-invalid={errors.field("responsible_user_id") ? true : undefined}>
          <option value="">{t("deals.fields.me")}</option>
          {(users.data?.items ?? []).map((u) => (
            <option key={u.id} value={u.id}>{u.name}</option>
          ))}
        </select>
        {errors.field("responsible_user_id") && <p className="field__error">{errors.field("responsible_user_id")}</p>}
      </div>
    </>
  );
}
