"""SMS (SPEC SM-1, SM-3): templates and the rules of a message's text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import ValidationError

MAX_TEXT = 1000
MAX_TEMPLATES = 200
# `{name}` in a template is the recipient's name when the SMS goes to a contact.
NAME_PLACEHOLDER = re.compile(r"\{name\}")


@dataclass(frozen=True, slots=True)
class SmsTemplate:
    id: str
    title: str
    text: str
    created_at: datetime
    version: int = 1

    def render(self, name: str | None) -> str:
        return NAME_PLACEHOLDER.sub(name, self.text) if name else self.text


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not 1 <= len(title) <= 100:
        raise ValidationError("a title has 1 to 100 characters", field="title")
    return title


def check_text(text: str, *, field_name: str = "text") -> str:
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise ValidationError(f"an SMS has 1 to {MAX_TEXT} characters", field=field_name)
    return text
