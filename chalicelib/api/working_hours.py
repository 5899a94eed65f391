"""Working hours (SPEC ST-3): one's own schedule, colleagues' schedules, "is X working at T"."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.rights import Access

router = Router(__name__, tag="Working hours")

_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class ShiftIn(Input):
    day: int = Field(ge=0, description="Day of the cycle, counted from start_date (day 0)")
    start: str = Field(pattern=_TIME, examples=["09:00"])
    end: str = Field(pattern=_TIME, examples=["17:00"], description="Not after start: ends the next day")


class ExceptionShiftIn(Input):
    start: str = Field(pattern=_TIME)
    end: str = Field(pattern=_TIME)


class ExceptionIn(Input):
    date: str = Field(examples=["2026-12-25"])
    shifts: list[ExceptionShiftIn] = Field(default_factory=list, description="Empty: a day off")


class WorkingHoursDoc(Input):
    """A cycle of `period_days` days (7 for a week starting on a Monday) in local wall-clock time."""

    timezone: str = Field(examples=["Europe/Paris"])
    period_days: int = Field(ge=1, le=366, examples=[7])
    start_date: str = Field(examples=["2026-11-23"])
    shifts: list[ShiftIn] = Field(max_length=200)
    exceptions: list[ExceptionIn] = Field(default_factory=list, max_length=400)


class WorkingHoursOut(Output):
    working_hours: WorkingHoursDoc | None = Field(description="null: no schedule (always available)")


class WorkingHoursPut(Input):
    working_hours: WorkingHoursDoc | None


class AvailabilityQuery(Input):
    at: AwareDatetime | None = Field(None, description="ISO 8601 with an offset; default: now")


class AvailabilityOut(Output):
    working: bool
    has_schedule: bool = Field(description="false: no working hours set, so always available")


@router.route("/me/working-hours", "GET", right=Access.ANY_USER, response=WorkingHoursOut)
def get_my_working_hours(actor: Actor) -> WorkingHoursOut:
    """One's own working hours."""
    return WorkingHoursOut.model_validate({"working_hours": actor.user.working_hours})


@router.route("/me/working-hours", "PUT", right=Access.ANY_USER, body=WorkingHoursPut, response=WorkingHoursOut)
def put_my_working_hours(actor: Actor, body: WorkingHoursPut) -> WorkingHoursOut:
    """Replace one's working hours (weekly, or a cycle of N days with night shifts and exceptions)."""
    document = body.working_hours.model_dump() if body.working_hours else None
    user = services().profile.set_working_hours(actor, document)
    return WorkingHoursOut.model_validate({"working_hours": user.working_hours})


@router.route("/users/{user_id}/working-hours", "GET", right=Access.ANY_USER, response=WorkingHoursOut)
def get_working_hours(actor: Actor, user_id: str) -> WorkingHoursOut:
    """A colleague's working hours."""
    return WorkingHoursOut.model_validate({"working_hours": services().team.working_hours(actor, user_id)})


@router.route(
    "/users/{user_id}/availability", "GET", right=Access.ANY_USER, query=AvailabilityQuery, response=AvailabilityOut
)
def get_availability(actor: Actor, user_id: str, query: AvailabilityQuery) -> AvailabilityOut:
    """Is this user working at the given time (now by default)?"""
    team = services().team
    at: datetime = query.at or team.now()
    result = team.availability(actor, user_id, at)
    return AvailabilityOut(working=result.working, has_schedule=result.has_schedule)
