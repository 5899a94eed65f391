"""HTML bodies made safe to show in the web app (nh3, a Rust sanitiser with a fixed allow-list).

nh3 is a pure function library (no I/O, no AWS, no file format): it belongs with the other rules
on a message's content. `message.parse` keeps the raw HTML and does not import this module, and
nh3 is imported inside the function (like openpyxl in formats/): importing this module costs a
Lambda's cold start nothing; only the code that sanitises a body loads nh3.
"""

from __future__ import annotations

# Links open outside the CRM without handing it the opener or the referrer.
_LINK_REL = "noopener noreferrer nofollow"
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "cid"})


def sanitize_html(html: str) -> str:
    """Scripts, event handlers, styles sheets, forms and `javascript:` URLs removed; text kept."""
    import nh3  # kept off the cold start

    return nh3.clean(html, url_schemes=set(_URL_SCHEMES), link_rel=_LINK_REL)
