import { useTranslation } from "react-i18next";

import { useMe } from "../app/session";
import { QueryState } from "../components/QueryState";

/** The first screen after sign-in: the user's profile summary (until the dashboard lands). */
export function Home() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <QueryState query={me}>
      {(profile) => (
        <>
          <h1>{t("home.title", { name: profile.name })}</h1>
          <section className="card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">{t("home.profile")}</h2>
            <dl className="details">
              <dt>{t("home.email")}</dt>
              <dd>{profile.email}</dd>
              <dt>{t("home.extension")}</dt>
              <dd>{profile.extension ?? t("home.none")}</dd>
              <dt>{t("home.language")}</dt>
              <dd>{profile.language.toUpperCase()}</dd>
              <dt>{t("home.timezone")}</dt>
              <dd>{profile.timezone ?? t("home.none")}</dd>
            </dl>
          </section>
        </>
      )}
    </QueryState>
  );
}
