"""What an edit changed on a contact, as its feed lists it (CL-7).

Apart from the contact service so the import worker (and its undo) writes the same lines without
loading the contact service and what it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalicelib.domain.contacts import Contact

# Fields an edit may change, in the order the feed lists them.
EDITABLE = (
    "name",
    "status",
    "type",
    "phones",
    "emails",
    "address",
    "website",
    "comment",
    "tags",
    "source_tag_ids",
    "properties",
    "lead_status",
)


def _shown(contact: Contact, name: str) -> Any:
    value = getattr(contact, name)
    if name == "phones":
        return [p.phone for p in value]
    if name == "emails":
        return [e.email for e in value]
    if name in ("tags", "source_tag_ids"):
        return list(value)
    if name == "properties":
        return dict(value)
    return value.value if hasattr(value, "value") else value


def changes_between(before: Contact, after: Contact) -> list[dict[str, Any]]:
    return [
        {"field": name, "old": _shown(before, name), "new": _shown(after, name)}
        for name in EDITABLE
        if _shown(before, name) != _shown(after, name)
    ]
