import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";

import { unwrap } from "../api/client";
import { isApiError } from "../api/errors";
import { useSession } from "../app/session";
import { Field, Form, FormError, useFormErrors } from "../components/forms";
import { AuthLayout } from "./AuthLayout";

const LAST_CRM = "crm.lastCrm";
const FIELDS = ["crm", "email", "password"] as const;

export function SignIn() {
  const { t } = useTranslation();
  const { api, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [crm, setCrm] = useState(() => params.get("crm") ?? localStorage.getItem(LAST_CRM) ?? "");
  const [email, setEmail] = useState(() => params.get("email") ?? "");
  const [password, setPassword] = useState("");

  const login = useMutation({
    mutationFn: () => unwrap(api.POST("/v1/auth/login", { body: { crm: crm.trim(), email: email.trim(), password } })),
    onSuccess: (session) => {
      localStorage.setItem(LAST_CRM, crm.trim());
      signIn(session);
      const from = (location.state as { from?: string } | null)?.from;
      void navigate(from && from.startsWith("/") ? from : "/", { replace: true });
    },
  });
  const errors = useFormErrors(login.error, FIELDS);
  const badCredentials = isApiError(login.error) && login.error.code === "unauthorized";
  const expired = (location.state as { expired?: boolean } | null)?.expired && !login.error;

  return (
    <AuthLayout title={t("signIn.title")}>
      {expired && <p className="notice">{t("errors.sessionExpired")}</p>}
      <Form label={t("signIn.title")} error={login.error} onSubmit={() => login.mutate()}>
        <FormError message={badCredentials ? t("signIn.badCredentials") : errors.form} />
        <Field
          label={t("signIn.crm")}
          name="crm"
          hint={t("signIn.crmHint")}
          value={crm}
          onChange={(e) => setCrm(e.target.value)}
          autoComplete="organization"
          autoCapitalize="none"
          spellCheck={false}
          error={errors.field("crm")}
          required
        />
        <Field
          label={t("signIn.email")}
          name="email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoComplete="username"
          error={errors.field("email")}
          required
        />
        <Field
          label={t("signIn.password")}
          name="password"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          error={errors.field("password")}
          required
        />
        <button type="submit" className="button button--primary" disabled={login.isPending}>
          {login.isPending ? t("signIn.submitting") : t("signIn.submit")}
        </button>
      </Form>
      <p className="auth__alt">
        {t("signIn.noAccount")} <Link to="/create-crm">{t("signIn.createCrm")}</Link>
      </p>
    </AuthLayout>
  );
}
