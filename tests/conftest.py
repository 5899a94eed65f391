"""Fixtures: in-process moto with the stack's resources, the API client, CRM factory, meter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fakes.clock import ManualClock
from tests.harness import Api, CrmSession, LocalAws, aws_environment, local_aws, new_crm, share_user_pool_key

aws_environment()  # before anything imports the app

from chalice.test import Client  # noqa: E402

from infra.local import moto_atomic, moto_once  # noqa: E402
from tests import meter  # noqa: E402  (installs the meter before any client exists)

moto_atomic.install()  # moto's writes atomic, as DynamoDB's are: the race tests depend on it
moto_once.install()  # what moto repeats for unchanged inputs (workflow definitions), once
share_user_pool_key()

__all__ = ["meter"]


@pytest.fixture
def aws() -> Iterator[LocalAws]:
    with local_aws() as stack:
        yield stack


@pytest.fixture(scope="module")
def module_aws() -> Iterator[LocalAws]:
    """One stack for a whole module, which opts in by overriding `aws` with it: for matrices of
    checks that change nothing another test reads (a fresh stack is most of such a test's cost)."""
    with local_aws() as stack:
        yield stack


@pytest.fixture(scope="module")
def module_crm(module_aws: LocalAws) -> CrmSession:
    """One CRM for a whole module (with `module_aws`); its tests add their own users and keys."""
    from app import app

    with Client(app) as client:
        return new_crm(Api(client))


@pytest.fixture
def clock(aws: LocalAws) -> ManualClock:
    """The time of every service in this test (real until moved)."""
    return aws.clock


@pytest.fixture
def api(aws: LocalAws) -> Iterator[Api]:
    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def make_crm(api: Api) -> Callable[..., CrmSession]:
    def make(name: str | None = None, **overrides: Any) -> CrmSession:
        return new_crm(api, name, **overrides)

    return make


# Files whose tests take tens of seconds each (servers started as processes, CDK synths, a CRM of
# thousands of records): scheduled first, so that the other files fill the cores around them
# (`make test` runs `pytest -n <cores, at most 4> --dist loadfile`) instead of finishing alone.
LONG_FILES = (
    "tests/test_local_stack.py",
    "tests/test_infra.py",
    "tests/api/test_schemathesis.py",
    "tests/api/test_zcrm_schemathesis.py",
    "tests/functions/test_imports.py",
    "tests/api/test_budgets.py",
    "tests/test_cold_start.py",
    "tests/test_demo_history.py",
)


_SHARED_ID = pytest.StashKey[int]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if shared := item.stash.get(_SHARED_ID, 0):
        pytest.fail(f"{shared} tests have this node id: pytest-xdist would run one of them only", pytrace=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-xdist hands tests to workers by node id: of the items sharing one, it runs the first
    # only, silently. Each of them fails instead, saying why (a worker cannot stop the session).
    counts = Counter(item.nodeid for item in items)
    for item in items:
        if counts[item.nodeid] > 1:
            item.stash[_SHARED_ID] = counts[item.nodeid]

    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONG_FILES.index(path) if path in LONG_FILES else len(LONG_FILES)

    items.sort(key=rank)  # stable: the order within a file is kept
