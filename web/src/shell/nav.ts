/**
 * The main navigation: one entry per screen that exists. A new section adds its route in
 * App.tsx and its entry here (with its label in the catalogues).
 */
import type { ParseKeys } from "i18next";

import type { Right } from "../app/rights";

export interface NavItem {
  to: string;
  label: ParseKeys;
  end?: boolean;
  /** Shown only to a user holding one of these rights (what the screen needs, docs/rights.md). */
  anyOf?: Right[];
}

export const NAV: NavItem[] = [
  { to: "/", label: "shell.home", end: true },
  { to: "/leads", label: "contacts.nav.leads" },
  { to: "/clients", label: "contacts.nav.clients" },
  { to: "/deals", label: "deals.nav" },
  { to: "/tasks", label: "tasks.nav" },
  { to: "/calendar", label: "tasks.calendar.nav" },
  { to: "/calls", label: "calls.nav" },
  { to: "/autodial", label: "calls.autodial.nav" },
  { to: "/sms", label: "sms.nav" },
  { to: "/email/broadcasts", label: "email.broadcast.nav" },
  { to: "/imports", label: "imports.title", anyOf: ["customers_import_export", "leads_import_export"] },
  { to: "/analytics", label: "analytics.nav" },
  { to: "/team", label: "team.nav" },
  { to: "/settings", label: "settings.nav" },
];
