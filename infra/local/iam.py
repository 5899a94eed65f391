"""The registry's access, enforced on the AWS calls a function makes, as IAM does in AWS.

moto grants everything, so a function missing an `Access` in `functions/registry.py` works in
the tests and on a laptop, then fails in AWS with AccessDenied (a deferred SMS that needs the
CRM's PBX keys from SSM, say). While a registered function runs here — through the Lambda glue,
or a test's `acting_as` — each AWS call it makes must be covered by the access CDK grants for
it; any other call is refused with the error AWS would give.

The table below mirrors `infra/stacks/crm_stack.py` (`_function` and the statements it adds): the
Cognito and SSM action lists are the ones CDK grants (`infra/shared.py`), the table and bucket
operations those of CDK's `grant_read_data` / `grant_write_data` / `grant_put` / `grant_read`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from functions.registry import FUNCTIONS, Access, LambdaFunction
from infra import shared

_TABLE_READ = ("GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "TransactGetItems")
_TABLE_WRITE = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")
_FILES_WRITE = ("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload")
_FILES_READ = ("GetObject", "HeadObject")


def _pair(action: str) -> tuple[str, str]:
    """An IAM action as botocore names the call: ("ssm", "GetParameter") for ssm:GetParameter."""
    service, operation = action.split(":", 1)
    return service, operation


# (service, operation) -> the access that grants it.
_GRANTS: dict[tuple[str, str], Access] = {
    **{("dynamodb", op): Access.TABLE_READ for op in _TABLE_READ},
    **{("dynamodb", op): Access.TABLE_WRITE for op in _TABLE_WRITE},
    **{_pair(action): Access.TENANT_SECRETS for action in shared.SECRET_ACTIONS},
    ("ses", "SendEmail"): Access.SEND_EMAIL,
    ("sesv2", "SendEmail"): Access.SEND_EMAIL,
    **{("s3", op): Access.FILES_WRITE for op in _FILES_WRITE},
    **{("s3", op): Access.FILES_READ for op in _FILES_READ},
    **{_pair(action): Access.USER_POOL_ADMIN for action in shared.USER_POOL_ADMIN_ACTIONS},
}
# Calls that need two grants.
_ALSO_NEEDS: dict[tuple[str, str], set[Access]] = {("s3", "CopyObject"): {Access.FILES_READ, Access.FILES_WRITE}}

_running: contextvars.ContextVar[LambdaFunction | None] = contextvars.ContextVar("running_function", default=None)
# botocore-stubs leave out the private funnel wrapped here: reached through an untyped alias.
_CLIENT_CLASS: Any = BaseClient
_original = _CLIENT_CLASS._make_api_call
_BY_NAME = {fn.name: fn for fn in FUNCTIONS}


def required(service: str, operation: str) -> set[Access] | None:
    """What a function needs for this call; None: nothing the registry can grant."""
    if (service, operation) in _ALSO_NEEDS:
        return _ALSO_NEEDS[(service, operation)]
    access = _GRANTS.get((service, operation))
    return {access} if access else None


def _enforced(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
    function = _running.get()
    if function is not None:
        service = self.meta.service_model.service_name
        needs = required(service, operation_name)
        if needs is None or not needs <= function.access:
            missing = ", ".join(sorted(a.value for a in needs - function.access)) if needs else "no registry access"
            raise ClientError(
                {
                    "Error": {
                        "Code": "AccessDeniedException",
                        "Message": f"{function.name} is not authorized to perform {service}:{operation_name} "
                        f"(functions/registry.py grants it: {missing})",
                    }
                },
                operation_name,
            )
    return _original(self, operation_name, api_params)


def install() -> None:
    """Idempotent; chains with other wrappers of botocore's funnel (the tests' meter)."""
    global _original
    if getattr(_CLIENT_CLASS._make_api_call, "__crm_iam__", False):
        return
    _original = _CLIENT_CLASS._make_api_call
    _enforced.__crm_iam__ = True  # type: ignore[attr-defined]  # a marker on the function object
    _CLIENT_CLASS._make_api_call = _enforced


def function_named(name: str) -> LambdaFunction | None:
    """The registry's function for a deployed name (`crm-dev-DueActions` or `DueActions`)."""
    return _BY_NAME.get(name) or _BY_NAME.get(name.rsplit("-", 1)[-1])


@contextmanager
def acting_as(function: LambdaFunction | str) -> Iterator[LambdaFunction]:
    """Run the block with the access of this registered function only."""
    install()
    found = function_named(function) if isinstance(function, str) else function
    if found is None:
        raise KeyError(f"no function {function!r} in functions/registry.py")
    token = _running.set(found)
    try:
        yield found
    finally:
        _running.reset(token)
