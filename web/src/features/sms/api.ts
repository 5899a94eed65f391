/** Server state of the SMS screens: templates and broadcasts, through TanStack Query. */
import { useQuery } from "@tanstack/react-query";

import { unwrap, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";

export type Template = Schemas["SmsTemplateOut"];
export type Broadcast = Schemas["BroadcastOut"];
export type Recipient = Schemas["RecipientOut"];

/** A selection handed over by another screen (the clients list's bulk action). */
export interface PickedContact {
  id: string;
  name: string;
  kind?: "client" | "lead";
}

export const smsKeys = {
  templates: ["sms", "templates"] as const,
  broadcasts: ["sms", "broadcasts"] as const,
  broadcast: (id: string) => ["sms", "broadcasts", id] as const,
};

/** Every template (the API pages them; a CRM has at most 200). */
export function useTemplates() {
  const api = useApi();
  return useQuery({
    queryKey: smsKeys.templates,
    queryFn: async () => {
      const items: Template[] = [];
      let cursor: string | null = null;
      do {
        const page: Schemas["SmsTemplateList"] = await unwrap(
          api.GET("/v1/sms-templates", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }),
        );
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return items;
    },
  });
}

export const isRunning = (b: Pick<Broadcast, "status"> | undefined) => b?.status === "running";

/** One broadcast with all its recipients, polled every 1.5 s while it runs. */
export function useBroadcast(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: smsKeys.broadcast(id),
    queryFn: async () => {
      const first = await unwrap(api.GET("/v1/sms-broadcasts/{broadcast_id}", { params: { path: { broadcast_id: id } } }));
      const recipients = [...first.recipients];
      let cursor = first.recipients_next_cursor;
      while (cursor) {
        const page: Broadcast = await unwrap(
          api.GET("/v1/sms-broadcasts/{broadcast_id}", { params: { path: { broadcast_id: id }, query: { cursor } } }),
        );
        recipients.push(...page.recipients);
        cursor = page.recipients_next_cursor;
      }
      return { ...first, recipients, recipients_next_cursor: null };
    },
    refetchInterval: (query) => (isRunning(query.state.data) ? 1500 : false),
  });
}
