"""The one DynamoDB table, built from the PynamoDB schema so CDK and the models cannot drift."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra import shared

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


def table_from_schema(scope: Construct, construct_id: str, schema: dict[str, Any]) -> dynamodb.Table:
    """An on-demand table with the keys and indexes of `schema` (PynamoDB's `_get_schema()`)."""
    if schema.get("local_secondary_indexes"):
        # An LSI can only be created with the table, never added to a deployed one.
        raise ValueError("the single table uses global secondary indexes only")
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}

    def key(key_schema: list[dict[str, str]], key_type: str) -> dynamodb.Attribute | None:
        names = [k["AttributeName"] for k in key_schema if k["KeyType"] == key_type]
        return dynamodb.Attribute(name=names[0], type=_ATTRIBUTE_TYPES[types[names[0]]]) if names else None

    partition_key = key(schema["key_schema"], "HASH")
    if partition_key is None:
        raise ValueError("the table schema has no HASH key")
    table = dynamodb.Table(
        scope,
        construct_id,
        partition_key=partition_key,
        sort_key=key(schema["key_schema"], "RANGE"),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        time_to_live_attribute=shared.TTL_ATTRIBUTE,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        # The CRM's data outlives any stack update or deletion, and no one deletes it by mistake
        # (docs/operations.md: turning it off, a restore drill).
        removal_policy=RemovalPolicy.RETAIN,
        deletion_protection=True,
    )
    for index in schema.get("global_secondary_indexes", []):
        projection = index.get("projection", {})
        index_key = key(index["key_schema"], "HASH")
        if index_key is None:
            raise ValueError(f"index {index['index_name']} has no HASH key")
        table.add_global_secondary_index(
            index_name=index["index_name"],
            partition_key=index_key,
            sort_key=key(index["key_schema"], "RANGE"),
            projection_type=_PROJECTIONS[projection.get("ProjectionType", "ALL")],
            non_key_attributes=projection.get("NonKeyAttributes"),
        )
    return table


def restored_table(scope: Construct, construct_id: str, table_name: str, schema: dict[str, Any]) -> dynamodb.ITable:
    """A table restored from a backup (docs/operations.md, the restore drill), used instead of the
    stack's own: grants name its indexes too. The stack's own table leaves the stack but is kept
    (retained, deletion-protected)."""
    indexes = [index["index_name"] for index in schema.get("global_secondary_indexes", [])]
    return dynamodb.Table.from_table_attributes(scope, construct_id, table_name=table_name, global_indexes=indexes)
