"""moto patched to cost what a call touches (infra/local/moto_speed.py), with the same answers."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.models.dynamo_type import DynamoType

from tests.harness import LocalAws, aws_client

TABLE = "crm-test"


@pytest.fixture
def db(aws: LocalAws) -> Any:
    client = aws_client("dynamodb")
    for p in range(40):  # other partitions, which neither a Query nor a transaction should touch
        for s in range(5):
            client.put_item(TableName=TABLE, Item={"pk": {"S": f"other#{p}"}, "sk": {"S": f"{s}"}})
    return client


def _put(db: Any, pk: str, sk: str, **attrs: str) -> None:
    db.put_item(TableName=TABLE, Item={"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}})


def _get(db: Any, pk: str, sk: str) -> dict[str, Any] | None:
    return db.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True).get("Item")


def _query(db: Any, pk: str, **kwargs: Any) -> list[str]:
    answer = db.query(
        TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": pk}}, **kwargs
    )
    return [i["sk"]["S"] for i in answer["Items"]]


def test_a_table_query_reads_its_partition_in_key_order_with_pages(db: Any) -> None:
    for sk in ("b", "d", "a", "c", "e"):
        _put(db, "mine", sk)
    assert _query(db, "mine") == ["a", "b", "c", "d", "e"]
    assert _query(db, "mine", ScanIndexForward=False) == ["e", "d", "c", "b", "a"]
    first = db.query(
        TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "mine"}}, Limit=2
    )
    assert [i["sk"]["S"] for i in first["Items"]] == ["a", "b"]
    rest = _query(db, "mine", ExclusiveStartKey=first["LastEvaluatedKey"])
    assert rest == ["c", "d", "e"]
    assert _query(db, "nobody") == []


def test_a_table_query_with_a_sort_key_condition_and_a_filter(db: Any) -> None:
    for sk, colour in (("FEED#1", "red"), ("FEED#2", "blue"), ("~CONTACT", "red"), ("FEED#3", "red")):
        _put(db, "contact", sk, colour=colour)
    answer = db.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :feed)",
        FilterExpression="colour = :red",
        ExpressionAttributeValues={":pk": {"S": "contact"}, ":feed": {"S": "FEED#"}, ":red": {"S": "red"}},
    )
    assert [i["sk"]["S"] for i in answer["Items"]] == ["FEED#1", "FEED#3"]


def test_a_failed_transaction_leaves_every_item_as_it_was(db: Any) -> None:
    _put(db, "kept", "1", v="old")
    _put(db, "gone", "1", v="still here")
    with pytest.raises(ClientError) as refused:
        db.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "new"}, "sk": {"S": "1"}}}},
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "kept"}, "sk": {"S": "1"}},
                        "UpdateExpression": "SET v = :new",
                        "ExpressionAttributeValues": {":new": {"S": "new"}},
                    }
                },
                {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "gone"}, "sk": {"S": "1"}}}},
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "absent"}, "sk": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _get(db, "new", "1") is None
    assert _get(db, "kept", "1") == {"pk": {"S": "kept"}, "sk": {"S": "1"}, "v": {"S": "old"}}
    assert _get(db, "gone", "1") == {"pk": {"S": "gone"}, "sk": {"S": "1"}, "v": {"S": "still here"}}
    assert _query(db, "new") == []
    assert len(_query(db, "other#7")) == 5


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(db: Any) -> None:
    _put(db, "twice", "1", v="old")
    update = {
        "TableName": TABLE,
        "Key": {"pk": {"S": "twice"}, "sk": {"S": "1"}},
        "UpdateExpression": "SET v = :new",
        "ExpressionAttributeValues": {":new": {"S": "new"}},
    }
    with pytest.raises(ClientError):
        db.transact_write_items(TransactItems=[{"Update": update}, {"Update": update}])
    assert _get(db, "twice", "1") == {"pk": {"S": "twice"}, "sk": {"S": "1"}, "v": {"S": "old"}}


def test_a_transaction_copies_the_items_it_names_not_the_table(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[Any] = []
    original = DynamoType.__deepcopy__

    def counting(self: DynamoType, memo: dict[int, Any]) -> DynamoType:
        copied.append(self)
        return original(self, memo)

    monkeypatch.setattr(DynamoType, "__deepcopy__", counting)
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"S": "x"}}}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "b"}, "sk": {"S": "1"}, "v": {"S": "y"}}}},
        ]
    )
    # moto's own backup would copy the 200 items (600 values) of the other partitions.
    assert len(copied) < 20
    assert _get(db, "a", "1") is not None
    assert _get(db, "b", "1") is not None


def test_a_limited_query_says_there_may_be_more_when_any_item_follows_as_moto_does(db: Any) -> None:
    for sk in ("FEED#1", "FEED#2", "a", "z", "0"):
        _put(db, "feed", sk)
    values = {":pk": {"S": "feed"}, ":feed": {"S": "FEED#"}}
    condition = "pk = :pk AND begins_with(sk, :feed)"
    first = db.query(TableName=TABLE, KeyConditionExpression=condition, ExpressionAttributeValues=values, Limit=2)
    assert [i["sk"]["S"] for i in first["Items"]] == ["FEED#1", "FEED#2"]
    assert first["LastEvaluatedKey"] == {"pk": {"S": "feed"}, "sk": {"S": "FEED#2"}}
    backwards = db.query(TableName=TABLE, KeyConditionExpression=condition, ExpressionAttributeValues=values,
                         Limit=2, ScanIndexForward=False)  # fmt: skip
    assert backwards["LastEvaluatedKey"] == {"pk": {"S": "feed"}, "sk": {"S": "FEED#1"}}
    rest = db.query(TableName=TABLE, KeyConditionExpression=condition, ExpressionAttributeValues=values, Limit=2,
                    ExclusiveStartKey=first["LastEvaluatedKey"])  # fmt: skip
    assert (rest["Items"], "LastEvaluatedKey" in rest) == ([], False)


def test_an_index_query_reads_its_partition_in_index_order_with_pages(db: Any) -> None:
    for sk, column, position in (("d1", "new", "b"), ("d2", "won", "a"), ("d3", "new", "a"), ("d4", "new", "c")):
        _put(db, f"deal#{sk}", "~DEAL", gsi1pk=f"col#{column}", gsi1sk=position)
    _put(db, "deal#d5", "~DEAL", gsi1pk="col#new")  # no sort key: not in the index

    def column(name: str, **kwargs: Any) -> Any:
        return db.query(
            TableName=TABLE,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :c",
            ExpressionAttributeValues={":c": {"S": f"col#{name}"}},
            **kwargs,
        )

    assert [i["pk"]["S"] for i in column("new")["Items"]] == ["deal#d3", "deal#d1", "deal#d4"]
    assert [i["pk"]["S"] for i in column("new", ScanIndexForward=False)["Items"]] == ["deal#d4", "deal#d1", "deal#d3"]
    first = column("new", Limit=2)
    assert [i["pk"]["S"] for i in first["Items"]] == ["deal#d3", "deal#d1"]
    rest = column("new", ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [i["pk"]["S"] for i in rest["Items"]] == ["deal#d4"]
    assert [i["pk"]["S"] for i in column("won")["Items"]] == ["deal#d2"]
    assert column("lost")["Items"] == []


def _column(db: Any, name: str) -> list[str]:
    answer = db.query(
        TableName=TABLE,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :c",
        ExpressionAttributeValues={":c": {"S": f"col#{name}"}},
    )
    return [i["pk"]["S"] for i in answer["Items"]]


def test_an_index_query_sees_every_kind_of_write_at_once(db: Any) -> None:
    _put(db, "deal#1", "~DEAL", gsi1pk="col#new", gsi1sk="a")
    assert _column(db, "new") == ["deal#1"]  # the index's partitions are grouped now
    _put(db, "deal#2", "~DEAL", gsi1pk="col#new", gsi1sk="b")
    assert _column(db, "new") == ["deal#1", "deal#2"]
    db.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "deal#1"}, "sk": {"S": "~DEAL"}},
        UpdateExpression="SET gsi1pk = :won",
        ExpressionAttributeValues={":won": {"S": "col#won"}},
    )
    assert (_column(db, "new"), _column(db, "won")) == (["deal#2"], ["deal#1"])
    db.delete_item(TableName=TABLE, Key={"pk": {"S": "deal#2"}, "sk": {"S": "~DEAL"}})
    assert _column(db, "new") == []
    db.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "deal#3"}, "sk": {"S": "~DEAL"},
                                                  "gsi1pk": {"S": "col#new"}, "gsi1sk": {"S": "c"}}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "deal#1"}, "sk": {"S": "~DEAL"}}}},
        ]
    )  # fmt: skip
    assert (_column(db, "new"), _column(db, "won")) == (["deal#3"], [])
    with _Batch(db) as batch:
        batch.put({"pk": {"S": "deal#4"}, "sk": {"S": "~DEAL"}, "gsi1pk": {"S": "col#won"}, "gsi1sk": {"S": "d"}})
    assert _column(db, "won") == ["deal#4"]


def test_an_index_query_after_a_failed_transaction_sees_the_items_put_back(db: Any) -> None:
    _put(db, "deal#1", "~DEAL", gsi1pk="col#new", gsi1sk="a")
    assert _column(db, "new") == ["deal#1"]
    with pytest.raises(ClientError):
        db.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "deal#1"}, "sk": {"S": "~DEAL"}},
                        "UpdateExpression": "SET gsi1pk = :won",
                        "ExpressionAttributeValues": {":won": {"S": "col#won"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": TABLE,
                        "Key": {"pk": {"S": "absent"}, "sk": {"S": "1"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert (_column(db, "new"), _column(db, "won")) == (["deal#1"], [])


class _Batch:
    """BatchWriteItem through the low-level client (moto puts each item through put_item)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._items: list[dict[str, Any]] = []

    def __enter__(self) -> _Batch:
        return self

    def put(self, item: dict[str, Any]) -> None:
        self._items.append({"PutRequest": {"Item": item}})

    def __exit__(self, *_: Any) -> None:
        self._db.batch_write_item(RequestItems={TABLE: self._items})


