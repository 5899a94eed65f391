import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

/** The team screens' heading: users / groups switch. */
export function TeamHead() {
  const { t } = useTranslation();
  return (
    <div className="team__head">
      <h1>{t("team.title")}</h1>
      <nav aria-label={t("team.tabs")} className="team__tabs">
        <NavLink to="/team" end>
          {t("team.usersTab")}
        </NavLink>
        <NavLink to="/team/groups">{t("team.groupsTab")}</NavLink>
      </nav>
    </div>
  );
}
