/** The team's server state: users, groups and pending invitations (TanStack Query). */
import { useQuery } from "@tanstack/react-query";

import { unwrap } from "../../api/client";
import { useApi } from "../../app/session";
import { useRights } from "../../app/rights";
import type { Group, User } from "./access";

export const TEAM = ["team"] as const;
export const USERS = ["team", "users"] as const;
export const GROUPS = ["team", "groups"] as const;
export const INVITATIONS = ["team", "invitations"] as const;

/** Every user of the CRM, sorted by name (the API pages them; a team fits in a few pages). */
export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: USERS,
    // Presence changes as people work and invitations get accepted elsewhere: read it again on
    // each visit and every minute while the screen is open.
    staleTime: 0,
    refetchInterval: 60_000,
    queryFn: async () => {
      const users: User[] = [];
      let cursor: string | null | undefined = undefined;
      do {
        const page: { items: User[]; next_cursor?: string | null } = await unwrap(
          api.GET("/v1/users", { params: { query: { limit: 100, cursor } } }),
        );
        users.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor);
      return users;
    },
  });
}

/** The CRM's groups (at most 50: one page), the standard ones first. */
export function useGroups() {
  const api = useApi();
  return useQuery({
    queryKey: GROUPS,
    queryFn: async () => (await unwrap(api.GET("/v1/groups", { params: { query: { limit: 100 } } }))).items as Group[],
  });
}

/** Invitations not accepted yet: only for those who may invite (the route needs team_add). */
export function useInvitations() {
  const api = useApi();
  const rights = useRights();
  return useQuery({
    queryKey: INVITATIONS,
    enabled: rights.can("team_add"),
    queryFn: async () => (await unwrap(api.GET("/v1/invitations"))).items,
  });
}

/** Is this user working now? Asked only for users who have working hours. */
export function useAvailability(user: User) {
  const api = useApi();
  return useQuery({
    queryKey: ["team", "availability", user.id],
    enabled: user.working_hours != null,
    refetchInterval: 5 * 60_000,
    queryFn: () => unwrap(api.GET("/v1/users/{user_id}/availability", { params: { path: { user_id: user.id } } })),
  });
}
