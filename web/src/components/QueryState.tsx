import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { isApiError } from "../api/errors";

/** A query's loading and error states, and its data once there. */
export function QueryState<T>({ query, children }: { query: UseQueryResult<T>; children: (data: T) => ReactNode }) {
  const { t } = useTranslation();
  if (query.isPending) {
    return (
      <p role="status" className="loading">
        {t("app.loading")}
      </p>
    );
  }
  if (query.isError) {
    const error = query.error;
    const message =
      isApiError(error) && error.code !== "network_error" ? error.message : t(isApiError(error) ? "errors.network" : "errors.unexpected");
    return (
      <p role="alert" className="form-error">
        {message}
      </p>
    );
  }
  return <>{children(query.data)}</>;
}
