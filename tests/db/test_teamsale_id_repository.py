"""Teamsale ids (AP134-AP139) against moto: one sequence per CRM, numbers handed out in bulk,
a race on one record settled by the conditional put."""

from __future__ import annotations

from chalicelib.db import keys
from chalicelib.db.models.teamsale_ids import TeamsaleNumberItem, TeamsaleRefItem
from chalicelib.db.repositories.teamsale_ids import TeamsaleIdRepository
from chalicelib.domain.ids import new_id
from tests.harness import LocalAws
from tests.meter import dynamodb_calls


def test_ap134_the_numbers_a_page_already_has_in_one_batch_get(aws: LocalAws) -> None:
    repo = TeamsaleIdRepository("t1")
    known = [new_id() for _ in range(3)]
    assigned = repo.assign(known)

    with dynamodb_calls() as calls:
        found = repo.numbers([*known, new_id()])

    assert found == assigned
    assert calls == {"BatchGetItem": 1}


def test_ap135_reserving_numbers_is_one_update_per_crm(aws: LocalAws) -> None:
    repo = TeamsaleIdRepository("t1")
    with dynamodb_calls() as calls:
        first = repo.reserve(25)
    assert list(first) == list(range(1, 26))
    assert calls == {"UpdateItem": 1}
    assert list(repo.reserve(2)) == [26, 27]
    assert list(TeamsaleIdRepository("t2").reserve(1)) == [1]  # each CRM counts from 1


def test_ap136_ap137_first_use_numbers_records_both_ways(aws: LocalAws) -> None:
    repo = TeamsaleIdRepository("t1")
    refs = [new_id() for _ in range(25)] + ["label:vip"]

    with dynamodb_calls() as calls:
        assigned = repo.assign(refs)

    assert sorted(assigned.values()) == list(range(1, 27))
    assert calls == {"UpdateItem": 1, "BatchWriteItem": 2, "PutItem": 26}
    pk = keys.tenant_pk("t1")
    assert TeamsaleNumberItem.get(pk, keys.zcrm_number_sk(assigned[refs[0]])).ref == refs[0]
    assert int(TeamsaleRefItem.get(pk, keys.zcrm_ref_sk("label:vip")).number) == assigned["label:vip"]


def test_ap138_a_number_is_one_get_item(aws: LocalAws) -> None:
    repo = TeamsaleIdRepository("t1")
    record = new_id()
    number = repo.assign([record])[record]

    with dynamodb_calls() as calls:
        assert repo.ref(number) == record
    assert calls == {"GetItem": 1}
    assert repo.ref(number + 1) is None
    assert TeamsaleIdRepository("t2").ref(number) is None  # another CRM's numbers are its own


def test_ap139_a_lost_race_takes_the_winners_number_and_skips_its_own(aws: LocalAws) -> None:
    repo = TeamsaleIdRepository("t1")
    record = new_id()
    winner = repo.assign([record])[record]
    # Another request read "no number" before the winner's claim and now assigns its own.
    again = repo.assign([record])

    assert again == {record: winner}
    assert repo.ref(winner) == record
    assert repo.ref(winner + 1) is None  # the lost number was deleted: skipped
    assert list(repo.reserve(1)) == [winner + 2]
