/** Pure helpers of the integrations screens (tested in logic.test.ts). */

/** The placeholder the API's snippet holds where the key's secret goes (docs/api-keys.md). */
export const KEY_PLACEHOLDER = "PASTE-THE-REST-OF-YOUR-KEY";

/**
 * The snippet with the whole key filled in: the API writes `crm_<id>_PASTE-THE-REST-OF-YOUR-KEY`
 * (it does not store the secret); right after creating the key the screen knows it.
 * A key of another prefix is left out: the snippet stays as the API wrote it.
 */
export function fillSnippet(html: string, prefix: string, key: string | undefined): { html: string; filled: boolean } {
  if (!key || !key.startsWith(`${prefix}_`)) return { html, filled: false };
  const placeholder = `${prefix}_${KEY_PLACEHOLDER}`;
  if (!html.includes(placeholder)) return { html, filled: false };
  return { html: html.split(placeholder).join(key), filled: true };
}

/** Allowed origins typed one a line (or separated by commas or spaces): trimmed, without a trailing slash, deduplicated. */
export function parseOrigins(text: string): string[] {
  const seen = new Set<string>();
  for (const part of text.split(/[\s,]+/)) {
    const origin = part.trim().replace(/\/+$/, "");
    if (origin) seen.add(origin);
  }
  return [...seen];
}

/** The API names a list item's error `allowed_origins.<n>` (or `allowed_origins`): both are the field. */
export function originsField(field: string | undefined): string | undefined {
  return field?.startsWith("allowed_origins") ? "allowed_origins" : field;
}

/** The result the OAuth callback sends back in `?google=connected|error`, and the search without it. */
export function callbackResult(search: string): { result: "connected" | "error" | null; rest: string } {
  const params = new URLSearchParams(search);
  const value = params.get("google");
  params.delete("google");
  const rest = params.toString();
  const result = value === "connected" || value === "error" ? value : null;
  return { result, rest: rest ? `?${rest}` : "" };
}

/** What the calendar screen offers for a connection status. */
export function calendarState(settings: { connected: boolean; status: string | null | undefined }):
  | "disconnected"
  | "ok"
  | "needs_reauth"
  | "error" {
  if (!settings.connected) return "disconnected";
  if (settings.status === "needs_reauth" || settings.status === "error") return settings.status;
  return "ok";
}
