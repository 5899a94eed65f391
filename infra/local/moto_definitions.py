"""Validate each state machine definition once per process, not at every create.

moto checks a definition by parsing it with its ANTLR grammar of the States language: about
35 ms for one of ours, paid again for every machine of every fresh moto (each test that registers
the workflows creates all of them). The check is a pure function of the text, so a definition
that passed once passes without a new parse; one that failed is parsed, and refused, every time.
Executions still parse their machine as moto does.
"""

from __future__ import annotations

import functools

from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_MARK = "__crm_validated_once__"


def install() -> None:
    """Idempotent."""
    validate = StepFunctionsParserBackend._validate_definition
    if getattr(validate, _MARK, False):
        return
    valid: set[str] = set()

    @functools.wraps(validate)
    def validate_once(definition: str) -> None:
        if definition not in valid:
            validate(definition=definition)  # raises InvalidDefinition: not remembered
            valid.add(definition)

    setattr(validate_once, _MARK, True)
    StepFunctionsParserBackend._validate_definition = staticmethod(validate_once)  # type: ignore[method-assign]
