import { Navigate, Outlet, createBrowserRouter, useLocation, type RouteObject } from "react-router";

import { useSession } from "./app/session";
import { AcceptInvitation } from "./screens/AcceptInvitation";
import { CreateCrm } from "./screens/CreateCrm";
import { Home } from "./screens/Home";
import { SignIn } from "./screens/SignIn";
import { AppShell } from "./shell/AppShell";
import { dealRoutes } from "./features/deals/routes";
import { taskRoutes } from "./features/tasks/routes";
import { smsRoutes } from "./features/sms/routes";
import { callRoutes } from "./features/calls/routes";
import { settingsRoutes } from "./features/settings/routes";
import { importRoutes } from "./features/imports/routes";
import { teamRoutes } from "./features/team/routes";
import { analyticsRoutes } from "./features/analytics/routes";
import { emailRoutes } from "./features/email/routes";

/** Signed-in screens: without a session, go to sign-in and come back here afterwards. */
function RequireSession() {
  const { signedIn } = useSession();
  const location = useLocation();
  if (!signedIn) {
    // Reaching here from a signed-in screen means the session ended (refresh failed or sign-out elsewhere).
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}

/** Signed-out screens: a signed-in user goes to the app. */
function SignedOutOnly() {
  const { signedIn } = useSession();
  const from = (useLocation().state as { from?: string } | null)?.from;
  return signedIn ? <Navigate to={from?.startsWith("/") ? from : "/"} replace /> : <Outlet />;
}

export const routes: RouteObject[] = [
  {
    element: <SignedOutOnly />,
    children: [
      { path: "/sign-in", element: <SignIn /> },
      { path: "/create-crm", element: <CreateCrm /> },
    ],
  },
  // Reachable signed in or not: the link may be opened in a browser where someone is signed in.
  { path: "/invitations/accept", element: <AcceptInvitation /> },
  { path: "/invite", element: <AcceptInvitation /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <AppShell />,
        children: [
          {
            index: true,
            lazy: async () => ({ Component: (await import("./features/dashboard/Dashboard")).Dashboard }),
          },
          { path: "/profile", element: <Home /> },
          { path: "/leads", lazy: () => import("./features/contacts/ListScreen").then((m) => ({ Component: m.LeadsPage })) },
          { path: "/clients", lazy: () => import("./features/contacts/ListScreen").then((m) => ({ Component: m.ClientsPage })) },
          { path: "/leads/:id", lazy: () => import("./features/contacts/CardScreen").then((m) => ({ Component: m.LeadCardPage })) },
          { path: "/clients/:id", lazy: () => import("./features/contacts/CardScreen").then((m) => ({ Component: m.ClientCardPage })) },
          ...dealRoutes,
          ...taskRoutes,
          ...smsRoutes,
          ...callRoutes,
          ...settingsRoutes,
          ...importRoutes,
          ...teamRoutes,
          ...analyticsRoutes,
          ...emailRoutes,
        ],
      },
    ],
  },
  { path: "*", element: <Navigate to="/" replace /> },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
