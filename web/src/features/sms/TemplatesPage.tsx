/** SMS templates (SM-3): everyone reads them; administrators add, edit and delete them. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { QueryState } from "../../components/QueryState";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { smsKeys, useTemplates, type Template } from "./api";
import { SmsTabs } from "./SmsTabs";
import { SmsText } from "./SmsText";

const FIELDS = ["title", "text"] as const;

export function TemplatesPage() {
  const { t } = useTranslation();
  const rights = useRights();
  const templates = useTemplates();
  const [editing, setEditing] = useState<Template | "new" | null>(null);
  const [notice, setNotice] = useState("");
  return (
    <div className="sms">
      <SmsTabs title={t("sms.templates.title")} />
      <p role="status" className="sms-notice">
        {notice}
      </p>
      {rights.isAdmin ? (
        editing === null && (
          <button type="button" className="button" onClick={() => setEditing("new")}>
            {t("sms.templates.new")}
          </button>
        )
      ) : (
        rights.loaded && <p className="field__hint">{t("sms.templates.adminOnly")}</p>
      )}
      {editing !== null && (
        <TemplateForm
          key={editing === "new" ? "new" : editing.id}
          template={editing === "new" ? undefined : editing}
          onDone={(message) => {
            setEditing(null);
            if (message) setNotice(message);
          }}
        />
      )}
      <QueryState query={templates}>
        {(items) =>
          items.length === 0 ? (
            <p>{t("sms.templates.none")}</p>
          ) : (
            <ul className="sms-templates" aria-label={t("sms.templates.title")}>
              {items.map((tpl) => (
                <TemplateItem
                  key={tpl.id}
                  template={tpl}
                  canManage={rights.isAdmin}
                  onEdit={() => setEditing(tpl)}
                  onDeleted={() => setNotice(t("sms.templates.deleted", { title: tpl.title }))}
                />
              ))}
            </ul>
          )
        }
      </QueryState>
    </div>
  );
}

function TemplateItem({
  template,
  canManage,
  onEdit,
  onDeleted,
}: {
  template: Template;
  canManage: boolean;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/v1/sms-templates/{template_id}", { params: { path: { template_id: template.id } } })),
    onSuccess: onDeleted,
    onSettled: () => client.invalidateQueries({ queryKey: smsKeys.templates }),
  });
  return (
    <li className="card sms-template">
      <h2>{template.title}</h2>
      <p className="sms-template__text">{template.text}</p>
      {remove.isError && (
        <p role="alert" className="form-error">
          {isApiError(remove.error) ? remove.error.message : t("errors.unexpected")}
        </p>
      )}
      {canManage && (
        <div className="actions">
          <button type="button" className="button" onClick={onEdit} aria-label={t("sms.templates.editOne", { title: template.title })}>
            {t("sms.templates.edit")}
          </button>
          <button
            type="button"
            className="button"
            disabled={remove.isPending}
            aria-label={t("sms.templates.deleteOne", { title: template.title })}
            onClick={() => {
              if (window.confirm(t("sms.templates.confirmDelete", { title: template.title }))) remove.mutate();
            }}
          >
            {t("sms.templates.delete")}
          </button>
        </div>
      )}
    </li>
  );
}

function TemplateForm({ template, onDone }: { template: Template | undefined; onDone: (message?: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [title, setTitle] = useState(template?.title ?? "");
  const [text, setText] = useState(template?.text ?? "");
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const save = useMutation({
    mutationFn: () =>
      template
        ? unwrap(
            api.PATCH("/v1/sms-templates/{template_id}", {
              params: { path: { template_id: template.id } },
              body: { title, text, version: template.version },
            }),
          )
        : unwrap(api.POST("/v1/sms-templates", { body: { title, text } })),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: smsKeys.templates });
      onDone(t(template ? "sms.templates.updated" : "sms.templates.created", { title: saved.title }));
    },
  });
  const errors = useFormErrors(save.error, FIELDS);
  const conflict = isApiError(save.error) && save.error.code === "conflict";
  const label = template ? t("sms.templates.editTitle") : t("sms.templates.newTitle");
  return (
    <section className="panel sms-panel" aria-labelledby="sms-template-form">
      <h2 id="sms-template-form" ref={heading} tabIndex={-1}>
        {label}
      </h2>
      <Form error={save.error} label={label} onSubmit={() => save.mutate()}>
        <FormError message={conflict ? t("sms.templates.conflict") : errors.form} />
        <Field
          label={t("sms.templates.titleField")}
          name="title"
          value={title}
          required
          maxLength={100}
          onChange={(e) => setTitle(e.target.value)}
          error={errors.field("title")}
        />
        <SmsText
          label={t("sms.templates.text")}
          value={text}
          onChange={setText}
          required
          error={errors.field("text")}
          hint={t("sms.templates.placeholderHint")}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {t("sms.templates.save")}
          </button>
          <button type="button" className="button" onClick={() => onDone()}>
            {t("sms.cancel")}
          </button>
        </div>
      </Form>
    </section>
  );
}
