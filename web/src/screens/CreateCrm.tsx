/** The onboarding wizard (ON-1..3): the CRM, its administrator and colleagues, the PBX; one POST /v1/crms. */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";

import { unwrap, type Schemas } from "../api/client";
import { isApiError } from "../api/errors";
import { useSession } from "../app/session";
import { Field, Form, FormError, useFormErrors } from "../components/forms";
import { AuthLayout } from "./AuthLayout";

const STEPS = ["company", "admin", "pbx"] as const;
type Colleague = { name: string; email: string; extension: string };

/** The step that shows an API field (`admin.email` -> admin, `users[0].name` -> admin). */
function stepOf(field: string): number {
  if (field.startsWith("admin") || field.startsWith("users")) return 1;
  if (field.startsWith("pbx")) return 2;
  return 0;
}

function guessTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Paris";
  } catch {
    return "Europe/Paris";
  }
}

export function CreateCrm() {
  const { t } = useTranslation();
  const { api, signIn } = useSession();
  const navigate = useNavigate();
  const [step, setStep] = useState(0);
  const [name, setName] = useState("");
  const [country, setCountry] = useState("FR");
  const [timezone, setTimezone] = useState(guessTimezone);
  const [admin, setAdmin] = useState({ name: "", email: "", password: "", extension: "100" });
  const [users, setUsers] = useState<Colleague[]>([]);
  const [pbx, setPbx] = useState({ api_key: "", api_secret: "" });
  const heading = useRef<HTMLHeadingElement>(null);

  const create = useMutation({
    mutationFn: async () => {
      const body: Schemas["CreateCrmIn"] = {
        name: name.trim(),
        admin: { ...admin, name: admin.name.trim(), email: admin.email.trim() },
        users: users.map((u) => ({ name: u.name.trim(), email: u.email.trim(), extension: u.extension.trim() || null })),
        country: country.trim().toUpperCase(),
        timezone: timezone.trim(),
        pbx: pbx.api_key || pbx.api_secret ? pbx : null,
      };
      const created = await unwrap(api.POST("/v1/crms", { body }));
      // The administrator is signed in at once.
      const session = await unwrap(
        api.POST("/v1/auth/login", { body: { crm: created.crm.slug, email: body.admin.email, password: admin.password } }),
      );
      return { created, session };
    },
    onSuccess: ({ created, session }) => {
      localStorage.setItem("crm.lastCrm", created.crm.slug);
      signIn(session);
      void navigate("/", { replace: true });
    },
  });

  // An error on a field of an earlier step shows that step.
  useEffect(() => {
    if (isApiError(create.error) && create.error.field) setStep(stepOf(create.error.field));
  }, [create.error]);
  useEffect(() => heading.current?.focus(), [step]);

  const fields = [
    "name",
    "country",
    "timezone",
    "admin.name",
    "admin.email",
    "admin.password",
    "admin.extension",
    "pbx.api_key",
    "pbx.api_secret",
    "pbx",
    ...users.flatMap((_, i) => [`users[${i}].name`, `users[${i}].email`, `users[${i}].extension`, `users[${i}]`]),
  ];
  const errors = useFormErrors(create.error, fields);
  const last = step === STEPS.length - 1;
  const setUser = (index: number, change: Partial<Colleague>) =>
    setUsers((all) => all.map((u, i) => (i === index ? { ...u, ...change } : u)));

  return (
    <AuthLayout title={t("createCrm.title")}>
      <ol className="steps" aria-label={t("createCrm.step", { current: step + 1, total: STEPS.length })}>
        {STEPS.map((key, index) => (
          <li key={key} aria-current={index === step ? "step" : undefined} className={index === step ? "steps__current" : undefined}>
            {t(`createCrm.steps.${key}`)}
          </li>
        ))}
      </ol>
      <Form
        label={t("createCrm.title")}
        error={create.error}
        onSubmit={() => (last ? create.mutate() : setStep(step + 1))}
      >
        <h2 ref={heading} tabIndex={-1}>
          {t("createCrm.step", { current: step + 1, total: STEPS.length })}: {t(`createCrm.steps.${STEPS[step]!}`)}
        </h2>
        <FormError message={errors.form} />
        {step === 0 && (
          <>
            <Field label={t("createCrm.name")} name="name" hint={t("createCrm.nameHint")} value={name}
              onChange={(e) => setName(e.target.value)} error={errors.field("name")} autoComplete="organization" required />
            <Field label={t("createCrm.country")} name="country" value={country} maxLength={2}
              onChange={(e) => setCountry(e.target.value)} error={errors.field("country")} autoComplete="country" />
            <Field label={t("createCrm.timezone")} name="timezone" value={timezone}
              onChange={(e) => setTimezone(e.target.value)} error={errors.field("timezone")} />
          </>
        )}
        {step === 1 && (
          <>
            <Field label={t("createCrm.adminName")} name="admin.name" value={admin.name} autoComplete="name"
              onChange={(e) => setAdmin({ ...admin, name: e.target.value })} error={errors.field("admin.name")} required />
            <Field label={t("createCrm.adminEmail")} name="admin.email" type="email" value={admin.email} autoComplete="email"
              onChange={(e) => setAdmin({ ...admin, email: e.target.value })} error={errors.field("admin.email")} required />
            <Field label={t("createCrm.adminPassword")} name="admin.password" type="password" value={admin.password}
              hint={t("createCrm.adminPasswordHint")} autoComplete="new-password"
              onChange={(e) => setAdmin({ ...admin, password: e.target.value })} error={errors.field("admin.password")} required />
            <Field label={t("createCrm.adminExtension")} name="admin.extension" value={admin.extension} inputMode="numeric"
              hint={t("createCrm.adminExtensionHint")}
              onChange={(e) => setAdmin({ ...admin, extension: e.target.value })} error={errors.field("admin.extension")} required />
            <fieldset className="colleagues">
              <legend>{t("createCrm.users")}</legend>
              {users.map((user, i) => (
                <div className="colleague" key={i} role="group" aria-label={t("createCrm.colleague", { n: i + 1 })}>
                  <FormError message={errors.field(`users[${i}]`)} />
                  <Field label={t("createCrm.userName")} name={`users[${i}].name`} value={user.name}
                    onChange={(e) => setUser(i, { name: e.target.value })} error={errors.field(`users[${i}].name`)} />
                  <Field label={t("createCrm.userEmail")} name={`users[${i}].email`} type="email" value={user.email}
                    onChange={(e) => setUser(i, { email: e.target.value })} error={errors.field(`users[${i}].email`)} />
                  <Field label={t("createCrm.userExtension")} name={`users[${i}].extension`} value={user.extension} inputMode="numeric"
                    onChange={(e) => setUser(i, { extension: e.target.value })} error={errors.field(`users[${i}].extension`)} />
                  <button type="button" className="button button--link"
                    onClick={() => setUsers(users.filter((_, j) => j !== i))}>
                    {t("createCrm.removeUser", { n: i + 1 })}
                  </button>
                </div>
              ))}
              <button type="button" className="button"
                onClick={() => setUsers([...users, { name: "", email: "", extension: "" }])}>
                {t("createCrm.addUser")}
              </button>
            </fieldset>
          </>
        )}
        {step === 2 && (
          <>
            <p>{t("createCrm.pbxIntro")}</p>
            <FormError message={errors.field("pbx")} />
            <Field label={t("createCrm.pbxKey")} name="pbx.api_key" value={pbx.api_key} autoComplete="off"
              onChange={(e) => setPbx({ ...pbx, api_key: e.target.value })} error={errors.field("pbx.api_key")} />
            <Field label={t("createCrm.pbxSecret")} name="pbx.api_secret" type="password" value={pbx.api_secret} autoComplete="off"
              onChange={(e) => setPbx({ ...pbx, api_secret: e.target.value })} error={errors.field("pbx.api_secret")} />
          </>
        )}
        <div className="actions">
          {step > 0 && (
            <button type="button" className="button" onClick={() => setStep(step - 1)}>
              {t("createCrm.back")}
            </button>
          )}
          <button type="submit" className="button button--primary" disabled={create.isPending}>
            {last ? (create.isPending ? t("createCrm.submitting") : t("createCrm.submit")) : t("createCrm.next")}
          </button>
        </div>
      </Form>
      <p className="auth__alt">
        {t("createCrm.haveAccount")} <Link to="/sign-in">{t("createCrm.signIn")}</Link>
      </p>
    </AuthLayout>
  );
}
