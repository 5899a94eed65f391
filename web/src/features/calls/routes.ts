/** The call log and autodial routes: each loads the calls chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./index");

export const callRoutes: RouteObject[] = [
  { path: "/calls", lazy: async () => ({ Component: (await screens()).CallLog }) },
  { path: "/autodial", lazy: async () => ({ Component: (await screens()).AutodialPage }) },
  { path: "/autodial/:id", lazy: async () => ({ Component: (await screens()).CallListPage }) },
];