EVERY_TYPE = {
    "pk": {"S": "typed"},
    "sk": {"S": "1"},
    "s": {"S": "text é"},
    "n": {"N": "12.50"},
    "b": {"B": b"\x00\xffbytes"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"x", b"y"]},
    "m": {"M": {"inner": {"M": {"deep": {"L": [{"S": "x"}, {"N": "1"}, {"NULL": True}]}}}, "flag": {"BOOL": False}}},
    "l": {"L": [{"M": {"k": {"S": "v"}}}, {"BOOL": True}, {"B": b"\x01"}]},
    "nul": {"NULL": True},
    "yes": {"BOOL": True},
}


def test_answers_are_serialised_as_moto_serialises_them(db: Any) -> None:
    from infra.local import moto_serialize

    db.put_item(TableName=TABLE, Item=EVERY_TYPE)

    def read() -> tuple[Any, ...]:
        got = db.get_item(TableName=TABLE, Key={"pk": {"S": "typed"}, "sk": {"S": "1"}}, ConsistentRead=True)
        queried = db.query(
            TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "typed"}}
        )
        batch = db.batch_get_item(RequestItems={TABLE: {"Keys": [{"pk": {"S": "typed"}, "sk": {"S": "1"}}]}})
        return got["Item"], queried["Items"], queried["Count"], batch["Responses"]

    fast = read()
    moto_serialize.uninstall()
    try:
        slow = read()
    finally:
        moto_serialize.install()
    assert fast == slow
    assert fast[0] == EVERY_TYPE | {"ss": fast[0]["ss"], "ns": fast[0]["ns"], "bs": fast[0]["bs"]}


