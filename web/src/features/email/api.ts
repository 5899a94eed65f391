/**
 * Server state of the email screens through TanStack Query and the typed client, and the small
 * helpers they share (addresses, reply subjects, who may send from a mailbox).
 */
import { useQuery } from "@tanstack/react-query";

import { unwrap, type Schemas } from "../../api/client";
import { useApi, useMe } from "../../app/session";
import type { Integration } from "./integrationForm";

export type Signature = Schemas["SignatureOut"];
export type EmailBroadcast = Schemas["EmailBroadcastOut"];

export interface EmailException {
  id: string;
  pattern: string;
}

/** `data` of a feed entry of kind "email" (ISSUE18 contract 3). */
export interface EmailFeedData {
  email_id?: string;
  direction?: "in" | "out";
  subject?: string;
  from?: string;
  to?: string[];
  attachments?: number;
}

export const emailKeys = {
  integrations: ["email", "integrations"] as const,
  presets: ["email", "presets"] as const,
  signatures: ["email", "signatures"] as const,
  exceptions: ["email", "exceptions"] as const,
  settings: ["email", "settings"] as const,
  email: (id: string) => ["email", "one", id] as const,
  broadcasts: ["email", "broadcasts"] as const,
  broadcast: (id: string) => ["email", "broadcasts", id] as const,
};

export function useIntegrations() {
  const api = useApi();
  return useQuery({
    queryKey: emailKeys.integrations,
    queryFn: async () => (await unwrap(api.GET("/v1/email/integrations"))).items,
  });
}

export function usePresets() {
  const api = useApi();
  return useQuery({
    queryKey: emailKeys.presets,
    queryFn: async () => (await unwrap(api.GET("/v1/email/presets"))).items,
    staleTime: Infinity,
  });
}

export function useSignatures() {
  const api = useApi();
  return useQuery({
    queryKey: emailKeys.signatures,
    queryFn: async () => (await unwrap(api.GET("/v1/email/signatures"))).items,
  });
}

/** The mailboxes the signed-in user may send from: their own and those shared with them. */
export function usableBy(integrations: Integration[], userId: string | undefined): Integration[] {
  if (!userId) return [];
  return integrations.filter(
    (i) => i.owner_id === userId || i.shared_with === "all" || (Array.isArray(i.shared_with) && i.shared_with.includes(userId)),
  );
}

export function useUsableIntegrations() {
  const me = useMe().data?.id;
  const all = useIntegrations();
  return { ...all, data: all.data ? usableBy(all.data, me) : undefined };
}

export const isRunning = (b: Pick<EmailBroadcast, "status"> | undefined) => b?.status === "running";

/** One broadcast with all its recipients, polled every 1.5 s while it runs. */
export function useEmailBroadcast(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: emailKeys.broadcast(id),
    queryFn: async () => {
      const path = "/v1/email-broadcasts/{broadcast_id}";
      const first = await unwrap(api.GET(path, { params: { path: { broadcast_id: id } } }));
      const recipients = [...first.recipients];
      let cursor = first.recipients_next_cursor;
      while (cursor) {
        const page: EmailBroadcast = await unwrap(api.GET(path, { params: { path: { broadcast_id: id }, query: { cursor } } }));
        recipients.push(...page.recipients);
        cursor = page.recipients_next_cursor;
      }
      return { ...first, recipients, recipients_next_cursor: null };
    },
    refetchInterval: (query) => (isRunning(query.state.data) ? 1500 : false),
  });
}

/** "a@x.com, b@y.org;c@z.net" -> the addresses, trimmed, without empties. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** "Re: " once, whatever the replies before it did. */
export function replySubject(subject: string): string {
  return /^\s*re\s*:/i.test(subject) ? subject.trim() : `Re: ${subject.trim()}`;
}

/** The bare address of `Name <a@x.com>`. */
export function bareAddress(from: string): string {
  const match = /<([^>]+)>/.exec(from);
  return (match?.[1] ?? from).trim();
}
