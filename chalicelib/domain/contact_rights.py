"""Who may see or change a contact (SPEC ST-7): its kind, its responsible user and the caller's rights.

Apart from the record (`contacts.py`) so that a service checking visibility loads only these rules;
the rights themselves are loaded by the first check, not by every reader of contacts (the rollup
reconciliation and the workers that read records on nobody's behalf never check any).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.contacts import Contact
    from chalicelib.domain.rights import Permission


def can_see(actor: Actor, contact: Contact) -> bool:
    """Clients: one's own, or all with customers_view_all. Leads: one's own, the pool, or all
    with leads_view."""
    from chalicelib.domain.rights import Permission

    if contact.responsible_user_id == actor.user_id:
        return True
    if contact.is_lead:
        return contact.in_pool or actor.can(Permission.LEADS_VIEW)
    return actor.can(Permission.CUSTOMERS_VIEW_ALL)


def edit_right(contact: Contact, actor: Actor) -> Permission | None:
    """The right needed to change `contact`, or None when its owner (or the pool) needs none."""
    from chalicelib.domain.rights import Permission

    if not contact.is_lead:
        return Permission.CUSTOMERS_EDIT
    if contact.responsible_user_id in (actor.user_id, None):
        return None
    return Permission.LEADS_EDIT


def delete_right(contact: Contact, actor: Actor) -> Permission | None:
    from chalicelib.domain.rights import Permission

    if not contact.is_lead:
        return Permission.CUSTOMERS_DELETE
    if contact.responsible_user_id == actor.user_id:
        return None
    return Permission.LEADS_DELETE
