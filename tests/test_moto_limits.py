"""moto refuses keys over DynamoDB's size limits (infra/local/moto_limits.py), as AWS does."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import LocalAws, aws_client

TABLE = "crm-test"
LONG_PK = "p" * 2049
LONG_SK = "s" * 1025
PK_AT_LIMIT = "é" * 1024  # 2048 bytes in UTF-8: the limit counts bytes, not characters
SK_OVER_IN_BYTES = "é" * 513  # 513 characters, 1026 bytes


@pytest.fixture
def db(aws: LocalAws) -> Any:
    return aws_client("dynamodb")


def _item(pk: str, sk: str, **attrs: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _refused(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    return str(refused.value.response["Error"]["Message"])


def _get(db: Any, pk: str, sk: str) -> dict[str, Any] | None:
    return db.get_item(TableName=TABLE, Key=_key(pk, sk), ConsistentRead=True).get("Item")


def test_keys_at_the_limit_are_accepted_and_one_byte_over_is_refused_on_every_call(db: Any) -> None:
    db.put_item(TableName=TABLE, Item=_item(PK_AT_LIMIT, "s" * 1024))
    assert _get(db, PK_AT_LIMIT, "s" * 1024) is not None
    assert "2048" in _refused(db.put_item, TableName=TABLE, Item=_item(LONG_PK, "1"))
    assert "1024" in _refused(db.put_item, TableName=TABLE, Item=_item("p", SK_OVER_IN_BYTES))
    _refused(db.get_item, TableName=TABLE, Key=_key(LONG_PK, "1"))
    _refused(db.delete_item, TableName=TABLE, Key=_key("p", LONG_SK))
    _refused(
        db.update_item, TableName=TABLE, Key=_key(LONG_PK, "1"), UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "x"}},
    )  # fmt: skip
    _refused(db.batch_get_item, RequestItems={TABLE: {"Keys": [_key("p", LONG_SK)]}})
    _refused(db.transact_get_items, TransactItems=[{"Get": {"TableName": TABLE, "Key": _key(LONG_PK, "1")}}])


def test_a_query_key_condition_and_start_key_are_bounded_on_the_table_and_an_index(db: Any) -> None:
    _refused(
        db.query, TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": LONG_PK}}
    )
    _refused(
        db.query, TableName=TABLE, KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
        ExpressionAttributeValues={":pk": {"S": "p"}, ":sk": {"S": LONG_SK}},
    )  # fmt: skip
    _refused(
        db.query, TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "p"}},
        ExclusiveStartKey=_key("p", LONG_SK),
    )  # fmt: skip
    _refused(
        db.query, TableName=TABLE, IndexName="gsi1", KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "p"}},
        ExclusiveStartKey={**_key("p", "1"), "gsi1pk": {"S": "p"}, "gsi1sk": {"S": LONG_SK}},
    )  # fmt: skip
    answer = db.query(
        TableName=TABLE, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": PK_AT_LIMIT}}
    )
    assert answer["Items"] == []


def test_an_index_key_over_the_limit_refuses_the_write_and_an_update_leaves_the_item_as_it_was(db: Any) -> None:
    _refused(db.put_item, TableName=TABLE, Item=_item("p", "1", gsi1pk=LONG_PK, gsi1sk="x"))
    assert _get(db, "p", "1") is None
    db.put_item(TableName=TABLE, Item=_item("p", "2", gsi1pk="list", gsi1sk="a"))
    _refused(
        db.update_item, TableName=TABLE, Key=_key("p", "2"), UpdateExpression="SET gsi1sk = :sk, v = :v",
        ExpressionAttributeValues={":sk": {"S": LONG_SK}, ":v": {"S": "changed"}},
    )  # fmt: skip
    assert _get(db, "p", "2") == _item("p", "2", gsi1pk="list", gsi1sk="a")
    _refused(
        db.update_item, TableName=TABLE, Key=_key("p", "new"), UpdateExpression="SET gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": LONG_PK}},
    )  # fmt: skip
    assert _get(db, "p", "new") is None
    # A long value in an attribute that is no key is fine.
    db.put_item(TableName=TABLE, Item=_item("p", "3", note="n" * 5000))


def test_a_refused_batch_or_transaction_writes_nothing(db: Any) -> None:
    _refused(
        db.batch_write_item,
        RequestItems={
            TABLE: [{"PutRequest": {"Item": _item("b", "1")}}, {"PutRequest": {"Item": _item("b", LONG_SK)}}]
        },
    )
    assert _get(db, "b", "1") is None
    db.put_item(TableName=TABLE, Item=_item("t", "kept", v="old"))
    _refused(
        db.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item("t", "new")}},
            {"Update": {
                "TableName": TABLE, "Key": _key("t", "kept"), "UpdateExpression": "SET v = :v, gsi1pk = :long",
                "ExpressionAttributeValues": {":v": {"S": "new"}, ":long": {"S": LONG_PK}},
            }},
        ],
    )  # fmt: skip
    assert _get(db, "t", "new") is None
    assert _get(db, "t", "kept") == _item("t", "kept", v="old")
