"""Teamsale's call journal and files."""

from __future__ import annotations

import hashlib
from typing import Any

from chalicelib.api.zcrm.edge import ZcrmRouter, as_dict, not_found, paging, text
from chalicelib.api.zcrm.mapping import every, num, optional_rid, parse_stamp, stamp
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.rights import Access
from chalicelib.domain.telephony import Call, CallDirection, CallStatus

router = ZcrmRouter(__name__)
Params = dict[str, Any]


def call_number(call_id: str) -> int:
    """A call's integer id: our calls are named by the PBX's pbx_call_id, a string (no Teamsale
    operation takes a call id back)."""
    return int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:6], "big")


def call_out(call: Call) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": call_number(call.id),
        "type": "outgoing" if call.direction is CallDirection.OUTGOING else "incoming",
        "status": (call.status or CallStatus.ANSWER).value,
        "phone": call.phone or "",
        "user_id": num(call.user_id),
        "time": stamp(call.started_at),
        "duration": int(call.duration_s or 0),
        "pbx_call_id": call.id,
        "record": 1 if call.has_recording else 0,
        "is_lead": 1 if call.contact_type == "lead" else 0,
        "contact_employee_id": None,
        "employee_customer_id": None,
        "contact_user_id": None,
    }
    if call.contact_id:
        record.update(
            contact_type="customer", contact_name=call.contact_name or "", contact_customer_id=num(call.contact_id)
        )
    else:
        record["contact_customer_id"] = None
    return record


def _enum(enum: Any, value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return enum(str(value))
    except ValueError:
        raise ValidationError(f"{field}: one of {', '.join(e.value for e in enum)}", field=field) from None


@router.route("/calls", "GET", right=Access.ANY_USER)
def zcrm_list_calls(actor: Actor, params: Params) -> dict[str, Any]:
    """The call journal, newest first."""
    take, skip = paging(params)
    filters = as_dict(params.get("filter"), "filter")
    search = (text(params, "search", max_length=100) or "").strip()
    start_from = parse_stamp(filters.get("dateFrom"), "filter[dateFrom]")
    start_to = parse_stamp(filters.get("dateTo"), "filter[dateTo]")
    if start_from and start_to and start_from > start_to:
        raise ValidationError("filter[dateTo] is before filter[dateFrom]", field="filter[dateTo]")
    telephony = services().telephony
    calls = list(
        every(
            lambda limit, cursor: telephony.calls(
                actor,
                user_id=optional_rid(filters.get("user"), "filter[user]"),
                direction=_enum(CallDirection, filters.get("type"), "filter[type]"),
                status=_enum(CallStatus, filters.get("status"), "filter[status]"),
                start_from=start_from,
                start_to=start_to,
                q=search if len(search) >= 2 else None,
                limit=limit,
                cursor=cursor,
            )
        )
    )
    return {"totalCount": len(calls), "calls": [call_out(c) for c in calls[skip : skip + take]]}


@router.route("/files/{file_id}", "GET", right=Access.ANY_USER)
def zcrm_get_file(actor: Actor, params: Params, file_id: str) -> None:
    """A file attached to a note: our notes carry no files, so none is ever found (404)."""
    raise not_found("file")
