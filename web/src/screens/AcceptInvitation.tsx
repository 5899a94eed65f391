/** Accept an invitation (an emailed link or a shared one): `/invitations/accept?token=...`. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { unwrap } from "../api/client";
import { useApi } from "../app/session";
import { Field, Form, FormError, useFormErrors } from "../components/forms";
import { AuthLayout } from "./AuthLayout";

const FIELDS = ["name", "email", "password"] as const;

export function AcceptInvitation() {
  const { t } = useTranslation();
  const api = useApi();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const accept = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/v1/invitations/accept", {
          body: { token, name: name.trim(), password, email: email.trim() || null },
        }),
      ),
  });
  const errors = useFormErrors(accept.error, FIELDS);

  if (!token) {
    return (
      <AuthLayout title={t("invitation.title")}>
        <p className="form-error" role="alert">
          {t("invitation.missingToken")}
        </p>
      </AuthLayout>
    );
  }
  if (accept.data) {
    const query = new URLSearchParams({ email: accept.data.email });
    return (
      <AuthLayout title={t("invitation.title")}>
        <p role="status" className="notice">
          {t("invitation.accepted", { name: accept.data.name })}
        </p>
        <Link className="button button--primary" to={`/sign-in?${query}`}>
          {t("invitation.signIn")}
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title={t("invitation.title")}>
      <p>{t("invitation.intro")}</p>
      <Form label={t("invitation.title")} error={accept.error} onSubmit={() => accept.mutate()}>
        {/* A token error (used or expired) names no field of this form: it shows above it. */}
        <FormError message={errors.form} />
        <Field label={t("invitation.name")} name="name" value={name} autoComplete="name"
          onChange={(e) => setName(e.target.value)} error={errors.field("name")} required />
        <Field label={t("invitation.email")} name="email" type="email" value={email} autoComplete="email"
          hint={t("invitation.emailHint")} onChange={(e) => setEmail(e.target.value)} error={errors.field("email")} />
        <Field label={t("invitation.password")} name="password" type="password" value={password}
          autoComplete="new-password" hint={t("invitation.passwordHint")}
          onChange={(e) => setPassword(e.target.value)} error={errors.field("password")} required />
        <button type="submit" className="button button--primary" disabled={accept.isPending}>
          {accept.isPending ? t("invitation.submitting") : t("invitation.submit")}
        </button>
      </Form>
    </AuthLayout>
  );
}
