"""Every service test gets a fresh CRM in memory (`world`)."""

from __future__ import annotations

import pytest

from tests.services.world import World


@pytest.fixture
def world() -> World:
    return World()
