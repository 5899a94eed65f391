"""Items of the write-time rollups (docs/analytics.md, AP63-AP66)."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.db.items import Item, strings

# Each metric of a rollup item is a top-level number attribute named `m:<metric>` (metric names
# are open-ended: per lead source, status, source tag), so one UpdateItem ADDs any of them.
METRIC_PREFIX = "m:"


class RollupItem(Item, discriminator="rollup"):
    """The cells of one (scope, period): `pk=T#<tid>#ROLL#<scope>`, `sk=<period>`; Q items carry
    `ttl` (RECENT_KEEP after their quarter-hour). Read raw (the metrics are not declared)."""


class ClosedLeadItem(Item, discriminator="closed_lead"):
    """What a lead closed as poor quality still counts for (`domain.rollups.contacts.ClosedLead`)."""

    lead_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    closed_at = UTCDateTimeAttribute()
    created_for = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    lead_source = UnicodeAttribute(null=True)
    source_tag_ids = strings()
    pool_spans = JSONAttribute(default=list)  # [[entered ISO, left ISO | null]]
