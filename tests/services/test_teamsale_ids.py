"""Teamsale ids (issue 22) at the service tier: small numbers per CRM, given once, read back."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.ids import new_id
from chalicelib.services.teamsale_ids import MAX_SAFE, TeamsaleIdService
from tests.services.world import World


def test_records_are_numbered_once_in_order_of_first_use(world: World) -> None:
    ids = TeamsaleIdService(world.storage)
    actor = world.user("Ann")
    first, second, third = new_id(), new_id(), new_id()

    assert ids.numbers(actor, [first, second, first, ""]) == {first: 1, second: 2}
    assert ids.numbers(actor, [third, second]) == {third: 3, second: 2}
    assert ids.ref(actor, 3) == third
    assert ids.numbers(actor, []) == {}


def test_numbers_are_per_crm_and_unknown_or_unsafe_ones_name_nothing(world: World) -> None:
    ids = TeamsaleIdService(world.storage)
    actor = world.user("Ann")
    other = replace(actor, tenant_id=new_id())  # someone of another CRM, same storage
    record, elsewhere = new_id(), new_id()
    assert ids.numbers(actor, [record]) == {record: 1}

    assert ids.ref(other, 1) is None
    assert ids.numbers(other, [elsewhere]) == {elsewhere: 1}
    assert ids.ref(actor, 2) is None
    assert ids.ref(actor, 0) is None
    assert ids.ref(actor, MAX_SAFE + 1) is None