def test_a_workflow_definition_is_parsed_once_and_a_bad_one_always_refused(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """infra/local/moto_once.py: moto's check of a definition, remembered when it passed."""
    import json
    import uuid

    from moto.stepfunctions.parser import models

    parses: list[str] = []
    parse = models.AmazonStateLanguageParser.parse
    monkeypatch.setattr(models.AmazonStateLanguageParser, "parse", lambda text: parses.append(text) or parse(text))
    sfn = aws_client("stepfunctions")
    role = "arn:aws:iam::123456789012:role/Once"
    good = json.dumps({"Comment": uuid.uuid4().hex, "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    for name in ("First", "Second"):
        sfn.create_state_machine(name=name, definition=good, roleArn=role)
    assert parses == [good]
    bad = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Nowhere"}}})
    for name in ("Third", "Fourth"):
        with pytest.raises(ClientError) as refused:
            sfn.create_state_machine(name=name, definition=bad, roleArn=role)
        assert "ASLParserException" in str(refused.value)  # moto sends InvalidDefinition without its code
    assert parses == [good, bad, bad]
    assert {m["name"] for m in sfn.list_state_machines()["stateMachines"]} >= {"First", "Second"}


def test_an_item_is_refused_past_moto_s_size_limit_on_a_put_a_transaction_and_an_update(db: Any) -> None:
    # pk "big" (2 + 3 bytes), sk "1" (2 + 1), attribute name "v" (1): the rest is the value.
    fits = "x" * (405_000 - 9)

    _put(db, "big", "1", v=fits)
    assert _get(db, "big", "1") == {"pk": {"S": "big"}, "sk": {"S": "1"}, "v": {"S": fits}}
    with pytest.raises(ClientError, match="Item size has exceeded"):
        _put(db, "big", "2", v=fits + "x")
    with pytest.raises(ClientError, match="Item size has exceeded"):
        db.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "big"}, "sk": {"S": "3"}, "v": {"S": fits + "x"}}}}
            ]
        )
    with pytest.raises(ClientError, match="Item size to update has exceeded"):
        db.update_item(
            TableName=TABLE,
            Key={"pk": {"S": "big"}, "sk": {"S": "1"}},
            UpdateExpression="SET w = :w",
            ExpressionAttributeValues={":w": {"S": "y"}},
        )
    assert _get(db, "big", "2") is None
    assert _get(db, "big", "3") is None
    assert _get(db, "big", "1") == {"pk": {"S": "big"}, "sk": {"S": "1"}, "v": {"S": fits}}


def test_an_item_is_built_with_the_fields_and_values_moto_gives_it() -> None:
    from moto.dynamodb.models.dynamo_type import Item

    assert getattr(Item.__init__, "__crm_speed__", False)  # installed by the tests' conftest
    original = Item.__init__.__wrapped__  # type: ignore[attr-defined]
    attrs = {"pk": {"S": "p"}, "sk": {"S": "s"}, "tags": {"SS": ["a", "b"]}, "m": {"M": {"n": {"N": "2"}}}}
    theirs, ours = Item.__new__(Item), Item.__new__(Item)
    original(theirs, DynamoType({"S": "p"}), DynamoType({"S": "s"}), attrs)
    Item.__init__(ours, DynamoType({"S": "p"}), DynamoType({"S": "s"}), attrs)
    assert vars(ours).keys() == vars(theirs).keys()
    assert ours == theirs
    assert ours.to_json() == theirs.to_json()
    assert type(vars(ours)["attrs"]) is type(vars(theirs)["attrs"])
