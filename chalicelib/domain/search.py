"""Universal search terms (SPEC CL-1): words of names, emails, phone digits.

Words are case- and accent-folded ("Élodie" matches "elo"); phone digits are kept reversed so
that "the last digits of a number" is a prefix too. Each term becomes an index item whose sort
key starts with the term, so a search is a prefix Query: its cost follows the matches, not the
size of the CRM.
"""

from __future__ import annotations

import re
from enum import StrEnum

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.records import record
from chalicelib.domain.text import fold as fold

MAX_NAME_WORDS = 10
MIN_WORD = 2
MIN_DIGITS = 3
_WORD = re.compile(r"[^\W_]+")
_PHONE_QUERY = re.compile(r"^[+\d\s().-]+$")


class TermKind(StrEnum):
    WORD = "W"
    EMAIL = "E"
    PHONE = "P"
    # Calls have their own partitions: a search of calls never wades through contacts' terms.
    CALL_WORD = "CW"
    CALL_PHONE = "CP"


MAX_TRANSCRIPT_WORDS = 300


@record(frozen=True, slots=True, order=True)
class Term:
    """A word or number a record is found by, and what kind."""

    kind: TermKind
    value: str

    @property
    def bucket(self) -> str:
        """Index partitions are split by the first two characters, to spread big CRMs."""
        return self.value[:2]


def name_words(name: str) -> list[str]:
    words = [w for w in _WORD.findall(fold(name)) if len(w) >= MIN_WORD]
    return list(dict.fromkeys(words))[:MAX_NAME_WORDS]


def terms_of(name: str, emails: tuple[str, ...] = (), phones: tuple[str, ...] = ()) -> frozenset[Term]:
    """The index terms of a record: its name's words, its emails, its phones' digits reversed."""
    terms = {Term(TermKind.WORD, w) for w in name_words(name)}
    terms |= {Term(TermKind.EMAIL, fold(e)) for e in emails}
    terms |= {Term(TermKind.PHONE, re.sub(r"\D", "", p)[::-1]) for p in phones}
    return frozenset(t for t in terms if len(t.value) >= MIN_WORD)


def call_terms(phone: str | None, name: str | None, transcript: str | None) -> frozenset[Term]:
    """A call's terms: the other party's number and name, and the words of its transcript."""
    terms: set[Term] = set()
    if phone:
        terms.add(Term(TermKind.CALL_PHONE, re.sub(r"\D", "", phone)[::-1]))
    for text, limit in ((name, MAX_NAME_WORDS), (transcript, MAX_TRANSCRIPT_WORDS)):
        words = [w for w in _WORD.findall(fold(text or "")) if len(w) >= MIN_WORD]
        terms |= {Term(TermKind.CALL_WORD, w) for w in list(dict.fromkeys(words))[:limit]}
    return frozenset(t for t in terms if len(t.value) >= MIN_WORD)


def for_calls(query: SearchQuery) -> SearchQuery:
    """The same search over calls' terms (an email is not something a call has)."""
    kinds = {TermKind.WORD: TermKind.CALL_WORD, TermKind.PHONE: TermKind.CALL_PHONE}
    if query.term.kind not in kinds:
        raise ValidationError("search calls by a number, a name or words said", field="q")
    return SearchQuery(Term(kinds[query.term.kind], query.term.value), query.other_words)


@record(frozen=True, slots=True)
class SearchQuery:
    """What to look up: one prefix Query, and the words every hit's title must also contain."""

    term: Term
    other_words: tuple[str, ...] = ()


def parse_query(q: str) -> SearchQuery:
    text = q.strip()
    digits = re.sub(r"\D", "", text)
    if _PHONE_QUERY.fullmatch(text) and digits:
        if len(digits) < MIN_DIGITS:
            raise ValidationError(f"search at least {MIN_DIGITS} digits of a number", field="q")
        return SearchQuery(Term(TermKind.PHONE, digits[::-1]))
    if "@" in text:
        email = fold(text)
        if len(email) < MIN_WORD:
            raise ValidationError("search at least 2 characters", field="q")
        return SearchQuery(Term(TermKind.EMAIL, email))
    words = name_words(text)
    if not words:
        raise ValidationError(f"search at least {MIN_WORD} letters or digits", field="q")
    # The longest word narrows the Query most; the others are checked on the hits.
    longest = max(words, key=len)
    return SearchQuery(Term(TermKind.WORD, longest), tuple(w for w in words if w != longest))


def matches_words(title: str, words: tuple[str, ...]) -> bool:
    """Every word is the prefix of a word of the title."""
    title_words = name_words(title)
    return all(any(t.startswith(w) for t in title_words) for w in words)
