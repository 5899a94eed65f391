"""The base of the one table's PynamoDB models.

`Item` declares the generic keys and indexes; each record type is a subclass selected by the
`_t` discriminator, defined in `chalicelib/db/models/<area>.py` and imported by the repositories
that use it, so a Lambda loads only the record types it reads and writes. The table's schema
(CDK, local stack, tests) is generated from `Item` with every model loaded (`table_schema`).
Key strings come from `keys.py`; repositories convert items to and from domain objects.

A read that can return several record types (`Item.query` over a partition, `Item.batch_get`,
an index shared by several types) sees only the types whose module is imported: PynamoDB
filters a query on the discriminators it knows, and a `batch_get` fails on an unknown one. The
repository doing such a read imports every model that can come back (or calls
`models.load_all()`).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from pynamodb.attributes import DiscriminatorAttribute, ListAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


def strings() -> ListAttribute[str]:
    """A list of strings. PynamoDB types `of=UnicodeAttribute` as a list of attributes; the
    values read and written are `str`."""
    return cast("ListAttribute[str]", ListAttribute(of=UnicodeAttribute, default=list))


class Gsi1(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex["Item"]):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class Item(Model):
    """The base of every record: generic keys, three overloaded sparse indexes, TTL."""

    class Meta:
        # Bound by the composition root from the settings (`bind_table`): nothing reads them at import.
        table_name: str | None = None
        region: str | None = None
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute(attr_name="_t")
    # Indexes are sparse: an item appears in gsiN only when it sets gsiNpk. Three are declared
    # up front because a deployed table gains at most one new index per update.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    # Epoch seconds after which DynamoDB deletes the item (invitations, idempotency records).
    ttl = TTLAttribute(null=True)

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()


M = TypeVar("M", bound=Item)


def narrow(item: Item, model: type[M]) -> M:
    """`item` as the record type its `_t` made it: a query on an index shared by several record
    types is typed `Item`. Another type there is a key collision, never skipped silently."""
    if not isinstance(item, model):
        raise TypeError(f"expected a {model.__name__} record, read a {type(item).__name__} at {item.pk} {item.sk}")
    return item


def bind_table(table_name: str, region: str) -> None:
    """Point every model at the stage's table; connections made for another table are dropped.

    The models share `Item.Meta`, so a model imported later reads the same table and region."""
    if (Item.Meta.table_name, getattr(Item.Meta, "region", None)) == (table_name, region):
        return  # the same table: keep the connections (a botocore client costs ~50 ms to build)
    Item.Meta.table_name = table_name
    Item.Meta.region = region
    models: list[type[Model]] = [Item]
    while models:
        model = models.pop()
        model._connection = None  # PynamoDB caches one connection per model class
        models.extend(model.__subclasses__())


def table_schema() -> dict[str, Any]:
    """Key schema and indexes of the table, as PynamoDB creates it (CDK must match)."""
    from chalicelib.db.models import load_all

    load_all()  # indexes a record type might declare belong to the table too
    return dict(Item._get_schema())  # private in PynamoDB, but the one source of the schema


__all__ = ["Gsi1", "Gsi2", "Gsi3", "Item", "bind_table", "narrow", "strings", "table_schema"]
