import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { DEAL_FIELDS, DealFields, type DealValues } from "./DealForm";

/** Create a deal (`POST /v1/deals`) for a client picked from the clients list. */
export function NewDeal() {
  const { t } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [params] = useSearchParams();
  const [values, setValues] = useState<DealValues>({
    title: "", client_id: params.get("client_id") ?? "", amount: "", currency: "", status: "new", responsible_user_id: "",
  });
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/deals", {
          body: {
            title: values.title,
            client_id: values.client_id,
            value: { amount: values.amount, ...(values.currency ? { currency: values.currency } : {}) },
            status: values.status,
            ...(values.responsible_user_id ? { responsible_user_id: values.responsible_user_id } : {}),
          },
        }),
      ),
    onSuccess: (deal) => {
      void queryClient.invalidateQueries({ queryKey: ["deals"] });
      void navigate(`/deals/${deal.id}`);
    },
  });
  const errors = useFormErrors(create.error, DEAL_FIELDS);
  return (
    <div className="card deals__form">
      <h1>{t("deals.create.title")}</h1>
      <Form error={create.error} label={t("deals.create.title")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <DealFields values={values} onChange={setValues} errors={errors} withClient />
        <div className="actions">
          <Link className="button" to="/deals">{t("deals.cancel")}</Link>
          <button className="button button--primary" type="submit" disabled={create.isPending}>
            {create.isPending ? t("deals.saving") : t("deals.create.submit")}
          </button>
        </div>
      </Form>
    </div>
  );
}
