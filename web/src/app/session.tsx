/**
 * The session: the API client, the tokens and who is signed in, shared through React context.
 * Server state lives in TanStack Query; this holds only what the client itself owns.
 */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";

import { createApi, unwrap, type Api, type Schemas } from "../api/client";
import { isApiError } from "../api/errors";
import { browserTokenStore, type TokenStore } from "../api/session";
import { setLanguage, toLanguage } from "../i18n";

export const ME = ["me"] as const;

interface Session {
  api: Api;
  signedIn: boolean;
  signIn(session: Schemas["SessionOut"]): void;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

export interface AppServices {
  api: Api;
  tokens: TokenStore;
  queryClient: QueryClient;
}

export function createServices(tokens: TokenStore = browserTokenStore(), baseUrl = window.location.origin): AppServices {
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not get better by asking again.
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
  // A failed refresh clears the tokens; the screens see `signedIn` turn false and the cache goes.
  const api = createApi({ baseUrl, tokens, onSignedOut: () => queryClient.clear() });
  return { api, tokens, queryClient };
}

export function SessionProvider({ services, children }: { services: AppServices; children: ReactNode }) {
  const { api, tokens, queryClient } = services;
  const signedIn = useSyncExternalStore(tokens.subscribe, () => tokens.get() !== null);

  const signIn = useCallback(
    (session: Schemas["SessionOut"]) => {
      queryClient.clear();
      tokens.set({ accessToken: session.access_token, refreshToken: session.refresh_token });
      const language = toLanguage(session.user.language);
      if (language) void setLanguage(language);
    },
    [queryClient, tokens],
  );
  const signOut = useCallback(() => {
    tokens.set(null);
    queryClient.clear();
  }, [queryClient, tokens]);

  const value = useMemo(() => ({ api, signedIn, signIn, signOut }), [api, signedIn, signIn, signOut]);
  return (
    <QueryClientProvider client={queryClient}>
      <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
    </QueryClientProvider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside SessionProvider");
  return session;
}

export function useApi(): Api {
  return useSession().api;
}

/** The signed-in user's profile (GET /v1/me). */
export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: ME, queryFn: () => unwrap(api.GET("/v1/me")) });
}
