"""HTML bodies made safe to show in the web app (nh3, a Rust sanitiser with a fixed allow-list).

nh3 is a pure function library (no I/O, no AWS, no file format): it belongs with the other rules
on a message's content. `message.parse` keeps the raw HTML and does not import this module, so
only the code that stores or shows a body loads nh3.
"""

from __future__ import annotations

import nh3

# Links open outside the CRM without handing it the opener or the referrer.
_LINK_REL = "noopener noreferrer nofollow"
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid"})


def sanitize_html(html: str) -> str:
    """Scripts, event handlers, styles sheets, forms and `javascript:` URLs removed; text kept."""
    return nh3.clean(html, url_schemes=set(_URL_SCHEMES), link_rel=_LINK_REL)
