/**
 * What the signed-in user may do to one client or lead: the API's rules (domain/contact_rights.py
 * and the services' checks, docs/rights.md) mirrored, so the screens offer only what the API allows.
 */
import type { Rights } from "../../app/rights";

type Kind = "client" | "lead";

interface Owned {
  responsible_user_id?: string | null;
}

export function canEdit(kind: Kind, contact: Owned, me: string | undefined, rights: Rights): boolean {
  if (kind === "client") return rights.can("customers_edit");
  const owner = contact.responsible_user_id ?? null;
  return owner === null || owner === me || rights.can("leads_edit");
}

export function canDelete(kind: Kind, contact: Owned, me: string | undefined, rights: Rights): boolean {
  if (kind === "client") return rights.can("customers_delete");
  return (contact.responsible_user_id != null && contact.responsible_user_id === me) || rights.can("leads_delete");
}

/** Closing a lead as a client edits the lead and creates a client. */
export function canConvert(lead: Owned, me: string | undefined, rights: Rights): boolean {
  return canEdit("lead", lead, me, rights) && rights.can("customers_create");
}

/** Closing a lead as poor quality removes it from work: the delete rule. */
export function canClosePoor(lead: Owned, me: string | undefined, rights: Rights): boolean {
  return canDelete("lead", lead, me, rights);
}

export function canCreate(kind: Kind, rights: Rights): boolean {
  return kind === "lead" ? rights.loaded : rights.can("customers_create");
}

/** The "All" tab: every client with customers_view_all, every lead with leads_view. */
export function canSeeAll(kind: Kind, rights: Rights): boolean {
  return rights.can(kind === "client" ? "customers_view_all" : "leads_view");
}
