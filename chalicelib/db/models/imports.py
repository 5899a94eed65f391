"""Imports and exports of contacts."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)

from chalicelib.db.items import Item


class ImportItem(Item, discriminator="import"):
    """An import of clients or leads (AP41, AP42): its file, mapping, progress and undo progress."""

    entity = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    file_key = UnicodeAttribute()
    mapping = JSONAttribute(null=True)
    headers = JSONAttribute(null=True)
    on_duplicate = UnicodeAttribute(null=True)
    started_at = UTCDateTimeAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    total = NumberAttribute(null=True)
    chunks = NumberAttribute(null=True)
    next_chunk = NumberAttribute(default=0)
    chunk_part = NumberAttribute(default=0)
    processed = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    errors = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    undo_next_chunk = NumberAttribute(default=0)
    undo_part = NumberAttribute(default=0)
    deleted = NumberAttribute(default=0)
    restored = NumberAttribute(default=0)
    undone_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class ExportItem(Item, discriminator="export"):
    """An export of clients or leads to a file (AP45, AP46)."""

    entity = UnicodeAttribute()
    format = UnicodeAttribute()
    filters = JSONAttribute(default=dict)
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    file_key = UnicodeAttribute()
    rows = NumberAttribute(null=True)
    finished_at = UTCDateTimeAttribute(null=True)
    error = UnicodeAttribute(null=True)


__all__ = ["ExportItem", "ImportItem"]
