/**
 * i18n: English and French catalogues (en.ts is the source of the keys; fr.ts is checked against
 * it, so a missing translation fails the type check). The language comes from the signed-in
 * user's profile (`language`), else the last choice on this browser, else the browser's own.
 */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

import en from "./en";
import fr from "./fr";

type Strings<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };
export type Catalogue = Strings<typeof en>;

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "crm.language";

export function toLanguage(value: string | null | undefined): Language | undefined {
  const base = value?.slice(0, 2).toLowerCase();
  return LANGUAGES.find((language) => language === base);
}

export function initialLanguage(): Language {
  const stored = typeof localStorage === "undefined" ? null : localStorage.getItem(STORAGE_KEY);
  const browser = typeof navigator === "undefined" ? undefined : navigator.language;
  return toLanguage(stored) ?? toLanguage(browser) ?? "en";
}

export async function setLanguage(language: Language): Promise<void> {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
  await i18n.changeLanguage(language);
}

export function setupI18n(language: Language = initialLanguage()) {
  if (!i18n.isInitialized) {
    void i18n.use(initReactI18next).init({
      resources: { en: { translation: en }, fr: { translation: fr } },
      lng: language,
      fallbackLng: "en",
      interpolation: { escapeValue: false }, // React escapes
      returnNull: false,
    });
    if (typeof document !== "undefined") document.documentElement.lang = language;
  }
  return i18n;
}

declare module "i18next" {
  interface CustomTypeOptions {
    resources: { translation: typeof en };
  }
}
