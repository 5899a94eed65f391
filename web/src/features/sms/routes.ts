/** The SMS routes: each loads the SMS chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./index");

export const smsRoutes: RouteObject[] = [
  { path: "/sms", lazy: async () => ({ Component: (await screens()).BroadcastsPage }) },
  { path: "/sms/new", lazy: async () => ({ Component: (await screens()).NewBroadcast }) },
  { path: "/sms/templates", lazy: async () => ({ Component: (await screens()).TemplatesPage }) },
  { path: "/sms/broadcasts/:id", lazy: async () => ({ Component: (await screens()).BroadcastReport }) },
];
