"""The table's record types (PynamoDB models), one module per area of the application.

Each module holds the `Item` subclasses (see `chalicelib/db/items.py`) of one area, and the
repositories import the modules they read and write: a Lambda loads only its own record types.
A new area adds a module here; nothing else needs to list it (`load_all` finds every module).
"""

from __future__ import annotations


def load_all() -> None:
    """Import every model module: for what must know every record type (the table's schema,
    a read over a partition that holds any of them)."""
    import importlib  # here: a Lambda that loads its own record types never lists the package
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
