"""The local store's journal and snapshot, in-process (the kill -9 test is in test_local_stack.py)."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local import journal
from infra.local.persistence import RestoreError, StateFile
from tests.harness import FILES_BUCKET, REGION, Api, LocalAws, aws_client

journal.install()


@pytest.fixture
def store(aws: LocalAws, tmp_path: Path) -> Iterator[StateFile]:
    from chalicelib.db.items import Item

    state = StateFile(
        tmp_path / "state.json",
        region=REGION,
        table_name=str(Item.Meta.table_name),
        pool_id=aws.pool_id,
        ssm_prefix="/crm/test",
        bucket=FILES_BUCKET,
    )
    state.restore(aws.cognito, aws.ssm, aws_client("s3"))  # nothing saved yet: starts the journal
    yield state
    state.close()


def lines(store: StateFile) -> list[dict[str, Any]]:
    store.journal.sync()
    return [json.loads(line) for line in store.journal._path(store.journal.segment).read_text().splitlines()]


def replayed(store: StateFile) -> Any:
    """The state a restart would load from the snapshot and the journal."""
    from moto.dynamodb.models import dynamodb_backends

    table = store._table
    moto_table = dynamodb_backends["123456789012"][REGION].get_table(table)
    key_attrs = (moto_table.hash_key_attr, moto_table.range_key_attr)
    state, first = store._read(key_attrs)
    for number, segment in store.journal.segments():
        if number >= first:
            store._replay(segment, state, key_attrs)
    return state


def table_items(store: StateFile) -> list[dict[str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"][REGION].get_table(store._table)
    items = [item.to_json()["Attributes"] for item in table.all_items()]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def test_each_transaction_is_one_line_and_a_refused_write_none(store: StateFile, api: Api, make_crm) -> None:
    crm = make_crm()
    before = len(lines(store))
    client = {"name": "Acme", "phones": [{"phone": "+33612345678", "type": "mobile"}]}
    assert api.post("/v1/clients", client, token=crm.token).status == 201
    written = lines(store)[before:]
    record = next(line for line in written if any("PHONE" in json.dumps(i["key"]) for i in line.get("dynamodb", [])))
    keys = json.dumps([image["key"] for image in record["dynamodb"]])
    assert "UNIQUE#PHONE#+33612345678" in keys  # the phone's guard ...
    assert len(record["dynamodb"]) > 1  # ... in the same line as the record it guards

    after = len(lines(store))
    assert api.post("/v1/clients", {**client, "name": "Copy"}, token=crm.token).status == 409
    assert all("Copy" not in json.dumps(line) for line in lines(store)[after:])  # nothing half-written


def test_the_journal_replays_to_the_state_moto_holds(store: StateFile, api: Api, make_crm) -> None:
    crm = make_crm()
    ids = [api.post("/v1/clients", {"name": f"C{n}"}, token=crm.token).json["id"] for n in range(3)]
    assert api.request("DELETE", f"/v1/clients/{ids[0]}", token=crm.token).status in (200, 204)
    state = replayed(store)
    assert sorted(state.items.values(), key=lambda i: json.dumps(i, sort_keys=True)) == table_items(store)

    # A snapshot holds the same; the journal starts again empty after it.
    store.save()
    assert lines(store) == []
    assert [number for number, _ in store.journal.segments()] == [store.journal.segment]
    state = replayed(store)
    assert sorted(state.items.values(), key=lambda i: json.dumps(i, sort_keys=True)) == table_items(store)


def test_refresh_tokens_and_logins_are_journaled(store: StateFile, api: Api, make_crm) -> None:
    from chalicelib.domain.users import principal_name

    crm = make_crm()
    state = replayed(store)
    [login] = [login for login in state.logins if login["username"] == principal_name(crm.id, crm.admin["id"])]
    assert login["password"]
    assert login["enabled"]
    assert crm.refresh_token in state.grants


def test_a_line_cut_short_by_a_kill_is_skipped_but_a_corrupt_one_names_its_place(store: StateFile) -> None:
    path = store.journal._path(store.journal.segment)
    store.journal.append({"ssm": "/crm/test/a", "value": "1"})
    with path.open("a") as out:
        out.write('{"ssm": "/crm/test/b", "val')  # the process died in the middle of this write
    assert replayed(store).parameters == {"/crm/test/a": "1"}

    with path.open("a") as out:
        out.write('\n{"ssm": "/crm/test/c", "value": "3"}\n')
    with pytest.raises(RestoreError, match=rf"{path.name} line 2 is not JSON"):
        replayed(store)


def test_a_snapshot_taken_while_writes_go_on_replays_exactly(store: StateFile) -> None:
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends["123456789012"][REGION]
    for n in range(3000):
        backend.put_item(store._table, {"pk": {"S": f"T#x#C#{n % 300}"}, "sk": {"S": f"N#{n}"}, "v": {"N": "0"}})
    stop = threading.Event()

    def write() -> None:  # rewrites, deletes and creates items while the snapshot copies them
        for n in itertools.count():
            if stop.is_set():
                return
            key = {"pk": {"S": f"T#x#C#{n % 300}"}, "sk": {"S": f"N#{n % 3000}"}}
            if n % 3:
                backend.put_item(store._table, {**key, "v": {"N": str(n)}})
            else:
                backend.delete_item(store._table, key)
            backend.put_item(store._table, {"pk": {"S": "T#x#NEW"}, "sk": {"S": f"N#{n}"}})

    writer = threading.Thread(target=write)
    writer.start()
    try:
        store.save()
    finally:
        stop.set()
        writer.join()
    state = replayed(store)
    assert sorted(state.items.values(), key=lambda i: json.dumps(i, sort_keys=True)) == table_items(store)


def _restore_from(aws: LocalAws, directory: Path, files: dict[str, str]) -> RestoreError:
    """Restore a store made of `files` (name -> text) into a second StateFile: the error it
    raises, after checking that no file was changed, added or removed."""
    from chalicelib.db.items import Item

    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text)
    state = StateFile(
        directory / "state.json",
        region=REGION,
        table_name=str(Item.Meta.table_name),
        pool_id=aws.pool_id,
        ssm_prefix="/crm/test",
    )
    with pytest.raises(RestoreError) as raised:
        state.restore(aws.cognito, aws.ssm)
    assert state.save() == {}  # a failed restore never writes over the file
    assert {p.name: p.read_text() for p in directory.iterdir()} == files
    return raised.value


def _snapshot(**sections: Any) -> str:
    return json.dumps({"version": 2, "journal": 0, **sections})


@pytest.mark.parametrize(
    ("sections", "named"),
    [
        ({"cognito": "x"}, "the 'cognito' section is not a list"),
        ({"cognito": [{"password": "p"}]}, "cognito login #1"),
        ({"ssm": [{"value": "1"}]}, "ssm parameter #1"),
        ({"ssm": {"name": "a"}}, "the 'ssm' section is not a list"),
        ({"refresh_tokens": ["t"]}, "the 'refresh_tokens' section is not a object"),
        ({"refresh_tokens": {"tok": "x"}}, "refresh_tokens entry 'tok'"),
        ({"dynamodb": [{"pk": {"S": "a"}, "sk": {"S": "b"}, "v": {"Q": "x"}}]}, "DynamoDB item #1 is malformed"),
        ({"dynamodb": [{"pk": {"S": "a"}, "sk": {"S": "b"}, "v": {"M": {"w": {"N": 1}}}}]}, "'v.w'"),
        ({"journal": "x"}, "journal is not a segment number"),
    ],
)
def test_a_malformed_section_is_a_restore_error_naming_it_and_no_file_changes(
    store: StateFile, aws: LocalAws, tmp_path: Path, sections: dict[str, Any], named: str
) -> None:
    error = _restore_from(aws, tmp_path / "bad", {"state.json": _snapshot(**sections)})
    assert named in str(error)
    assert "state.json" in str(error)


def test_a_bad_record_replayed_from_a_journal_names_the_journal_and_its_line(
    store: StateFile, aws: LocalAws, tmp_path: Path
) -> None:
    good = json.dumps({"ssm": "/crm/test/a", "value": "1"})
    refused = json.dumps({"dynamodb": [{"key": {"pk": {"S": "a"}}, "item": {"pk": {"S": "a"}}}]})  # no sk
    error = _restore_from(
        aws, tmp_path / "j1", {"state.json": _snapshot(), "state.json.journal.1": f"{good}\n{refused}\n"}
    )
    assert "state.json.journal.1 line 2" in str(error)
    typed = json.dumps({"dynamodb": [{"key": {"pk": {"S": "a"}}, "item": {"pk": {"Q": "a"}}}]})
    error = _restore_from(aws, tmp_path / "j2", {"state.json": _snapshot(), "state.json.journal.1": f"{typed}\n"})
    assert "state.json.journal.1 line 1 is malformed" in str(error)
    assert "'Q'" in str(error)


def test_a_truncated_last_line_of_any_segment_is_skipped_after_two_crashes(store: StateFile) -> None:
    """The first crash left segment N with only a cut line; the next run wrote N+1 and crashed
    too: both cut lines were never acknowledged, the start goes on."""
    older = store.journal._path(store.journal.segment + 1)
    older.write_text('{"ssm": "/crm/test/lost", "val')
    newer = store.journal._path(store.journal.segment + 2)
    newer.write_text('{"ssm": "/crm/test/b", "value": "2"}\n{"ssm": "/crm/test/c", "va')
    assert replayed(store).parameters == {"/crm/test/b": "2"}

    older.write_text('{"ssm": "/crm/test/lost", "val\n{"ssm": "/crm/test/x", "value": "9"}\n')
    with pytest.raises(RestoreError, match=rf"{older.name} line 1 is not JSON"):
        replayed(store)  # corrupt, and followed by more lines: refused
