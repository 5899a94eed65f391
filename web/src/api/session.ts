/** Where the signed-in user's tokens live: localStorage, so a reload or a new tab stays signed in. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
  subscribe(listener: () => void): () => void;
}

export function memoryTokenStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => tokens,
    set(next) {
      tokens = next;
      listeners.forEach((listener) => listener());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function browserTokenStore(storage: Storage = window.localStorage, key = "crm.session"): TokenStore {
  const read = (): Tokens | null => {
    try {
      const value = JSON.parse(storage.getItem(key) ?? "null") as Partial<Tokens> | null;
      return value?.accessToken && value.refreshToken ? { accessToken: value.accessToken, refreshToken: value.refreshToken } : null;
    } catch {
      return null;
    }
  };
  const store = memoryTokenStore(read());
  const set = store.set;
  store.set = (tokens) => {
    if (tokens) storage.setItem(key, JSON.stringify(tokens));
    else storage.removeItem(key);
    set(tokens);
  };
  // Signing out (or in) in another tab applies here too.
  window.addEventListener("storage", (event) => {
    if (event.key === key) set(read());
  });
  return store;
}
