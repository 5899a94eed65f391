/** The import routes: each loads the imports chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./ImportsScreens");

export const importRoutes: RouteObject[] = [
  { path: "/imports", lazy: async () => ({ Component: (await screens()).ImportsPage }) },
  { path: "/imports/:id", lazy: async () => ({ Component: (await screens()).ImportPage }) },
];
