"""Domain errors. `chalicelib/api/errors.py` is the only place that maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(DomainError):
    """The input is malformed or breaks a rule; `field` names the offending input path."""


class UnauthorizedError(DomainError):
    """No valid credentials: missing, forged or expired token, bad password, deactivated user."""


class ForbiddenError(DomainError):
    """Authenticated, but the caller's rights do not allow this."""


class NotFoundError(DomainError):
    """No such record in the caller's CRM (another tenant's id is also not found)."""


class ConflictError(DomainError):
    """A stale `version`, a taken unique value or a state that forbids the change."""


class StaleVersionError(ConflictError):
    """The record changed since the caller read it: they reload and retry, nothing is overwritten."""

    def __init__(self, what: str) -> None:
        super().__init__(f"the {what} changed since you last read it; reload and retry", field="version")


def check_version(given: int | None, current: int, what: str) -> None:
    """Optimistic locking at the service: refuse an edit based on an older read.

    `None` (no version sent: scripts, Zapier) stands for the version the service just read; the
    write that follows is conditional on that version, so a change in between is still a 409.
    """
    if given is not None and given != current:
        raise StaleVersionError(what)


class DuplicateError(ConflictError):
    """A phone or email already belongs to another client or lead."""

    def __init__(self, message: str, *, existing_type: str, existing_id: str, field: str | None = None):
        super().__init__(message, field=field)
        self.existing_type = existing_type
        self.existing_id = existing_id


class PayloadTooLargeError(DomainError):
    """The request body or a collection in it is larger than allowed."""


class RateLimitedError(DomainError):
    """Too many requests; retry later."""


class UnavailableError(DomainError):
    """An outside service we depend on failed; nothing was written, the call can be retried."""


class BadGatewayError(UnavailableError):
    """An outside server refused or could not be reached (a mailbox's SMTP: login refused, host
    unreachable): nothing was written; the message says which server and why."""
