/**
 * The list filters of clients and leads, kept in the page's address (so a filtered list can be
 * bookmarked or shared) and turned into the API's query parameters (API.md "Contacts"):
 * `scope, q, responsible_user_id, tag, type, status, source_tag_id, created_from, created_to,
 * property.<key>=<value>`.
 */
export interface ContactFilters {
  scope?: string | undefined;
  q?: string | undefined;
  responsible_user_id?: string | undefined;
  tag?: string | undefined;
  type?: string | undefined;
  status?: string | undefined;
  source_tag_id?: string | undefined;
  /** Dates (YYYY-MM-DD), in the user's own time zone; `created_to` is included. */
  created_from?: string | undefined;
  created_to?: string | undefined;
  properties: Record<string, string>;
}

const PLAIN = ["scope", "q", "responsible_user_id", "tag", "type", "status", "source_tag_id", "created_from", "created_to"] as const;
const PROPERTY = "property.";
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters in a page address's search part (unknown parameters are ignored). */
export function filtersFromSearch(search: URLSearchParams): ContactFilters {
  const filters: ContactFilters = { properties: {} };
  for (const name of PLAIN) {
    const value = search.get(name)?.trim();
    if (value) filters[name] = value;
  }
  for (const [name, value] of search) {
    const key = name.slice(PROPERTY.length);
    if (name.startsWith(PROPERTY) && key && value.trim()) filters.properties[key] = value.trim();
  }
  for (const name of ["created_from", "created_to"] as const) {
    if (filters[name] && !DATE.test(filters[name])) delete filters[name];
  }
  return filters;
}

/** The page address's search part for these filters (empty values left out, stable order). */
export function filtersToSearch(filters: ContactFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const name of PLAIN) {
    const value = filters[name]?.trim();
    if (value) search.set(name, value);
  }
  for (const key of Object.keys(filters.properties).sort()) {
    const value = filters.properties[key]?.trim();
    if (value) search.set(PROPERTY + key, value);
  }
  return search;
}

/** The start of a local calendar day as an ISO time with its offset (the API wants one). */
export function localDayStart(date: string, plusDays = 0): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The API's query string (without "?") for a page of the list. */
export function apiQuery(filters: ContactFilters, cursor?: string | null, limit = 25): string {
  const search = filtersToSearch(filters);
  // The API wants times: the range covers whole local days, `created_to` included.
  if (filters.created_from) search.set("created_from", localDayStart(filters.created_from));
  if (filters.created_to) search.set("created_to", localDayStart(filters.created_to, 1));
  // `q` needs 2 characters at least: one alone would be a 400, so it is not sent yet.
  if ((search.get("q") ?? "").length < 2) search.delete("q");
  search.set("limit", String(limit));
  if (cursor) search.set("cursor", cursor);
  return search.toString();
}

/** How many filters (besides the scope tab) are set: shown on the filter block's summary. */
export function activeFilterCount(filters: ContactFilters): number {
  return PLAIN.filter((name) => name !== "scope" && filters[name]).length + Object.keys(filters.properties).length;
}
