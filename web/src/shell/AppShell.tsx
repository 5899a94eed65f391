import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router";

import { rightsOf } from "../app/rights";
import { useMe } from "../app/session";
import { NotificationBell } from "../features/notifications/NotificationBell";
import { SearchBox } from "../features/search/SearchBox";
import { IncomingCallPanel } from "../features/calls-panel/IncomingCallPanel";
import { WebphoneProvider } from "../features/webphone/WebPhone";
import { setLanguage, toLanguage } from "../i18n";
import { NAV } from "./nav";
import { UserMenu } from "./UserMenu";

/** The frame of every signed-in screen: header with the user's menu, navigation, content. */
export function AppShell() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const rights = rightsOf(me.data?.group);

  // The profile's language wins (it may have been changed on another device).
  const profileLanguage = toLanguage(me.data?.language);
  useEffect(() => {
    if (profileLanguage && profileLanguage !== i18n.language) void setLanguage(profileLanguage);
  }, [profileLanguage, i18n]);

  return (
    <WebphoneProvider>
    <div className="shell">
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header className="shell__header">
        <span className="brand">{t("app.name")}</span>
        <SearchBox />
        <div className="shell__tools">
          <NotificationBell />
          <UserMenu />
        </div>
      </header>
      <nav className="shell__nav" aria-label={t("shell.navigation")}>
        <ul>
          {NAV.filter((item) => !item.anyOf || item.anyOf.some((right) => rights.can(right))).map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.end ?? false}>
                {t(item.label)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="shell__main" id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <IncomingCallPanel />
    </div>
    </WebphoneProvider>
  );
}
