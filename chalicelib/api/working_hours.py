"""Working hours (SPEC ST-3): one's own schedule, colleagues' schedules, "is X working at T"."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, Field

from chalicelib.api.routing import Router
from chalicelib.api.schemas import Input, Output, VersionIn
from chalicelib.bootstrap import services
from chalicelib.domain.actor import Actor
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.rights import Access
from chalicelib.domain.users import User

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


class WorkingHoursIn(WorkingHoursDoc):
    """The working-hours document itself (API.md), and optionally the version you read."""

    version: VersionIn = None


class ShiftOut(Output):
    day: int
    start: str
    end: str


class ExceptionShiftOut(Output):
    start: str
    end: str


class ExceptionOut(Output):
    date: str
    shifts: list[ExceptionShiftOut]


class WorkingHoursOut(Output):
    """The document as stored, with the version of its user's record (to send back on PUT)."""

    timezone: str
    period_days: int
    start_date: str
    shifts: list[ShiftOut]
    exceptions: list[ExceptionOut]
    version: int = Field(description="The user record's version")

    @classmethod
    def of(cls, user: User) -> WorkingHoursOut:
        if user.working_hours is None:
            # A schedule is a sub-resource: none set reads as absent (and the user as always available).
            raise NotFoundError("no working hours are set (always available)", field="working_hours")
        return cls.model_validate({**user.working_hours, "version": user.version})


class AvailabilityQuery(Input):
    at: AwareDatetime | None = Field(None, description="ISO 8601 with an offset; default: now")


class AvailabilityOut(Output):
    working: bool
    has_schedule: bool = Field(description="false: no working hours set, so always available")


@router.route("/me/working-hours", "GET", right=Access.ANY_USER, response=WorkingHoursOut)
def get_my_working_hours(actor: Actor) -> WorkingHoursOut:
    """One's own working hours; 404 `not_found` (field `working_hours`) when none are set."""
    return WorkingHoursOut.of(actor.user)


@router.route("/me/working-hours", "PUT", right=Access.ANY_USER, body=WorkingHoursIn, response=WorkingHoursOut)
def put_my_working_hours(actor: Actor, body: WorkingHoursIn) -> WorkingHoursOut:
    """Set one's working hours (weekly, or a cycle of N days with night shifts and exceptions)."""
    document = body.model_dump(exclude={"version"})
    return WorkingHoursOut.of(services().profile.set_working_hours(actor, document, body.version))


@router.route("/me/working-hours", "DELETE", right=Access.ANY_USER, status=204)
def delete_my_working_hours(actor: Actor) -> None:
    """Remove one's working hours: always available again (204 also when none were set)."""
    services().profile.clear_working_hours(actor)


@router.route("/users/{user_id}/working-hours", "GET", right=Access.ANY_USER, response=WorkingHoursOut)
def get_working_hours(actor: Actor, user_id: str) -> WorkingHoursOut:
    """A colleague's working hours; 404 `not_found` (field `working_hours`) when none are set."""
    return WorkingHoursOut.of(services().team.get(actor, user_id))


@router.route(
    "/users/{user_id}/availability", "GET", right=Access.ANY_USER, query=AvailabilityQuery, response=AvailabilityOut
)
def get_availability(actor: Actor, user_id: str, query: AvailabilityQuery) -> AvailabilityOut:
    """Is this user working at the given time (now by default)?"""
    team = services().team
    at: datetime = query.at or team.now()
    result = team.availability(actor, user_id, at)
    return AvailabilityOut(working=result.working, has_schedule=result.has_schedule)
