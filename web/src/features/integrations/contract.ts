/**
 * The webhooks and Google Calendar routes, typed from the contract (API.md "Google Calendar",
 * "API keys, web forms, Zapier and webhooks") rather than from the generated schema: they are
 * built in other branches (i20-hooks, i19-sync) and this screen must type-check with or without
 * them. Once they are merged, these calls can move to the generated `paths` unchanged.
 */
import type { Api } from "../../api/client";
import { isApiError } from "../../api/errors";

type Init = { params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> }; body?: unknown };
type Result<D> = { data?: D; error?: unknown; response: Response };

export interface ContractClient {
  GET<D>(path: string, init?: Init): Promise<Result<D>>;
  POST<D>(path: string, init?: Init): Promise<Result<D>>;
  PUT<D>(path: string, init?: Init): Promise<Result<D>>;
  DELETE<D>(path: string, init?: Init): Promise<Result<D>>;
}

/** The same client (bearer token, refresh), without the generated path types. */
export function contractClient(api: Api): ContractClient {
  return api as unknown as ContractClient;
}

export const HOOK_EVENTS = [
  "lead.created",
  "client.created",
  "deal.created",
  "deal.status_changed",
  "task.created",
  "task.completed",
  "call.completed",
] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export interface Hook {
  id: string;
  event: HookEvent;
  target_url: string;
  status: "active" | "disabled";
  owner_id: string;
  created_at: string;
}

export interface HookCreated extends Hook {
  secret: string;
}

export interface Attempt {
  id: string;
  webhook_id: string;
  event: HookEvent;
  at: string;
  attempt: number;
  status: "delivered" | "retrying" | "failed" | "gone";
  response_code: number | null;
  error: string | null;
}

export interface CalendarSettings {
  connected: boolean;
  google_email: string | null;
  calendar_id: string | null;
  push_crm_to_google: boolean;
  pull_google_to_crm: boolean;
  status: "ok" | "needs_reauth" | "error" | null;
  last_sync_at: string | null;
  last_error: string | null;
}

/** A route this server does not serve (yet): the screen says so instead of an error. */
export function isMissingRoute(error: unknown): boolean {
  return isApiError(error) && (error.status === 404 || error.status === 405) && error.field === undefined;
}
