/** Source tags (GET /v1/source-tags; creating, renaming and deleting need customers_create/edit/delete). */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { SelectField } from "./common";

export const SOURCE_TAGS = ["source-tags"] as const;
type SourceTag = Schemas["SourceTagOut"];
type Param = Schemas["SourceParam"];
const PARAMS: Param[] = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "phone", "custom"];

export function SourceTagsPage() {
  const { t, i18n } = useTranslation();
  const api = useApi();
  const rights = useRights();
  const list = useInfiniteQuery({
    queryKey: SOURCE_TAGS,
    queryFn: ({ pageParam }) => unwrap(api.GET("/v1/source-tags", { params: { query: { limit: 100, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
  });
  const number = new Intl.NumberFormat(i18n.language);
  const canEdit = rights.can("customers_edit");
  const canDelete = rights.can("customers_delete");
  return (
    <>
      <h1>{t("settings.sources.title")}</h1>
      <p>{t("settings.sources.intro")}</p>
      <QueryState query={list}>
        {(data) => {
          const items = data.pages.flatMap((page) => page.items);
          return (
            <section className="card" aria-labelledby="sources-heading">
              <h2 id="sources-heading">{t("settings.sources.list")}</h2>
              {items.length === 0 ? (
                <p>{t("settings.sources.none")}</p>
              ) : (
                <table className="settings__table">
                  <thead>
                    <tr>
                      <th scope="col">{t("settings.sources.displayValue")}</th>
                      <th scope="col">{t("settings.sources.param")}</th>
                      <th scope="col">{t("settings.sources.value")}</th>
                      <th scope="col" className="settings__num">{t("settings.sources.clients")}</th>
                      <th scope="col" className="settings__num">{t("settings.sources.leads")}</th>
                      {(canEdit || canDelete) && <td />}
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((tag) => (
                      <SourceTagRow key={tag.id} tag={tag} canEdit={canEdit} canDelete={canDelete} format={(n) => number.format(n)} />
                    ))}
                  </tbody>
                </table>
              )}
              {list.hasNextPage && (
                <button type="button" className="button" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                  {t("settings.sources.more")}
                </button>
              )}
            </section>
          );
        }}
      </QueryState>
      {rights.loaded && (rights.can("customers_create") ? <NewSourceTag /> : <p className="notice">{t("settings.sources.noCreate")}</p>)}
    </>
  );
}

function SourceTagRow({
  tag,
  canEdit,
  canDelete,
  format,
}: {
  tag: SourceTag;
  canEdit: boolean;
  canDelete: boolean;
  format: (n: number) => string;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<"view" | "edit" | "delete">("view");
  const [display, setDisplay] = useState(tag.display_value);
  const rename = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/v1/source-tags/{source_tag_id}", {
          params: { path: { source_tag_id: tag.id } },
          body: { version: tag.version, display_value: display },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: SOURCE_TAGS });
      setMode("view");
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/source-tags/{source_tag_id}", { params: { path: { source_tag_id: tag.id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SOURCE_TAGS }),
  });
  const errors = useFormErrors(rename.error, ["display_value"]);
  const removeErrors = useFormErrors(remove.error, []);
  const name = tag.display_value;
  return (
    <tr>
      <th scope="row">
        {mode === "edit" ? (
          <Form error={rename.error} label={t("settings.sources.rename", { name })} onSubmit={() => rename.mutate()}>
            <FormError message={errors.form} />
            <Field label={t("settings.sources.displayValue")} name="display_value" value={display}
              onChange={(e) => setDisplay(e.target.value)} error={errors.field("display_value")} />
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={rename.isPending}>{t("settings.save")}</button>
              <button type="button" className="button" onClick={() => setMode("view")}>{t("settings.cancel")}</button>
            </div>
          </Form>
        ) : (
          name
        )}
      </th>
      <td>{t(`settings.sources.params.${tag.param as Param}`)}</td>
      <td>{tag.value}</td>
      <td className="settings__num">{format(tag.clients)}</td>
      <td className="settings__num">{format(tag.leads)}</td>
      {(canEdit || canDelete) && (
        <td className="settings__cell-actions">
          {mode === "delete" ? (
            <div role="group" aria-label={t("settings.sources.remove", { name })}>
              <p>{t("settings.sources.confirmRemove", { name })}</p>
              <FormError message={removeErrors.form} />
              <button type="button" className="button" onClick={() => remove.mutate()} disabled={remove.isPending}>
                {t("settings.sources.confirm")}
              </button>
              <button type="button" className="button" onClick={() => { remove.reset(); setMode("view"); }}>{t("settings.cancel")}</button>
            </div>
          ) : mode === "view" ? (
            <>
              {canEdit && (
                <button type="button" className="button" onClick={() => setMode("edit")}>{t("settings.sources.rename", { name })}</button>
              )}
              {canDelete && (
                <button type="button" className="button" onClick={() => setMode("delete")}>{t("settings.sources.remove", { name })}</button>
              )}
            </>
          ) : null}
        </td>
      )}
    </tr>
  );
}

function NewSourceTag() {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [param, setParam] = useState<Param>("utm_source");
  const [value, setValue] = useState("");
  const [display, setDisplay] = useState("");
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/source-tags", { body: { param, value, display_value: display.trim() || null } })),
    onSuccess: async () => {
      setValue("");
      setDisplay("");
      await queryClient.invalidateQueries({ queryKey: SOURCE_TAGS });
    },
  });
  const errors = useFormErrors(create.error, ["param", "value", "display_value"]);
  return (
    <section className="card" aria-labelledby="new-source-heading">
      <h2 id="new-source-heading">{t("settings.sources.createTitle")}</h2>
      <Form error={create.error} label={t("settings.sources.createTitle")} onSubmit={() => create.mutate()}>
        <FormError message={errors.form} />
        <div className="settings__row">
          <SelectField label={t("settings.sources.param")} value={param} error={errors.field("param")}
            onChange={(e) => setParam(e.target.value as Param)}>
            {PARAMS.map((p) => (
              <option key={p} value={p}>{t(`settings.sources.params.${p}`)}</option>
            ))}
          </SelectField>
          <Field label={t("settings.sources.value")} name="value" value={value} onChange={(e) => setValue(e.target.value)}
            error={errors.field("value")} />
          <Field label={t("settings.sources.displayValue")} name="display_value" value={display} hint={t("settings.sources.displayHint")}
            onChange={(e) => setDisplay(e.target.value)} error={errors.field("display_value")} />
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t("settings.sources.create")}</button>
        </div>
      </Form>
    </section>
  );
}
