/** The email settings' sub-navigation: mailboxes, signatures, exceptions, own domains. */
import { useTranslation } from "react-i18next";
import { NavLink } from "react-router";

const TABS = [
  { to: "/settings/email", label: "email.tabs.integrations", end: true },
  { to: "/settings/email/signatures", label: "email.tabs.signatures" },
  { to: "/settings/email/exceptions", label: "email.tabs.exceptions" },
  { to: "/settings/email/domains", label: "email.tabs.domains" },
] as const;

export function EmailTabs() {
  const { t } = useTranslation();
  return (
    <nav className="email-tabs" aria-label={t("email.views")}>
      <ul>
        {TABS.map((tab) => (
          <li key={tab.to}>
            <NavLink to={tab.to} end={"end" in tab ? tab.end : false}>
              {t(tab.label)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
