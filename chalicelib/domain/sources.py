"""Source tags (SPEC SO): where a lead or client came from — a called number, UTM values, custom."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record

MAX_PER_CONTACT = 5


class SourceParam(StrEnum):
    UTM_SOURCE = "utm_source"
    UTM_MEDIUM = "utm_medium"
    UTM_CAMPAIGN = "utm_campaign"
    UTM_CONTENT = "utm_content"
    UTM_TERM = "utm_term"
    PHONE = "phone"  # the virtual number (DID) that was called (SO-1)
    CUSTOM = "custom"


@record(frozen=True, slots=True)
class SourceTag:
    """A source tag: the value of one source parameter (utm_source, ...) contacts carry."""

    id: str
    param: SourceParam
    value: str
    display_value: str
    created_at: datetime
    version: int = 1


def check_source_value(value: str, *, field_name: str = "value") -> str:
    value = value.strip()
    if not 1 <= len(value) <= 200:
        raise ValidationError("a source value has 1 to 200 characters", field=field_name)
    return value
