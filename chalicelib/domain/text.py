"""Text normalisations the domain shares: folding for search and matching, the stored form of emails.

Apart from `search.py` and `users.py` (whose terms and users are dataclasses) so the modules that
only normalise text (properties, import rows, contacts, the list filters) do not build those.
"""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, without accents: 'Élodie' -> 'elodie'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; the stored form is trimmed and lower-case."""
    return email.strip().lower()
