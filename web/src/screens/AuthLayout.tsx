import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { LanguageSelect } from "../shell/LanguageSelect";

/** The frame of the signed-out screens: a centred card with the product name and the language. */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth">
      <header className="auth__header">
        <span className="brand">{t("app.name")}</span>
        <LanguageSelect />
      </header>
      <main className="auth__card" id="main">
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
