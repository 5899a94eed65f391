/** The email broadcast routes: each loads the broadcast chunk on first use (settings live under /settings/email). */
import type { RouteObject } from "react-router";

const screens = () => import("./Broadcasts");

export const emailRoutes: RouteObject[] = [
  { path: "/email/broadcasts", lazy: async () => ({ Component: (await screens()).EmailBroadcastsPage }) },
  { path: "/email/broadcasts/new", lazy: async () => ({ Component: (await screens()).NewEmailBroadcast }) },
  { path: "/email/broadcasts/:id", lazy: async () => ({ Component: (await screens()).EmailBroadcastReport }) },
];
