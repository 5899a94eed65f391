/** The analytics routes: one per report, all in the analytics chunk (ECharts included), loaded on first use. */
import { Navigate, type RouteObject } from "react-router";

const screens = () => import("./index");

export const analyticsRoutes: RouteObject[] = [
  { path: "/analytics", element: <Navigate to="/analytics/deals" replace /> },
  { path: "/analytics/deals", lazy: async () => ({ Component: (await screens()).DealsAnalytics }) },
  { path: "/analytics/calls", lazy: async () => ({ Component: (await screens()).CallsAnalytics }) },
  { path: "/analytics/sources", lazy: async () => ({ Component: (await screens()).SourcesAnalytics }) },
  { path: "/analytics/leads", lazy: async () => ({ Component: (await screens()).LeadsAnalytics }) },
  { path: "/analytics/clients", lazy: async () => ({ Component: (await screens()).ClientsAnalytics }) },
  { path: "/analytics/tasks", lazy: async () => ({ Component: (await screens()).TasksAnalytics }) },
  { path: "/analytics/team", lazy: async () => ({ Component: (await screens()).TeamAnalytics }) },
];
