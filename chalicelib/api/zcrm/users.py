"""Teamsale users (read-only), their working hours and the user groups."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib.api.zcrm.edge import ZcrmRouter
from chalicelib.api.zcrm.mapping import every, num, rid, stamp
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access, GroupType, Permission
from chalicelib.domain.users import TelephonyMode, User, UserStatus, WeekStart

router = ZcrmRouter(__name__)
Params = dict[str, Any]
LANGUAGES = ("de", "en", "es", "pl", "ru", "ua", "fr")


def user_out(user: User, groups: dict[str, Any]) -> dict[str, Any]:
    group = groups.get(user.group_id)
    record: dict[str, Any] = {
        "id": num(user.id),
        "email": user.email,
        "name": user.name,
        "group_id": num(user.group_id),
        "is_superadmin": 1 if group is not None and group.type is GroupType.ADMIN else 0,
        "enabled": 0 if user.status is UserStatus.DEACTIVATED else 1,
        "created_at": stamp(user.created_at),
        "role": "",
        "status": "",
        "language": user.language if user.language in LANGUAGES else "en",
        "internal_number": user.extension or "",
        "first_day": 0 if user.week_start is WeekStart.SUNDAY else 1,
        "device": "softphone" if user.telephony_mode is TelephonyMode.SOFTPHONE else "webphone",
        "phones": [{"type": "work", "phone": p} for p in user.phones],
        "contacts": [{"type": "email_work", "value": user.email}],
    }
    if user.timezone:
        record["timezone"] = user.timezone
    return record


def _groups(actor: Actor) -> dict[str, Any]:
    groups = services().groups
    return {g.id: g for g in every(lambda limit, cursor: groups.page(actor, limit=limit, cursor=cursor))}


@router.route("/users", "GET", right=Access.ANY_USER)
def zcrm_list_users(actor: Actor, params: Params) -> dict[str, Any]:
    """List users."""
    team = services().team
    users = list(every(lambda limit, cursor: team.page(actor, group_id=None, limit=limit, cursor=cursor)))
    groups = _groups(actor)
    return {"totalCount": len(users), "users": [user_out(u, groups) for u in users]}


@router.route("/users/groups", "GET", right=Access.ANY_USER)
def zcrm_list_groups(actor: Actor, params: Params) -> dict[str, Any]:
    """List user groups with their permission flags (empty for admin groups, which hold all)."""
    groups = list(_groups(actor).values())
    return {
        "totalCount": len(groups),
        "groups": [
            {
                "id": num(g.id),
                "type": g.type.value,
                "title": g.title if g.type is GroupType.CUSTOM else "",
                "permissions": {} if g.type is GroupType.ADMIN else {p.value: p in g.permissions for p in Permission},
            }
            for g in groups
        ],
    }


@router.route("/users/{user_id}", "GET", right=Access.ANY_USER)
def zcrm_get_user(actor: Actor, params: Params, user_id: str) -> dict[str, Any]:
    """Get a user."""
    user = services().team.get(actor, rid(user_id, "user"))
    return user_out(user, _groups(actor))


@router.route("/users/{user_id}/working-hours", "GET", right=Access.ANY_USER)
def zcrm_user_working_hours(actor: Actor, params: Params, user_id: str) -> dict[str, Any]:
    """A user's working hours: our cycle of shifts as Teamsale's schedule."""
    user = services().team.get(actor, rid(user_id, "user"))
    doc = user.working_hours or {}
    try:
        start = date.fromisoformat(str(doc.get("start_date") or ""))
    except ValueError:
        start = date(2024, 1, 1)

    def span(day: date, shift: dict[str, Any]) -> dict[str, str]:
        return {
            "time_start": f"{day.isoformat()} {shift.get('start')}:00",
            "time_end": f"{day.isoformat()} {shift.get('end')}:00",
        }

    shifts = [span(start + timedelta(days=int(s.get("day", 0))), s) for s in doc.get("shifts") or []]
    custom = [
        span(date.fromisoformat(str(e.get("date"))), s)
        for e in doc.get("exceptions") or []
        for s in e.get("shifts") or []
    ]
    return {
        "schedulePeriod": int(doc.get("period_days") or 7),
        "scheduleWorkingHours": shifts,
        "scheduleFixes": [],
        "customWorkingHours": custom,
    }
