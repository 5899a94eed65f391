/**
 * The main navigation: one entry per screen that exists. A new section adds its route in
 * App.tsx and its entry here (with its label in the catalogues).
 */
import type { ParseKeys } from "i18next";

export interface NavItem {
  to: string;
  label: ParseKeys;
  end?: boolean;
}

export const NAV: NavItem[] = [
  { to: "/", label: "shell.home", end: true },
  { to: "/leads", label: "contacts.nav.leads" },
  { to: "/clients", label: "contacts.nav.clients" },
  { to: "/deals", label: "deals.nav" },
  { to: "/tasks", label: "tasks.nav" },
  { to: "/calendar", label: "tasks.calendar.nav" },
  { to: "/sms", label: "sms.nav" },
  { to: "/calls", label: "calls.nav" },
  { to: "/autodial", label: "calls.autodial.nav" },
  { to: "/settings", label: "settings.nav" },
  { to: "/team", label: "team.nav" },
  { to: "/analytics", label: "analytics.nav" },
];
