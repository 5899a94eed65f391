/** Pick a client by searching the clients list (`GET /v1/clients?q=`). */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";

export function ClientPicker({
  value,
  onChange,
  label,
  error,
  allowNone,
}: {
  value: string;
  onChange: (id: string) => void;
  label: string;
  error?: string | undefined;
  allowNone?: boolean;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [q, setQ] = useState("");
  const id = useId();
  const clients = useQuery({
    queryKey: ["clients", "pick", q],
    queryFn: () =>
      unwrap(api.GET("/v1/clients", { params: { query: { scope: "all", limit: 25, ...(q.trim() ? { q: q.trim() } : {}) } } })),
    placeholderData: (previous) => previous,
  });
  const items = clients.data?.items ?? [];
  return (
    <fieldset className={error ? "field field--invalid" : "field"}>
      <legend>{label}</legend>
      <label htmlFor={`${id}-q`}>{t("deals.clientSearch")}</label>
      <input id={`${id}-q`} type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      <label htmlFor={`${id}-select`}>{t("deals.clientChoice")}</label>
      <select
        id={`${id}-select`}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        <option value="">{allowNone ? t("deals.anyClient") : t("deals.chooseClient")}</option>
        {value && !items.some((c) => c.id === value) && <option value={value}>{t("deals.selectedClient")}</option>}
        {items.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      {error && (
        <p id={`${id}-error`} className="field__error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
