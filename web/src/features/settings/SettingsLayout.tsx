/** The settings frame: a heading and the sections' sub-navigation (admin sections only for admins). */
import type { ParseKeys } from "i18next";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";

import { useRights, type Right } from "../../app/rights";

interface Section {
  to: string;
  label: ParseKeys;
  right?: Right;
}

export const SECTIONS: Section[] = [
  { to: "/settings/profile", label: "settings.tabs.profile" },
  { to: "/settings/working-hours", label: "settings.tabs.workingHours" },
  { to: "/settings/company", label: "settings.tabs.company", right: "admin" },
  { to: "/settings/telephony", label: "settings.tabs.telephony", right: "admin" },
  { to: "/settings/properties", label: "settings.tabs.properties" },
  { to: "/settings/source-tags", label: "settings.tabs.sourceTags" },
  { to: "/settings/email", label: "email.tab" },
  { to: "/settings/api-keys", label: "integrations.tabs.apiKeys" },
  { to: "/settings/webhooks", label: "integrations.tabs.webhooks" },
  { to: "/settings/calendar", label: "integrations.tabs.calendar" },
];

export function SettingsLayout() {
  const { t } = useTranslation();
  const rights = useRights();
  return (
    <div className="settings">
      <p className="settings__kicker">{t("settings.title")}</p>
      <nav className="settings__nav" aria-label={t("settings.sections")}>
        <ul>
          {SECTIONS.filter((section) => !section.right || rights.can(section.right)).map((section) => (
            <li key={section.to}>
              <NavLink to={section.to}>{t(section.label)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings__body">
        <Outlet />
      </div>
    </div>
  );
}
