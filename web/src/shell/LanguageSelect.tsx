import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../api/client";
import { ME, useSession } from "../app/session";
import { LANGUAGES, setLanguage, toLanguage, type Language } from "../i18n";

/** EN/FR; when signed in, the choice is saved in the profile (PATCH /v1/me `language`). */
export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const { api, signedIn } = useSession();
  const queryClient = useQueryClient();
  const id = useId();
  const save = useMutation({
    mutationFn: (language: Language) => unwrap(api.PATCH("/v1/me", { body: { language } })),
    onSuccess: (me) => queryClient.setQueryData(ME, me),
  });
  const current = toLanguage(i18n.language) ?? "en";
  return (
    <div className="language">
      <label htmlFor={id}>{t("language.label")}</label>
      <select
        id={id}
        value={current}
        onChange={(event) => {
          const language = event.target.value as Language;
          void setLanguage(language);
          if (signedIn) save.mutate(language);
        }}
      >
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
