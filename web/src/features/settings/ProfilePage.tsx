/** The profile (GET|PATCH /v1/me, POST /v1/me/avatar): language, picture, phones, extension, zone, week, telephony. */
import { useMutation, useQueryClient, type UseMutationResult } from "@tanstack/react-query";
import { useState, type ChangeEvent } from "react";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { ME, useApi, useMe } from "../../app/session";
import { Field, Form, FormError, useFormErrors } from "../../components/forms";
import { QueryState } from "../../components/QueryState";
import { LANGUAGES, setLanguage, toLanguage, type Language } from "../../i18n";
import { SavedStatus, SelectField, TimezoneSelect, isConflict, useSavedFlag } from "./common";

type Me = Schemas["MeOut"];
const MODES = ["webphone", "softphone", "webphone_working_hours"] as const;
type Mode = (typeof MODES)[number];
const AVATAR_TYPES = ["image/png", "image/jpeg", "image/webp"] as const;
type AvatarType = (typeof AVATAR_TYPES)[number];
const MAX_PHONES = 5;

interface Values {
  name: string;
  language: Language;
  extension: string;
  phones: string[];
  timezone: string;
  week_start: "monday" | "sunday";
  telephony_mode: Mode;
}

function valuesOf(me: Me): Values {
  return {
    name: me.name,
    language: toLanguage(me.language) ?? "en",
    extension: me.extension ?? "",
    phones: me.phones.length ? [...me.phones] : [],
    timezone: me.timezone ?? "",
    week_start: me.week_start === "sunday" ? "sunday" : "monday",
    telephony_mode: (MODES as readonly string[]).includes(me.telephony_mode) ? (me.telephony_mode as Mode) : "webphone",
  };
}

export function ProfilePage() {
  const { t } = useTranslation();
  const api = useApi();
  const me = useMe();
  const queryClient = useQueryClient();
  const flag = useSavedFlag();
  // The form starts again from the server's profile after a conflict (not when the avatar bumps the version).
  const [resets, setResets] = useState(0);
  const save = useMutation({
    mutationFn: ({ values, version }: { values: Values; version: number }) =>
      unwrap(
        api.PATCH("/v1/me", {
          body: {
            version,
            name: values.name,
            language: values.language,
            extension: values.extension.trim() || null,
            phones: values.phones.map((p) => p.trim()).filter(Boolean),
            timezone: values.timezone || null,
            week_start: values.week_start,
            telephony_mode: values.telephony_mode,
          },
        }),
      ),
    onSuccess: async (profile, { values }) => {
      queryClient.setQueryData(ME, profile);
      flag.show();
      await setLanguage(values.language);
    },
    onError: async (error) => {
      if (!isConflict(error)) return;
      await queryClient.invalidateQueries({ queryKey: ME });
      setResets((n) => n + 1);
    },
  });
  return (
    <>
      <h1>{t("settings.profile.title")}</h1>
      <QueryState query={me}>
        {(profile) => (
          <>
            <Avatar profile={profile} />
            <ProfileForm key={resets} profile={profile} save={save} flag={flag} />
          </>
        )}
      </QueryState>
    </>
  );
}

