/** Render a screen with the app's providers, a memory router and a fake API server. */
import { render } from "@testing-library/react";
import { QueryClient } from "@tanstack/react-query";
import { RouterProvider, createMemoryRouter } from "react-router";

import { routes } from "../App";
import { createApi } from "../api/client";
import { memoryTokenStore, type Tokens } from "../api/session";
import { SessionProvider } from "../app/session";

export function renderApp(
  path: string,
  fetch: (request: Request) => Promise<Response>,
  { tokens: initial = null }: { tokens?: Tokens | null } = {},
) {
  const tokens = memoryTokenStore(initial);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const api = createApi({ baseUrl: "http://api.test", tokens, fetch, onSignedOut: () => queryClient.clear() });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const view = render(
    <SessionProvider services={{ api, tokens, queryClient }}>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return { ...view, router, tokens };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
