/**
 * The clients and leads lists' "Import" and "Export" entries (shown only with the entity's
 * `*_import_export` right). Export sends the list's current tab and filters, in CSV or XLSX, then
 * follows the export until its file can be downloaded (API.md "Import / export").
 */
import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { Form, FormError, useFormErrors } from "../../components/forms";
import { activeFilterCount, type ContactFilters } from "../contacts/filters";
import { useExport, useImportEntities, type Entity } from "./api";
import { exportFilters } from "./mapping";
import "./imports.css";

export function ImportExportEntry({ kind, filters }: { kind: "client" | "lead"; filters: ContactFilters }) {
  const { t } = useTranslation();
  const { entities } = useImportEntities();
  const entity: Entity = kind === "client" ? "clients" : "leads";
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  if (!entities.includes(entity)) return null;
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  return (
    <div className="imex">
      <Link className="button" to={`/imports?entity=${entity}`}>
        {t("imports.entry.import")}
      </Link>
      <button ref={toggle} type="button" className="button" aria-expanded={open} onClick={() => setOpen(!open)}>
        {t("imports.entry.export")}
      </button>
      {open && <ExportPanel entity={entity} filters={filters} onClose={close} />}
    </div>
  );
}

function ExportPanel({ entity, filters, onClose }: { entity: Entity; filters: ContactFilters; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const [format, setFormat] = useState<"csv" | "xlsx">("csv");
  const start = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/exports", { body: { entity, format, filters: exportFilters(filters) } })),
  });
  const job = useExport(start.data?.id ?? null);
  const record = job.data ?? start.data;
  const errors = useFormErrors(start.error, []);
  const title = t("imports.export.title", { entity: t(`imports.entity.${entity}`).toLowerCase() });
  const rows = new Intl.NumberFormat(i18n.language).format(record?.rows ?? 0);
  return (
    <section className="panel imex__panel" aria-label={title} onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <h2>{title}</h2>
      <Form error={start.error} label={title} onSubmit={() => start.mutate()}>
        <FormError message={errors.form} />
        <fieldset className="inline-choices">
          <legend>{t("imports.export.format")}</legend>
          {(["csv", "xlsx"] as const).map((f) => (
            <label key={f} className="check">
              <input type="radio" name="format" value={f} checked={format === f} onChange={() => setFormat(f)} />
              {t(`imports.export.${f}`)}
            </label>
          ))}
        </fieldset>
        <p className="muted">{t("imports.export.filters", { count: activeFilterCount(filters) })}</p>
        <div className="actions actions--start">
          <button type="submit" className="button button--primary" disabled={start.isPending || record?.status === "running"}>
            {t("imports.export.submit")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("imports.export.close")}
          </button>
        </div>
      </Form>
      <div role="status" className="imex__status">
        {record?.status === "running" && t("imports.export.preparing")}
        {record?.status === "completed" && record.download_url && (
          <a className="button button--primary" href={record.download_url} download>
            {t("imports.export.ready", { rows })}
          </a>
        )}
        {record?.status === "expired" && t("imports.export.expired")}
      </div>
      {record?.status === "failed" && (
        <p role="alert" className="form-error">
          {t("imports.export.failed", { error: record.error ?? "" })}
        </p>
      )}
    </section>
  );
}
