/**
 * The import wizard and history (/imports, /imports/:id), SPEC IM-1..5:
 * 1. upload: the file goes from the browser to the presigned URL, with a progress bar;
 * 2. columns: the detected format, encoding and delimiter, the first rows, a target per column
 *    (the suggested ones preselected) and the duplicate policy;
 * 3. import: live progress (polled), the counts, the error report and undo.
 * Below, the history of imports, each with its undo. Only entities the user may import are offered.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { useProperties, useUsers } from "../contacts/api";
import { LoadMore, formatDateTime } from "../contacts/widgets";
import {
  UploadError,
  importKeys,
  uploadFile,
  useImport,
  useImportEntities,
  useImportHistory,
  usePreview,
  type Entity,
  type ImportRecord,
} from "./api";
import {
  formatBytes,
  groupTargets,
  hasProblems,
  importProgress,
  initialMapping,
  isActive,
  isUndoable,
  mappingProblems,
  startMapping,
  type Mapping,
} from "./mapping";
import "./imports.css";

const MAX_BYTES = 200 * 1024 * 1024; // the API's max_bytes (also returned with the upload URL)
const POLICIES = ["skip", "update", "create_anyway"] as const;
type Policy = (typeof POLICIES)[number];

function useNumber() {
  const { i18n } = useTranslation();
  const format = new Intl.NumberFormat(i18n.language);
  return (n: number | null | undefined) => format.format(n ?? 0);
}

/** Shown instead of the screens when the user's group may import nothing. */
function Allowed({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { loaded, entities } = useImportEntities();
  if (!loaded) {
    return (
      <p role="status" className="loading">
        {t("app.loading")}
      </p>
    );
  }
  if (entities.length === 0) return <p className="notice">{t("imports.notAllowed")}</p>;
  return <>{children}</>;
}

function Steps({ current }: { current: 0 | 1 | 2 }) {
  const { t } = useTranslation();
  const names = [t("imports.steps.upload"), t("imports.steps.mapping"), t("imports.steps.run")];
  return (
    <ol className="import-steps" aria-label={t("imports.steps.label")}>
      {names.map((name, i) => (
        <li key={name} aria-current={i === current ? "step" : undefined} className={i < current ? "done" : undefined}>
          {name}
          {i === current && <span className="visually-hidden"> {t("imports.steps.current")}</span>}
        </li>
      ))}
    </ol>
  );
}

// --- /imports --------------------------------------------------------------------------------

export function ImportsPage() {
  const { t } = useTranslation();
  return (
    <div className="imports">
      <h1>{t("imports.title")}</h1>
      <Allowed>
        <Steps current={0} />
        <UploadForm />
        <History />
      </Allowed>
    </div>
  );
}

function UploadForm() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const { entities } = useImportEntities();
  const wanted = search.get("entity");
  const [entity, setEntity] = useState<Entity>(entities.find((e) => e === wanted) ?? entities[0] ?? "clients");
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<{ loaded: number; total: number } | null>(null);
  const [local, setLocal] = useState<string | undefined>();
  const size = (n: number) => formatBytes(n, i18n.language);

  const upload = useMutation({
    mutationFn: async (chosen: File) => {
      const created = await unwrap(
        api.POST("/v1/imports", {
          body: { entity, filename: chosen.name, content_type: chosen.type || "application/octet-stream" },
        }),
      );
      if (created.upload_url) {
        setSent({ loaded: 0, total: chosen.size });
        await uploadFile(created.upload_url, chosen, (loaded, total) => setSent({ loaded, total }));
      }
      return created;
    },
    onSuccess: (created) => navigate(`/imports/${created.id}`),
  });
  const errors = useFormErrors(upload.error instanceof UploadError ? null : upload.error, ["filename", "content_type", "entity"]);
  const uploadFailed = upload.error instanceof UploadError ? t("imports.upload.failed", { reason: upload.error.message }) : undefined;
  const percent = sent ? (sent.total === 0 ? 100 : Math.floor((100 * sent.loaded) / sent.total)) : 0;

  function submit() {
    setLocal(undefined);
    if (!file) {
      setLocal(t("imports.upload.noFile"));
      return;
    }
    if (file.size > MAX_BYTES) {
      setLocal(t("imports.upload.tooBig", { size: size(file.size), max: size(MAX_BYTES) }));
      return;
    }
    setSent(null);
    upload.mutate(file);
  }

  return (
    <section className="panel" aria-labelledby="import-upload-title">
      <h2 id="import-upload-title">{t("imports.upload.title")}</h2>
      <Form error={upload.error ?? local} label={t("imports.upload.title")} onSubmit={submit}>
        <FormError message={errors.form ?? uploadFailed} />
        {entities.length > 1 ? (
          <fieldset className="inline-choices">
            <legend>{t("imports.entity.label")}</legend>
            {entities.map((e) => (
              <label key={e} className="check">
                <input type="radio" name="entity" value={e} checked={entity === e} onChange={() => setEntity(e)} />
                {t(`imports.entity.${e}`)}
              </label>
            ))}
          </fieldset>
        ) : (
          <p>
            {t("imports.entity.label")}: <strong>{t(`imports.entity.${entity}`)}</strong>
          </p>
        )}
        <Field
          label={t("imports.upload.file")}
          name="file"
          type="file"
          accept=".csv,.txt,.tsv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          hint={t("imports.upload.fileHint", { size: size(MAX_BYTES) })}
          error={local ?? errors.field("filename") ?? errors.field("content_type")}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            setLocal(undefined);
          }}
        />
        {sent && (
          <div className="upload-progress">
            <progress value={percent} max={100} aria-label={t("imports.upload.progress")} />
            <p aria-live="polite">
              {t("imports.upload.progressText", { loaded: size(sent.loaded), total: size(sent.total), percent })}
            </p>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={upload.isPending}>
            {upload.isPending ? t("imports.upload.uploading") : t("imports.upload.submit")}
          </button>
        </div>
      </Form>
    </section>
  );
}

