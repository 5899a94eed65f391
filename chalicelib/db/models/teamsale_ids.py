"""Teamsale-compatible ids (issue 22): a CRM's sequence of small integers and the two items
that tie each number to the record it names."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.db.items import Item


class TeamsaleSeqItem(Item, discriminator="zcrm_seq"):
    """AP135: the last number handed out in a CRM (`ADD last N` reserves N numbers)."""

    last = NumberAttribute(default=0)


class TeamsaleNumberItem(Item, discriminator="zcrm_number"):
    """AP134/AP136: a number -> the record it names (`ref`: a ULID, or `label:<tag>`)."""

    ref = UnicodeAttribute()


class TeamsaleRefItem(Item, discriminator="zcrm_ref"):
    """AP137/AP138: a record -> its number (created with `attribute_not_exists`: one number)."""

    number = NumberAttribute()


__all__ = ["TeamsaleNumberItem", "TeamsaleRefItem", "TeamsaleSeqItem"]
