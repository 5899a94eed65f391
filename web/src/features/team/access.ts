/**
 * What the signed-in user may do to each colleague and group, mirroring the API's 403s
 * (docs/rights.md): `team_add` adds and invites, `team_edit` edits, moves and (de)activates,
 * only administrators touch administrators or move anyone into or out of the admin group, nobody
 * deactivates themselves, and only administrators change groups and rights.
 * Each answer is either allowed (`null`) or the i18n key of the reason, shown as text.
 */
import type { Schemas } from "../../api/client";
import type { Permission, Rights } from "../../app/rights";

export type User = Schemas["UserOut"];
export type Group = Schemas["GroupOut"];

export const PERMISSIONS: Permission[] = [
  "customers_create",
  "customers_edit",
  "customers_delete",
  "customers_import_export",
  "customers_view_all",
  "calendar_other_users_access",
  "calls_other_users_access",
  "leads_view",
  "leads_edit",
  "leads_delete",
  "leads_import_export",
  "team_add",
  "team_edit",
];

export type Reason =
  | "team.users.noEditRight"
  | "team.users.adminOnly"
  | "team.users.noExtension";

export interface Me {
  id: string;
  extension: string | null;
}

function isAdminGroup(groups: readonly Group[], groupId: string): boolean {
  return groups.find((g) => g.id === groupId)?.type === "admin";
}

/** May the user edit this colleague (name, email, extension, group, deactivation)? */
export function editBlock(rights: Rights, groups: readonly Group[], target: User): Reason | null {
  if (!rights.can("team_edit")) return "team.users.noEditRight";
  if (!rights.isAdmin && isAdminGroup(groups, target.group_id)) return "team.users.adminOnly";
  return null;
}

/** Deactivate is offered to an editable, active colleague other than oneself. */
export function canDeactivate(rights: Rights, groups: readonly Group[], me: Me, target: User): boolean {
  return editBlock(rights, groups, target) === null && target.id !== me.id && target.status !== "deactivated";
}

export function canActivate(rights: Rights, groups: readonly Group[], target: User): boolean {
  return editBlock(rights, groups, target) === null && target.status === "deactivated";
}

/** The groups a user may be moved into: the admin group only by an administrator. */
export function movableGroups(rights: Rights, groups: readonly Group[]): Group[] {
  return groups.filter((g) => rights.isAdmin || g.type !== "admin");
}

/** "Call" is offered for a colleague with an extension who is not deactivated (the API's rule:
 *  an invited user's extension rings too); it needs one's own extension. */
export function callOffer(me: Me, target: User): "hidden" | Reason | "ok" {
  if (target.id === me.id || !target.extension || target.status === "deactivated") return "hidden";
  return me.extension ? "ok" : "team.users.noExtension";
}

/** The rights that differ between a group's saved flags and the matrix's draft (the PATCH body). */
export function changedRights(
  saved: Record<string, boolean>,
  draft: Record<string, boolean>,
): Partial<Record<Permission, boolean>> {
  const changes: Partial<Record<Permission, boolean>> = {};
  for (const right of PERMISSIONS) {
    const now = draft[right] ?? false;
    if (now !== (saved[right] ?? false)) changes[right] = now;
  }
  return changes;
}

/** A group can be deleted when it is custom and nobody is in it (the API's 409 otherwise). */
export function deleteBlock(group: Group, members: number): "team.groups.standardKept" | "team.groups.notEmpty" | null {
  if (group.type !== "custom") return "team.groups.standardKept";
  if (members > 0) return "team.groups.notEmpty";
  return null;
}

/** "a@x.fr, b@y.fr\nc@z.fr" -> the addresses, trimmed, without blanks or repeats. */
export function parseEmails(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean))];
}
