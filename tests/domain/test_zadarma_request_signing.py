"""The server side of Zadarma's REST signature (Teamsale-compatible API, issue 22): the string a
client signed, rebuilt from the pairs it sent, with zadarma.md §2.1's test vectors."""

from __future__ import annotations

from urllib.parse import parse_qsl

from chalicelib.domain.zadarma_signing import (
    auth_header,
    build_query,
    query_of_pairs,
    request_signature,
    signature_matches,
)

SECRET = "test_secret_0123456789"
LEAD_QS = (
    "lead%5Bname%5D=John+Doe&lead%5Bphones%5D%5B0%5D%5Bphone%5D=%2B44123456789&lead%5Bphones%5D%5B0%5D%5Btype%5D=work"
)


def test_the_published_vectors() -> None:
    assert request_signature(SECRET, "/v1/info/balance/", "format=json") == (
        "MzdmYWRhOTYwMzIwZDAxMjUxYTA0ZTljYWEyZjBlODEwOTFhM2U0MQ=="
    )
    assert request_signature(SECRET, "/v1/zcrm/leads", LEAD_QS) == (
        "YWUzNjhhZTE3YmMxYTVkYWFmNzQ1N2NkMTYzMzMyNTI0ODkwN2E1YQ=="
    )


def test_the_signed_string_is_rebuilt_from_what_was_sent_in_any_top_level_order() -> None:
    params = {"lead": {"name": "John Doe", "phones": [{"phone": "+44123456789", "type": "work"}]}, "convert": 0}
    query, header = auth_header("KEY", SECRET, "/v1/zcrm/leads", params)
    # The body may travel in another top-level order: nested names keep theirs.
    sent = "lead%5Bname%5D=John+Doe&lead%5Bphones%5D%5B0%5D%5Bphone%5D=%2B44123456789" + (
        "&lead%5Bphones%5D%5B0%5D%5Btype%5D=work&convert=0"
    )
    assert query_of_pairs(parse_qsl(sent)) == query == build_query(params)
    assert signature_matches(SECRET, "/v1/zcrm/leads", query, header.split(":", 1)[1])
    assert not signature_matches(SECRET, "/v1/zcrm/leads/", query, header.split(":", 1)[1])


def test_php_encoding_of_reserved_characters() -> None:
    assert query_of_pairs([("search", "a~b *!'()")]) == "search=a%7Eb+%2A%21%27%28%29"
