/** Custom properties (GET /v1/properties for all; POST|PATCH|DELETE for administrators). */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { SelectField } from "./common";

export const PROPERTIES = ["properties"] as const;
type Property = Schemas["PropertyOut"];
type Kind = Schemas["PropertyKind"];
const KINDS: Kind[] = ["text", "number", "date", "select"];

const lines = (text: string) => text.split("\n").map((line) => line.trim()).filter(Boolean);

export function PropertiesPage() {
  const { t } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const list = useInfiniteQuery({
    queryKey: PROPERTIES,
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/properties", { params: { query: { limit: 100, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
  });
  return (
    <>
      <h1>{t("settings.properties.title")}</h1>
      <p>{t("settings.properties.intro")}</p>
      {rights.loaded && !rights.isAdmin && <p className="notice">{t("settings.properties.adminOnly")}</p>}
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((page) => page.items);
          return (
            <section className="card" aria-labelledby="properties-heading">
              <h2 id="properties-heading">{t("settings.properties.list")}</h2>
              {items.length === 0 ? (
                <p>{t("settings.properties.none")}</p>
              ) : (
                <table className="settings__table">
                  <thead>
                    <tr>
                      <th scope="col">{t("settings.properties.titleField")}</th>
                      <th scope="col">{t("settings.properties.key")}</th>
                      <th scope="col">{t("settings.properties.kind")}</th>
                      <th scope="col">{t("settings.properties.options")}</th>
                      {rights.isAdmin && <td />}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((property) => (
                      <PropertyRow key={property.id} property={property} editable={rights.isAdmin} />
                    ))}
                  </tbody>
                </table>
              )}
              {list.hasNextPage && (
                <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {t("settings.properties.more")}
                </button>
              )}
            </section>
          );
        }}
      </QueryState>
      {rights.isAdmin && <NewProperty />}
    </>
  );
}

function PropertyRow({ property, editable }: { property: Property; editable: boolean }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"view" | "edit" | "delete">("view");
  const [title, setTitle] = useState(property.title);
  const [options, setOptions] = useState(property.options.join("\n"));
  const update = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/v1/properties/{property_id}", {
          params: { path: { property_id: property.id } },
          body: { version: property.version, title, ...(property.kind === "select" ? { options: lines(options) } : {}) },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: PROPERTIES });
      setMode("view");
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/properties/{property_id}", { params: { path: { property_id: property.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: PROPERTIES }),
  });
  const errors = useFormErrors(update.error, ["title", "options"]);
  const removeErrors = useFormErrors(remove.error, []);
  if (mode === "edit") {
    return (
      <tr>
        <td colSpan={5}>
          <Form error={update.error} label={t("settings.properties.editTitle", { title: property.title })} onSubmit={() => update.mutate()}>
            <FormError message={errors.form} />
            <Field label={t("settings.properties.titleField")} name="title" value={title} onChange={(e) => setTitle(e.target.value)}
              error={errors.field("title")} />
            {property.kind === "select" && (
              <OptionsField value={options} onChange={setOptions} error={errors.field("options")} />
            )}
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={update.isPending}>{t("settings.save")}</button>
              <button type="button" className="button" onClick={() => setMode("view")}>{t("settings.cancel")}</button>
            </div>
          </Form>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <th scope="row">{property.title}</th>
      <td><code>{property.key}</code></td>
      <td>{t(`settings.properties.kinds.${property.kind as Kind}`)}</td>
      <td>{property.options.join(", ")}</td>
      {editable && (
        <td className="settings__cell-actions">
          {mode === "delete" ? (
            <div role="group" aria-label={t("settings.properties.remove", { title: property.title })}>
              <p>{t("settings.properties.confirmRemove", { title: property.title })}</p>
              <FormError message={removeErrors.form} />
              <button type="button" className="button" onClick={() => remove.mutate()} disabled={remove.isPending}>
                {t("settings.properties.confirm")}
              </button>
              <button type="button" className="button" onClick={() => { remove.reset(); setMode("view"); }}>{t("settings.cancel")}</button>
            </div>
          ) : (
            <>
              <button type="button" className="button" onClick={() => setMode("edit")}>
                {t("settings.properties.edit", { title: property.title })}
              </button>
              <button type="button" className="button" onClick={() => setMode("delete")}>
                {t("settings.properties.remove", { title: property.title })}
              </button>
            </>
          )}
        </td>
      )}
    </tr>
  );
}

function OptionsField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error: string | undefined }) {
  const { t } = useTranslation();
  const id = useId();
  return (
    <div className={error ? "field field--invalid" : "field"}>
      <label htmlFor={id}>{t("settings.properties.options")}</label>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined} aria-describedby={`${id}-hint`} />
      <p id={`${id}-hint`} className="field__hint">{t("settings.properties.optionsHint")}</p>
      {error && <p className="field__error">{error}</p>}
    </div>
  );
}

function NewProperty() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [title, setTitle] = useState("");
  const [kind, setKind] = useState<Kind>("text");
  const [options, setOptions] = useState("");
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/v1/properties", { body: { key, title, kind, options: kind === "select" ? lines(options) : null } })),
    onSuccess: async () => {
      setKey("");
      setTitle("");
      setOptions("");
      await queryClient.invalidateQueries({ queryKey: PROPERTIES });
    },
  });
  const errors = useFormErrors(create.error, ["key", "title", "kind", "options"]);
  return (
    <section className="card" aria-labelledby="new-property-heading">
      <h2 id="new-property-heading">{t("settings.properties.createTitle")}</h2>
      <Form error={create.error} label={t("settings.properties.createTitle")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="settings__row">
          <Field label={t("settings.properties.titleField")} name="title" value={title} onChange={(e) => setTitle(e.target.value)}
            error={errors.field("title")} />
          <Field label={t("settings.properties.key")} name="key" value={key} hint={t("settings.properties.keyHint")}
            onChange={(e) => setKey(e.target.value)} error={errors.field("key")} />
          <SelectField label={t("settings.properties.kind")} value={kind} error={errors.field("kind")}
            onChange={(e) => setKind(e.target.value as Kind)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>{t(`settings.properties.kinds.${k}`)}</option>
            ))}
          </SelectField>
        </div>
        {kind === "select" && <OptionsField value={options} onChange={setOptions} error={errors.field("options")} />}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t("settings.properties.create")}</button>
        </div>
      </Form>
    </section>
  );
}
