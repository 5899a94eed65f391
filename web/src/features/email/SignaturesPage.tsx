/**
 * Settings → Email → Signatures (EM-5): name and HTML, edited in a textarea beside a live preview
 * (a sandboxed frame: no script runs, nothing reaches this page).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { isApiError } from "../../api/errors";
import { useRights } from "../../app/rights";
import { useApi } from "../../app/session";
import { Field, Form, FormError, TextAreaField, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { emailKeys, useSignatures, type Signature } from "./api";
import { EmailTabs } from "./EmailTabs";
import { HtmlFrame } from "./HtmlFrame";

export function SignaturesPage() {
  const { t } = useTranslation();
  const signatures = useSignatures();
  const [editing, setEditing] = useState<Signature | "new" | null>(null);
  const [notice, setNotice] = useState("");
  const rights = useRights();
  const manage = rights.isAdmin;
  return (
    <>
      <EmailTabs />
      <h1>{t("email.signatures.title")}</h1>
      <p>{t("email.signatures.intro")}</p>
      <p role="status" className="settings__saved">{notice}</p>
      {editing ? (
        <SignatureForm
          key={editing === "new" ? "new" : editing.id}
          signature={editing === "new" ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSaved={(text) => {
            setEditing(null);
            setNotice(text);
          }}
        />
      ) : manage ? (
        <div className="actions">
          <button type="button" className="button button--primary" onClick={() => { setNotice(""); setEditing("new"); }}>
            {t("email.signatures.new")}
          </button>
        </div>
      ) : (
        rights.loaded && <p className="notice">{t("email.signatures.adminOnly")}</p>
      )}
      <QueryState query={signatures}>
        {(items) =>
          items.length === 0 ? (
            <p>{t("email.signatures.none")}</p>
          ) : (
            <ul className="email-signatures">
              {items.map((s) => (
                <SignatureItem key={s.id} signature={s} manage={manage} onEdit={() => { setNotice(""); setEditing(s); }} onNotice={setNotice} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}

function SignatureItem({
  signature,
  manage,
  onEdit,
  onNotice,
}: {
  signature: Signature;
  manage: boolean;
  onEdit: () => void;
  onNotice: (text: string) => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const name = signature.name;
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/email/signatures/{signature_id}", { params: { path: { signature_id: signature.id } } })),
    onSuccess: async () => {
      onNotice(t("email.signatures.deleted", { name }));
      await client.invalidateQueries({ queryKey: emailKeys.signatures });
    },
  });
  return (
    <li className="card email-signature">
      <h2>{name}</h2>
      <HtmlFrame html={signature.html} title={t("email.signatures.previewOf", { name })} />
      {remove.isError && (
        <p role="alert" className="form-error">
          {isApiError(remove.error) ? remove.error.message : t("errors.unexpected")}
        </p>
      )}
      {manage && <div className="actions">
        <button type="button" className="button" onClick={onEdit} aria-label={t("email.signatures.editOne", { name })}>
          {t("email.edit")}
        </button>
        <button type="button" className="button button--danger" disabled={remove.isPending} aria-label={t("email.signatures.deleteOne", { name })}
          onClick={() => {
            if (window.confirm(t("email.signatures.confirmDelete", { name }))) remove.mutate();
          }}>
          {t("email.delete")}
        </button>
      </div>}
    </li>
  );
}

function SignatureForm({ signature, onCancel, onSaved }: { signature?: Signature; onCancel: () => void; onSaved: (notice: string) => void }) {
  const { t } = useTranslation();
  const api = useApi();
  const client = useQueryClient();
  const [name, setName] = useState(signature?.name ?? "");
  const [html, setHtml] = useState(signature?.html ?? "");
  const save = useMutation({
    mutationFn: () =>
      signature
        ? unwrap(
            api.PATCH("/v1/email/signatures/{signature_id}", {
              params: { path: { signature_id: signature.id } },
              body: { name, html, version: signature.version },
            }),
          )
        : unwrap(api.POST("/v1/email/signatures", { body: { name, html } })),
    onSuccess: async (saved) => {
      await client.invalidateQueries({ queryKey: emailKeys.signatures });
      onSaved(t(signature ? "email.signatures.updated" : "email.signatures.created", { name: saved.name }));
    },
  });
  const errors = useFormErrors(save.error, ["name", "html"]);
  const title = signature ? t("email.signatures.editTitle") : t("email.signatures.newTitle");
  return (
    <section className="card" aria-labelledby="signature-form-heading">
      <h2 id="signature-form-heading">{title}</h2>
      <Form error={save.error} label={title} onSubmit={() => save.mutate()}>
        <FormError message={errors.form} />
        <Field label={t("email.signatures.name")} name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.field("name")} />
        <div className="email-editor">
          <TextAreaField label={t("email.signatures.html")} name="html" rows={8} value={html} hint={t("email.signatures.htmlHint")}
            onChange={(e) => setHtml(e.target.value)} error={errors.field("html")} />
          <div>
            <p className="email-editor__label">{t("email.signatures.preview")}</p>
            <HtmlFrame html={html} title={t("email.signatures.preview")} />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("email.saving") : t("email.save")}
          </button>
          <button type="button" className="button" onClick={onCancel}>{t("email.cancel")}</button>
        </div>
      </Form>
    </section>
  );
}
