"""The record types' layout: `db/items.py` holds the base, `db/models/<area>.py` the types."""

from __future__ import annotations

import importlib
import pkgutil

from chalicelib.db import models
from chalicelib.db.items import Item, table_schema
from chalicelib.db.models import load_all


def model_classes() -> list[type[Item]]:
    load_all()
    found = []
    for info in pkgutil.iter_modules(models.__path__):
        module = importlib.import_module(f"{models.__name__}.{info.name}")
        found += [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Item) and v is not Item]
    return found


def test_every_record_type_is_a_discriminated_item_of_a_models_module() -> None:
    classes = model_classes()
    assert len(classes) >= 28, "sanity: the modules were found"
    discriminator = Item._get_discriminator_attribute()
    assert discriminator is not None
    registered = set(discriminator.get_registered_subclasses(Item))
    assert set(classes) <= registered
    # Every Item subclass lives in a models module (none defined elsewhere in chalicelib).
    assert {c.__module__.rpartition(".")[0] for c in registered if c.__module__.startswith("chalicelib")} == {
        "chalicelib.db.models"
    }


def test_models_share_the_base_meta_so_a_model_imported_after_binding_reads_the_bound_table() -> None:
    for model in model_classes():
        assert "Meta" not in vars(model), model.__name__
        assert model.Meta is Item.Meta


def test_the_schema_has_the_key_and_the_three_indexes() -> None:
    schema = table_schema()
    assert [k["AttributeName"] for k in schema["key_schema"]] == ["pk", "sk"]
    assert sorted(i["index_name"] for i in schema["global_secondary_indexes"]) == ["gsi1", "gsi2", "gsi3"]
