/** The settings routes (/settings/*): one lazily loaded chunk, the sub-navigation around each section. */
import { Navigate, type RouteObject } from "react-router";

const screens = () => import("./index");
const integrations = () => import("../integrations/index");
const email = () => import("../email/index");

export const settingsRoutes: RouteObject[] = [
  {
    path: "/settings",
    lazy: async () => ({ Component: (await screens()).SettingsLayout }),
    children: [
      { index: true, element: <Navigate to="/settings/profile" replace /> },
      { path: "profile", lazy: async () => ({ Component: (await screens()).ProfilePage }) },
      { path: "working-hours", lazy: async () => ({ Component: (await screens()).WorkingHoursPage }) },
      { path: "company", lazy: async () => ({ Component: (await screens()).CompanyPage }) },
      { path: "telephony", lazy: async () => ({ Component: (await screens()).TelephonyPage }) },
      { path: "properties", lazy: async () => ({ Component: (await screens()).PropertiesPage }) },
      { path: "source-tags", lazy: async () => ({ Component: (await screens()).SourceTagsPage }) },
      { path: "api-keys", lazy: async () => ({ Component: (await integrations()).ApiKeysPage }) },
      { path: "webhooks", lazy: async () => ({ Component: (await integrations()).WebhooksPage }) },
      { path: "calendar", lazy: async () => ({ Component: (await integrations()).CalendarPage }) },
      { path: "email", lazy: async () => ({ Component: (await email()).IntegrationsPage }) },
      { path: "email/signatures", lazy: async () => ({ Component: (await email()).SignaturesPage }) },
      { path: "email/exceptions", lazy: async () => ({ Component: (await email()).ExceptionsPage }) },
      { path: "email/domains", lazy: async () => ({ Component: (await email()).DomainsPage }) },
    ],
  },
];
