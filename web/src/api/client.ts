/**
 * The typed API client: openapi-fetch over the paths generated from the served OpenAPI document
 * (`schema.d.ts`, built by `npm run api`), with the bearer token, one silent refresh on a 401
 * and sign-out when the refresh fails. Screens call it through TanStack Query with `unwrap`,
 * which turns the API's error envelope into a thrown `ApiError`.
 */
import createClient from "openapi-fetch";

import { ApiError } from "./errors";
import type { components, paths } from "./schema";
import type { TokenStore } from "./session";

export type Schemas = components["schemas"];
export type Api = ReturnType<typeof createApi>;

export interface ApiOptions {
  /** The API's origin; the web app is served beside it, so in the browser it is the page's own. */
  baseUrl: string;
  tokens: TokenStore;
  /** Called once the session cannot be refreshed (the tokens are already cleared). */
  onSignedOut?: () => void;
  fetch?: (request: Request) => Promise<Response>;
}

// Routes whose 401 means "bad credentials", never "the access token expired".
const NO_REFRESH = ["/v1/auth/login", "/v1/auth/refresh"];

export function createApi({ baseUrl, tokens, onSignedOut, fetch: send = (r) => globalThis.fetch(r) }: ApiOptions) {
  let refreshing: Promise<boolean> | null = null;

  async function refresh(): Promise<boolean> {
    const current = tokens.get();
    if (!current) return false;
    try {
      const response = await send(
        new Request(`${baseUrl}/v1/auth/refresh`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: current.refreshToken }),
        }),
      );
      if (!response.ok) return false;
      const body = (await response.json()) as Schemas["RefreshOut"];
      tokens.set({ ...current, accessToken: body.access_token });
      return true;
    } catch {
      return false; // offline: the next call tries again
    }
  }

  /** One refresh at a time: concurrent 401s wait for the same one. */
  function refreshOnce(): Promise<boolean> {
    refreshing ??= refresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  function withToken(request: Request, accessToken: string | undefined): Request {
    if (accessToken) request.headers.set("Authorization", `Bearer ${accessToken}`);
    return request;
  }

  async function authFetch(request: Request): Promise<Response> {
    const retry = request.clone(); // a body can be read once
    const sentWith = tokens.get()?.accessToken;
    const response = await send(withToken(request, sentWith));
    const path = new URL(request.url).pathname;
    if (response.status !== 401 || !sentWith || NO_REFRESH.includes(path)) return response;
    // Another call may have refreshed the token while this one was on its way.
    const fresh = tokens.get()?.accessToken;
    if (fresh === sentWith && !(await refreshOnce())) {
      if (tokens.get()) {
        tokens.set(null);
        onSignedOut?.();
      }
      return response;
    }
    return send(withToken(retry, tokens.get()?.accessToken));
  }

  return createClient<paths>({ baseUrl, fetch: authFetch });
}

type Result<D> = { data?: D; error?: unknown; response: Response };

/** The response's data, or the API's error envelope thrown as an `ApiError`. */
export async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  let result: Result<D>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError(0, "network_error", cause instanceof Error ? cause.message : String(cause));
  }
  if (!result.response.ok) throw ApiError.from(result.response.status, result.error);
  return result.data as D;
}
