/** The deals routes: each loads the deals chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./index");

export const dealRoutes: RouteObject[] = [
  { path: "/deals", lazy: async () => ({ Component: (await screens()).DealsBoard }) },
  { path: "/deals/list", lazy: async () => ({ Component: (await screens()).DealsList }) },
  { path: "/deals/new", lazy: async () => ({ Component: (await screens()).NewDeal }) },
  { path: "/deals/:id", lazy: async () => ({ Component: (await screens()).DealPage }) },
];
