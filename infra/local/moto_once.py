"""Work moto repeats for inputs that never change, done once per process (tests and benchmarks).

- A state machine's definition is checked by parsing it with moto's ANTLR grammar of the States
  language: about 35 ms for one of ours, paid again for every machine of every fresh moto (each
  test that registers the workflows creates all of them). The check is a pure function of the
  text: a definition that passed once passes without a new parse; one that failed is parsed, and
  refused, every time. Executions still parse their machine as moto does.
- Every request moto answers lists its response class's methods with `inspect.getmembers` to
  find the action's handler (~0.3 ms); the classes' methods do not change, so once per class.
"""

from __future__ import annotations

import functools

from moto.core import responses
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_MARK = "__crm_once__"


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
    names = functools.cache(responses.method_names_from_class)
    responses.method_names_from_class = lambda clazz: list(names(clazz))  # a copy: callers may change it
