"""Each user's dashboard layout (AP72): one small item per user in the tenant partition."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute

from chalicelib.db.items import Item


class DashboardLayoutItem(Item, discriminator="dashboard"):
    """`widgets`: [{"id", "visible", "position"}] as the user saved them."""

    widgets = JSONAttribute(default=list)
