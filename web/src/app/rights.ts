/**
 * What the signed-in user may do, from their group in GET /v1/me (the same 13 rights and admin
 * level the API checks): screens hide or disable what the API would refuse with a 403.
 * Until the profile has loaded nothing is allowed, so nothing forbidden flashes on screen.
 */
import { useMe } from "./session";

export type Permission =
  | "customers_create"
  | "customers_edit"
  | "customers_delete"
  | "customers_import_export"
  | "customers_view_all"
  | "calendar_other_users_access"
  | "calls_other_users_access"
  | "leads_view"
  | "leads_edit"
  | "leads_delete"
  | "leads_import_export"
  | "team_add"
  | "team_edit";

/** `"admin"`: routes only an admin group may call (rights, company and telephony settings). */
export type Right = Permission | "admin";

export interface Rights {
  loaded: boolean;
  isAdmin: boolean;
  can(right: Right): boolean;
}

export function rightsOf(group: { type: string; permissions: Record<string, boolean> } | undefined): Rights {
  const isAdmin = group?.type === "admin";
  return {
    loaded: group !== undefined,
    isAdmin,
    can: (right) => (right === "admin" ? isAdmin : isAdmin || group?.permissions[right] === true),
  };
}

export function useRights(): Rights {
  return rightsOf(useMe().data?.group);
}
