/** The tasks and calendar routes: each loads the tasks chunk on first use. */
import type { RouteObject } from "react-router";

const screens = () => import("./index");

export const taskRoutes: RouteObject[] = [
  { path: "/tasks", lazy: async () => ({ Component: (await screens()).TasksBoard }) },
  { path: "/tasks/list", lazy: async () => ({ Component: (await screens()).TasksList }) },
  { path: "/calendar", lazy: async () => ({ Component: (await screens()).CalendarPage }) },
];
