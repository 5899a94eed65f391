/** The team routes: each loads the team chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./index");

export const teamRoutes: RouteObject[] = [
  { path: "/team", lazy: async () => ({ Component: (await screens()).UsersPage }) },
  { path: "/team/groups", lazy: async () => ({ Component: (await screens()).GroupsPage }) },
];