function ProfileForm({
  profile,
  save,
  flag,
}: {
  profile: Me;
  save: UseMutationResult<Me, Error, { values: Values; version: number }>;
  flag: ReturnType<typeof useSavedFlag>;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState(() => valuesOf(profile));
  const phoneFields = values.phones.map((_, i) => `phones[${i}]`);
  const errors = useFormErrors(save.error, ["name", "language", "extension", "phones", "timezone", "week_start", "telephony_mode", ...phoneFields]);
  const set = (patch: Partial<Values>) => {
    flag.hide();
    setValues({ ...values, ...patch });
  };
  return (
    <section className="card" aria-labelledby="profile-form-heading">
      <h2 id="profile-form-heading">{t("settings.profile.form")}</h2>
      <Form error={save.error} label={t("settings.profile.form")} onSubmit={() => save.mutate({ values, version: profile.version })}>
        <FormError message={isConflict(save.error) ? t("settings.conflict") : errors.form} />
        <Field label={t("settings.profile.name")} name="name" value={values.name} required autoComplete="name"
          onChange={(e) => set({ name: e.target.value })} error={errors.field("name")} />
        <dl className="details">
          <dt>{t("settings.profile.email")}</dt>
          <dd>{profile.email}</dd>
        </dl>
        <SelectField label={t("settings.profile.language")} hint={t("settings.profile.languageHint")} value={values.language}
          error={errors.field("language")} onChange={(e) => set({ language: e.target.value as Language })}>
          {LANGUAGES.map((language) => (
            <option key={language} value={language} lang={language}>
              {t(`language.${language}`)}
            </option>
          ))}
        </SelectField>
        <Field label={t("settings.profile.extension")} name="extension" value={values.extension} inputMode="numeric"
          hint={t("settings.profile.extensionHint")} onChange={(e) => set({ extension: e.target.value })}
          error={errors.field("extension")} />
        <fieldset className="settings__group">
          <legend>{t("settings.profile.phones")}</legend>
          {errors.field("phones") && <p className="field__error">{errors.field("phones")}</p>}
          {values.phones.map((phone, i) => (
            <div className="settings__row" key={i}>
              <Field label={t("settings.profile.phone", { n: i + 1 })} name={`phone-${i}`} type="tel" value={phone}
                autoComplete="tel" error={errors.field(`phones[${i}]`)}
                onChange={(e) => set({ phones: values.phones.map((p, k) => (k === i ? e.target.value : p)) })} />
              <button type="button" className="button" onClick={() => set({ phones: values.phones.filter((_, k) => k !== i) })}>
                {t("settings.profile.removePhone", { n: i + 1 })}
              </button>
            </div>
          ))}
          {values.phones.length < MAX_PHONES && (
            <button type="button" className="button settings__add" onClick={() => set({ phones: [...values.phones, ""] })}>
              {t("settings.profile.addPhone")}
            </button>
          )}
        </fieldset>
        <TimezoneSelect label={t("settings.timezone.label")} value={values.timezone} error={errors.field("timezone")}
          onChange={(timezone) => set({ timezone })} />
        <SelectField label={t("settings.profile.weekStart")} value={values.week_start} error={errors.field("week_start")}
          onChange={(e) => set({ week_start: e.target.value as Values["week_start"] })}>
          <option value="monday">{t("settings.profile.monday")}</option>
          <option value="sunday">{t("settings.profile.sunday")}</option>
        </SelectField>
        <fieldset className="settings__group">
          <legend>{t("settings.profile.telephonyMode")}</legend>
          {MODES.map((mode) => (
            <label key={mode} className="settings__check">
              <input type="radio" name="telephony_mode" value={mode} checked={values.telephony_mode === mode}
                onChange={() => set({ telephony_mode: mode })} />
              {t(`settings.profile.modes.${mode}`)}
            </label>
          ))}
          {errors.field("telephony_mode") && <p className="field__error">{errors.field("telephony_mode")}</p>}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("settings.saving") : t("settings.save")}
          </button>
          <SavedStatus saved={flag.saved} />
        </div>
      </Form>
    </section>
  );
}

/** The picture: a presigned POST from the API, then the file straight to storage. */
function Avatar({ profile }: { profile: Me }) {
  const { t } = useTranslation();
  const api = useApi();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const target = await unwrap(api.POST("/v1/me/avatar", { body: { content_type: file.type as AvatarType } }));
      const form = new FormData();
      for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
      form.append("file", file);
      const response = await fetch(target.upload_url, { method: "POST", body: form });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ME }),
  });
  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (!file) return;
    setProblem(null);
    if (!(AVATAR_TYPES as readonly string[]).includes(file.type)) return setProblem(t("settings.profile.avatarType"));
    if (file.size > 2 * 1024 * 1024) return setProblem(t("settings.profile.avatarTooBig"));
    upload.mutate(file);
  };
  const failed = upload.error ? t("settings.profile.avatarFailed", { message: upload.error.message }) : problem;
  return (
    <section className="card settings__avatar" aria-labelledby="avatar-heading">
      <h2 id="avatar-heading">{t("settings.profile.avatar")}</h2>
      {profile.avatar_url ? (
        <img src={profile.avatar_url} alt={t("settings.profile.avatarAlt")} width={96} height={96} />
      ) : (
        <p>{t("settings.profile.avatarNone")}</p>
      )}
      <div className="field">
        <label htmlFor="avatar-file">{t("settings.profile.avatarUpload")}</label>
        <input id="avatar-file" type="file" accept={AVATAR_TYPES.join(",")} onChange={choose}
          aria-describedby="avatar-hint" disabled={upload.isPending} />
        <p id="avatar-hint" className="field__hint">{t("settings.profile.avatarHint")}</p>
      </div>
      <p role="status">{upload.isPending ? t("settings.profile.avatarUploading") : upload.isSuccess ? t("settings.profile.avatarDone") : ""}</p>
      {failed && <p role="alert" className="field__error">{failed}</p>}
    </section>
  );
}
