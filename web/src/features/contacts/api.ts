/**
 * Server state of the contacts screens: lists, cards, feeds and the reference lists they show
 * (users, properties, source tags), all through TanStack Query and the typed client.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";

import { unwrap, type Api, type Schemas } from "../../api/client";
import { useApi } from "../../app/session";
import { apiQuery, type ContactFilters } from "./filters";

export type Kind = "client" | "lead";
export type Contact = Schemas["ClientOut"] & Partial<Pick<Schemas["LeadOut"], "lead_status" | "lead_source">>;
export type Card = Contact & { feed: Schemas["FeedPage"] };
export type FeedEntry = Schemas["FeedEntryOut"];

export const collection = (kind: Kind) => (kind === "client" ? "clients" : "leads");

export const keys = {
  list: (kind: Kind, filters: ContactFilters) => [collection(kind), "list", filters] as const,
  lists: (kind: Kind) => [collection(kind), "list"] as const,
  card: (kind: Kind, id: string) => [collection(kind), "card", id] as const,
  feed: (kind: Kind, id: string) => [collection(kind), "feed", id] as const,
};

/** One page of a list; the query string is built by `apiQuery` (property.<key> filters included). */
export interface ContactPage {
  items: Contact[];
  next_cursor: string | null;
}

export function listPage(api: Api, kind: Kind, filters: ContactFilters, cursor: string | null): Promise<ContactPage> {
  const query = apiQuery(filters, cursor);
  const options = { params: { query: {} }, querySerializer: () => query };
  return kind === "client" ? unwrap(api.GET("/v1/clients", options)) : unwrap(api.GET("/v1/leads", options));
}

export function useContactList(kind: Kind, filters: ContactFilters, enabled = true) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.list(kind, filters),
    queryFn: ({ pageParam }) => listPage(api, kind, filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
}

export function getCard(api: Api, kind: Kind, id: string): Promise<Card> {
  return kind === "client"
    ? unwrap(api.GET("/v1/clients/{client_id}", { params: { path: { client_id: id } } }))
    : unwrap(api.GET("/v1/leads/{lead_id}", { params: { path: { lead_id: id } } }));
}

export function useCard(kind: Kind, id: string) {
  const api = useApi();
  return useQuery({ queryKey: keys.card(kind, id), queryFn: () => getCard(api, kind, id) });
}

export function useFeed(kind: Kind, id: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: keys.feed(kind, id),
    queryFn: ({ pageParam }) => {
      const query = { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) };
      return kind === "client"
        ? unwrap(api.GET("/v1/clients/{client_id}/feed", { params: { path: { client_id: id }, query } }))
        : unwrap(api.GET("/v1/leads/{lead_id}/feed", { params: { path: { lead_id: id }, query } }));
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export type ContactPatch = Schemas["LeadPatch"];

export function patchContact(api: Api, kind: Kind, id: string, body: ContactPatch): Promise<Contact> {
  return kind === "client"
    ? unwrap(api.PATCH("/v1/clients/{client_id}", { params: { path: { client_id: id } }, body }))
    : unwrap(api.PATCH("/v1/leads/{lead_id}", { params: { path: { lead_id: id } }, body }));
}

export function addNote(api: Api, kind: Kind, id: string, text: string) {
  return kind === "client"
    ? unwrap(api.POST("/v1/clients/{client_id}/notes", { params: { path: { client_id: id } }, body: { text } }))
    : unwrap(api.POST("/v1/leads/{lead_id}/notes", { params: { path: { lead_id: id } }, body: { text } }));
}

export function editNote(api: Api, kind: Kind, id: string, noteId: string, text: string) {
  return kind === "client"
    ? unwrap(
        api.PATCH("/v1/clients/{client_id}/notes/{note_id}", {
          params: { path: { client_id: id, note_id: noteId } },
          body: { text },
        }),
      )
    : unwrap(
        api.PATCH("/v1/leads/{lead_id}/notes/{note_id}", { params: { path: { lead_id: id, note_id: noteId } }, body: { text } }),
      );
}

export function deleteNote(api: Api, kind: Kind, id: string, noteId: string) {
  return kind === "client"
    ? unwrap(api.DELETE("/v1/clients/{client_id}/notes/{note_id}", { params: { path: { client_id: id, note_id: noteId } } }))
    : unwrap(api.DELETE("/v1/leads/{lead_id}/notes/{note_id}", { params: { path: { lead_id: id, note_id: noteId } } }));
}

/** Everyone in the CRM (for names and the "responsible" pickers); empty when not allowed. */
export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: ["users", "all"],
    queryFn: async () => {
      const users: Schemas["UserOut"][] = [];
      let cursor: string | null | undefined = null;
      do {
        const query: { limit: number; cursor?: string } = { limit: 100, ...(cursor ? { cursor } : {}) };
        const page: Schemas["UserList"] = await unwrap(api.GET("/v1/users", { params: { query } }));
        users.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor && users.length < 1000);
      return users;
    },
    staleTime: 300_000,
  });
}

export function useUserNames(): (id: string | null | undefined) => string | undefined {
  const users = useUsers();
  return (id) => (id ? users.data?.find((u) => u.id === id)?.name : undefined);
}

export function useProperties() {
  const api = useApi();
  return useQuery({
    queryKey: ["properties"],
    queryFn: async () => (await unwrap(api.GET("/v1/properties", { params: { query: { limit: 100 } } }))).items,
    staleTime: 300_000,
  });
}

export function useSourceTags() {
  const api = useApi();
  return useQuery({
    queryKey: ["source-tags"],
    queryFn: async () => (await unwrap(api.GET("/v1/source-tags", { params: { query: { limit: 100 } } }))).items,
    staleTime: 300_000,
  });
}