// --- /imports/:id ----------------------------------------------------------------------------

export function ImportPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const record = useImport(id);
  return (
    <div className="imports">
      <p>
        <Link to="/imports">← {t("imports.title")}</Link>
      </p>
      <Allowed>
        <QueryState query={record}>
          {(data) => (
            <>
              <h1>{t("imports.run.title", { filename: data.filename })}</h1>
              <Steps current={data.status === "uploaded" ? 1 : 2} />
              {data.status === "uploaded" ? <MappingStep record={data} /> : <RunStep record={data} />}
            </>
          )}
        </QueryState>
      </Allowed>
    </div>
  );
}

function MappingStep({ record }: { record: ImportRecord }) {
  const { t } = useTranslation();
  const preview = usePreview(record.id, true);
  return (
    <QueryState query={preview}>
      {(data) => (
        <>
          <section className="panel" aria-labelledby="import-file-title">
            <h2 id="import-file-title">{t("imports.preview.title")}</h2>
            <dl className="facts">
              <div>
                <dt>{t("imports.preview.format")}</dt>
                <dd>{data.format.toUpperCase()}</dd>
              </div>
              {data.encoding && (
                <div>
                  <dt>{t("imports.preview.encoding")}</dt>
                  <dd>{data.encoding}</dd>
                </div>
              )}
              {data.delimiter && (
                <div>
                  <dt>{t("imports.preview.delimiter")}</dt>
                  <dd>{delimiterName(t, data.delimiter)}</dd>
                </div>
              )}
            </dl>
            <div className="table-scroll" tabIndex={0} role="region" aria-label={t("imports.preview.sample")}>
              <table className="table">
                <caption className="visually-hidden">{t("imports.preview.sample")}</caption>
                <thead>
                  <tr>
                    {data.headers.map((h) => (
                      <th key={h} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.rows.slice(0, 5).map((row, i) => (
                    <tr key={i}>
                      {data.headers.map((h, j) => (
                        <td key={h}>{row[j] ?? ""}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <MappingForm
            importId={record.id}
            headers={data.headers}
            sample={data.rows[0] ?? []}
            suggested={data.suggested_mapping}
            targets={data.targets}
          />
        </>
      )}
    </QueryState>
  );
}

type T = TFunction;

function delimiterName(t: T, delimiter: string): string {
  const known = [",", ";", "\t", "|"] as const;
  const found = known.find((d) => d === delimiter);
  return found ? t(`imports.preview.delimiters.${found}`) : `“${delimiter}”`;
}

function useTargetLabel() {
  const { t } = useTranslation();
  const properties = useProperties();
  return (target: string): string => {
    const [field, qualifier = ""] = target.split(":");
    const channel = (q: string) => {
      const known = ["work", "mobile", "home", "personal", "other"] as const;
      const k = known.find((c) => c === q);
      return k ? t(`imports.mapping.channel.${k}`) : q;
    };
    switch (field) {
      case "phone":
        return t("imports.mapping.targets.phone", { type: channel(qualifier) });
      case "email":
        return t("imports.mapping.targets.email", { type: channel(qualifier) });
      case "property":
        return t("imports.mapping.targets.property", { title: properties.data?.find((p) => p.key === qualifier)?.title ?? qualifier });
      case "name":
      case "status":
      case "type":
      case "address":
      case "website":
      case "comment":
      case "tags":
      case "responsible_email":
        return t(`imports.mapping.targets.${field}`);
      default:
        return target;
    }
  };
}

function MappingForm({
  importId,
  headers,
  sample,
  suggested,
  targets,
}: {
  importId: string;
  headers: string[];
  sample: string[];
  suggested: Record<string, string | null>;
  targets: string[];
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const label = useTargetLabel();
  const [mapping, setMapping] = useState<Mapping>(() => initialMapping(headers, suggested));
  const [policy, setPolicy] = useState<Policy>("skip");
  const problemsId = useId();
  const groups = groupTargets(targets);
  const problems = mappingProblems(mapping);
  const blocked = hasProblems(problems);

  const start = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/imports/{import_id}/start", {
          params: { path: { import_id: importId } },
          body: { mapping: startMapping(mapping), on_duplicate: policy },
        }),
      ),
    onSuccess: async (record) => {
      client.setQueryData(importKeys.one(importId), record);
      await client.invalidateQueries({ queryKey: importKeys.history });
    },
  });
  const errors = useFormErrors(start.error, [...headers.map((h) => `mapping.${h}`), "on_duplicate"]);

  const groupOptions = (name: keyof typeof groups) =>
    groups[name].length > 0 && (
      <optgroup label={t(`imports.mapping.groups.${name}`)}>
        {groups[name].map((target) => (
          <option key={target} value={target}>
            {label(target)}
          </option>
        ))}
      </optgroup>
    );

  return (
    <section className="panel" aria-labelledby="import-mapping-title">
      <h2 id="import-mapping-title">{t("imports.mapping.title")}</h2>
      <p className="muted">{t("imports.mapping.intro")}</p>
      <Form error={start.error} label={t("imports.mapping.title")} onSubmit={() => start.mutate()}>
        <FormError message={errors.form} />
        <div className="grid mapping">
          {headers.map((header, i) => {
            const id = `${problemsId}-col-${i}`;
            const error = errors.field(`mapping.${header}`);
            const value = sample[i]?.trim();
            return (
              <div key={header} className={error ? "field field--invalid" : "field"}>
                <label htmlFor={id}>{t("imports.mapping.column", { column: header })}</label>
                <select
                  id={id}
                  value={mapping[header] ?? ""}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={[error ? `${id}-error` : "", value ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined}
                  onChange={(e) => setMapping({ ...mapping, [header]: e.target.value })}
                >
                  <option value="">{t("imports.mapping.skip")}</option>
                  {groupOptions("fields")}
                  {groupOptions("phones")}
                  {groupOptions("emails")}
                  {groupOptions("properties")}
                </select>
                {value && (
                  <p id={`${id}-hint`} className="field__hint">
                    {t("imports.mapping.sample", { value: value.length > 40 ? `${value.slice(0, 40)}…` : value })}
                  </p>
                )}
                {error && (
                  <p id={`${id}-error`} className="field__error">
                    {error}
                  </p>
                )}
              </div>
            );
          })}
        </div>
        <fieldset>
          <legend>{t("imports.duplicates.legend")}</legend>
          {POLICIES.map((p) => (
            <label key={p} className="check">
              <input type="radio" name="on_duplicate" value={p} checked={policy === p} onChange={() => setPolicy(p)} />
              {t(`imports.duplicates.${p}`)}
            </label>
          ))}
        </fieldset>
        {blocked && (
          <ul id={problemsId} className="field__error problems">
            {problems.needName && <li>{t("imports.mapping.needName")}</li>}
            {problems.twice.map((p) => (
              <li key={p.target}>{t("imports.mapping.twice", { target: label(p.target), columns: p.columns.join(", ") })}</li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button
            type="submit"
            className="button button--primary"
            disabled={blocked || start.isPending}
            aria-describedby={blocked ? problemsId : undefined}
          >
            {start.isPending ? t("imports.starting") : t("imports.start")}
          </button>
        </div>
      </Form>
    </section>
  );
}

function RunStep({ record }: { record: ImportRecord }) {
  const { t } = useTranslation();
  const n = useNumber();
  const progress = importProgress(record);
  const undo = record.status === "undoing" || record.status === "undone";
  const finished = record.status === "completed" || record.status === "failed";
  return (
    <section className="panel" aria-labelledby="import-run-title">
      <h2 id="import-run-title">
        {t(`imports.status.${record.status as "running"}`, { defaultValue: record.status })}
      </h2>
      <div className="import-progress">
        <progress
          value={progress.percent ?? undefined}
          max={100}
          aria-label={t(undo ? "imports.run.undoProgress" : "imports.run.progress")}
          aria-valuetext={progress.percent === null ? t("imports.run.reading") : `${progress.percent}%`}
        />
        <p>
          {progress.total === null
            ? t("imports.run.reading")
            : t("imports.run.rows", { processed: n(progress.done), total: n(progress.total), percent: progress.percent ?? 0 })}
        </p>
      </div>
      <dl className="facts counts">
        <Count label={t("imports.run.created")} value={n(record.created)} />
        <Count label={t("imports.run.updated")} value={n(record.updated)} />
        <Count label={t("imports.run.skipped")} value={n(record.skipped)} />
        <Count label={t("imports.run.failed")} value={n(record.failed)} />
        {undo && <Count label={t("imports.run.deleted")} value={n(record.deleted)} />}
        {undo && <Count label={t("imports.run.restored")} value={n(record.restored)} />}
      </dl>
      <div role="status" className="import-outcome">
        {record.status === "completed" &&
          t("imports.run.done", { created: n(record.created), updated: n(record.updated), skipped: n(record.skipped), failed: n(record.failed) })}
        {record.status === "undone" && t("imports.run.undone", { deleted: n(record.deleted), restored: n(record.restored) })}
      </div>
      {record.error && (
        <p role="alert" className="form-error">
          {t("imports.run.error", { error: record.error })}
        </p>
      )}
      {record.errors_url && (
        <p>
          <a href={record.errors_url} download className="button">
            {t("imports.run.errorsReport", { count: record.errors })}
          </a>{" "}
          <span className="muted">{t("imports.run.errorsHint")}</span>
        </p>
      )}
      {finished && <UndoControl record={record} />}
      {!isActive(record.status) && (
        <p className="actions actions--start">
          <Link to={`/${record.entity}`}>{t("imports.run.openList", { entity: t(`imports.entity.${record.entity as Entity}`).toLowerCase() })}</Link>
          <Link to={`/imports?entity=${record.entity}`}>{t("imports.run.another")}</Link>
        </p>
      )}
    </section>
  );
}

function Count({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** Undo, asked for once more in place (what it does is spelled out), for a finished import. */
function UndoControl({ record, compact = false }: { record: ImportRecord; compact?: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const undo = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/imports/{import_id}/undo", { params: { path: { import_id: record.id } } })),
    onSuccess: async (next) => {
      setAsking(false);
      client.setQueryData(importKeys.one(record.id), next);
      await client.invalidateQueries({ queryKey: importKeys.all });
    },
  });
  if (!isUndoable(record)) return null;
  const failure = undo.error ? (isApiError(undo.error) ? undo.error.message : t("errors.unexpected")) : null;
  return (
    <div className={compact ? "undo undo--compact" : "undo"}>
      {!asking ? (
        <button type="button" className="button" aria-label={compact ? t("imports.undo.actionFor", { filename: record.filename }) : undefined} onClick={() => setAsking(true)}>
          {t("imports.undo.action")}
        </button>
      ) : (
        <div role="group" aria-label={t("imports.undo.actionFor", { filename: record.filename })} className="undo__confirm">
          <p>{t("imports.undo.confirm")}</p>
          <div className="actions actions--start">
            <button type="button" className="button button--primary" disabled={undo.isPending} onClick={() => undo.mutate()}>
              {undo.isPending ? t("imports.undo.undoing") : t("imports.undo.yes")}
            </button>
            <button type="button" className="button" onClick={() => setAsking(false)}>
              {t("imports.undo.no")}
            </button>
          </div>
        </div>
      )}
      {failure && (
        <p role="alert" className="form-error">
          {failure}
        </p>
      )}
    </div>
  );
}

function History() {
  const { t, i18n } = useTranslation();
  const n = useNumber();
  const history = useImportHistory();
  const users = useUsers();
  const nameOf = (id: string) => users.data?.find((u) => u.id === id)?.name ?? "";
  return (
    <section className="panel" aria-labelledby="import-history-title">
      <h2 id="import-history-title">{t("imports.history.title")}</h2>
      <QueryState query={history}>
        {(data) => {
          const items = data.pages.flatMap((p) => p.items);
          if (items.length === 0) return <p className="empty">{t("imports.history.empty")}</p>;
          return (
            <>
              <div className="table-scroll">
                <table className="table">
                  <caption className="visually-hidden">{t("imports.history.title")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("imports.history.file")}</th>
                      <th scope="col">{t("imports.history.entity")}</th>
                      <th scope="col">{t("imports.history.by")}</th>
                      <th scope="col">{t("imports.history.when")}</th>
                      <th scope="col">{t("imports.history.status")}</th>
                      <th scope="col">{t("imports.history.counts")}</th>
                      <th scope="col">{t("imports.history.actions")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((item) => (
                      <tr key={item.id}>
                        <td>
                          <Link to={`/imports/${item.id}`} aria-label={t("imports.history.openFor", { filename: item.filename })}>
                            {item.filename}
                          </Link>
                        </td>
                        <td>{t(`imports.entity.${item.entity as Entity}`)}</td>
                        <td>{nameOf(item.created_by)}</td>
                        <td>{formatDateTime(item.started_at ?? item.created_at, i18n.language)}</td>
                        <td>{t(`imports.status.${item.status as "running"}`, { defaultValue: item.status })}</td>
                        <td>
                          {[item.created, item.updated, item.skipped, item.failed].map((c) => n(c)).join(" / ")}
                        </td>
                        <td>
                          <UndoControl record={item} compact />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <LoadMore
                hasMore={history.hasNextPage}
                loading={history.isFetchingNextPage}
                onMore={() => {
                  if (!history.isFetchingNextPage) void history.fetchNextPage();
                }}
                label={t("imports.history.more")}
              />
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
