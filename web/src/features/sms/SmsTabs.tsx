import { useTranslation } from "react-i18next";
import { Link, NavLink } from "react-router";

/** The SMS screens' heading: broadcasts / templates and the "new broadcast" action. */
export function SmsTabs({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <div className="sms__head">
      <h1>{title}</h1>
      <nav aria-label={t("sms.views")} className="sms-tabs">
        <NavLink to="/sms" end>
          {t("sms.broadcasts.tab")}
        </NavLink>
        <NavLink to="/sms/templates">{t("sms.templates.tab")}</NavLink>
      </nav>
      <Link className="button button--primary" to="/sms/new">
        {t("sms.compose.action")}
      </Link>
    </div>
  );
}
