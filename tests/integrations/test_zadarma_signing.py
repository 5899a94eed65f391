"""Zadarma signatures against the published test vectors, and PHP's query-string encoding."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.integrations.zadarma.signing import auth_header, build_query, php_urlencode, webhook_signature

SECRET = "test_secret_0123456789"


# --- webhook signatures -----------------------------------------------------------------------------------------


def test_notify_start_vector_signs_caller_called_did_and_start() -> None:
    sign_string = "+380989897908" + "380947102794" + "2020-04-03 14:07:26"

    assert webhook_signature(sign_string, SECRET) == "YTk4Y2M0ODBkYjQ0YWY3OWUwODJlZmVhMmJjYmRmYjdiMjZmNGI1ZA=="


def test_notify_record_vector_signs_pbx_call_id_and_recording_id() -> None:
    sign_string = "in_394b269d3ae9043550ea60e0fa826ff689beac13" + "1585918082.92858"

    assert webhook_signature(sign_string, SECRET) == "MzllYjU3YTE4YTA2NzJlZjM5OTQ0M2YwMjIyOGQ5ZDY4MGZhMWU0Yg=="


def test_signature_is_base64_of_hex_not_of_the_raw_digest() -> None:
    sign_string = "+380989897908380947102794" + "2020-04-03 14:07:26"
    raw_digest = hmac.new(SECRET.encode(), sign_string.encode(), hashlib.sha1).digest()

    signature = webhook_signature(sign_string, SECRET)

    assert base64.b64encode(raw_digest).decode() == "qYzEgNtEr3nggu/qK8vft7JvS10="
    assert signature != "qYzEgNtEr3nggu/qK8vft7JvS10="
    assert len(signature) == 56
    assert signature.endswith("==")
    assert base64.b64decode(signature).decode() == hmac.new(SECRET.encode(), sign_string.encode(), "sha1").hexdigest()


# --- REST request signatures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method_path", "params", "query", "signature"),
    [
        (
            "/v1/info/balance/",
            {"format": "json"},
            "format=json",
            "MzdmYWRhOTYwMzIwZDAxMjUxYTA0ZTljYWEyZjBlODEwOTFhM2U0MQ==",
        ),
        (
            "/v1/sms/send/",
            {"number": "442037691880", "message": "Hello world!", "format": "json"},
            "format=json&message=Hello+world%21&number=442037691880",
            "NDJiMDU0Y2U1MWViYTM5YzljZDg5MjdlYTE3N2VkNzdmOGQzODAwMA==",
        ),
        (
            "/v1/zcrm/leads",
            {"lead": {"name": "John Doe", "phones": [{"phone": "+44123456789", "type": "work"}]}},
            "lead%5Bname%5D=John+Doe&lead%5Bphones%5D%5B0%5D%5Bphone%5D=%2B44123456789"
            "&lead%5Bphones%5D%5B0%5D%5Btype%5D=work",
            "YWUzNjhhZTE3YmMxYTVkYWFmNzQ1N2NkMTYzMzMyNTI0ODkwN2E1YQ==",
        ),
    ],
)
def test_rest_vectors_sign_the_exact_query(method_path: str, params: dict, query: str, signature: str) -> None:
    signed_query, header = auth_header("user-key", SECRET, method_path, params)

    assert signed_query == query
    assert header == f"user-key:{signature}"


def test_a_request_without_params_signs_the_md5_of_the_empty_string() -> None:
    query, header = auth_header("k", SECRET, "/v1/info/balance/", {})

    assert query == ""
    expected = webhook_signature("/v1/info/balance/" + hashlib.md5(b"").hexdigest(), SECRET)
    assert header == f"k:{expected}"


def test_trailing_slash_of_the_path_is_signed() -> None:
    _, with_slash = auth_header("k", SECRET, "/v1/zcrm/leads/", {"a": "1"})
    _, without = auth_header("k", SECRET, "/v1/zcrm/leads", {"a": "1"})

    assert with_slash != without


# --- PHP urlencode and http_build_query -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("Hello world", "Hello+world"),
        ("a~b", "a%7Eb"),
        ("*!'()", "%2A%21%27%28%29"),
        ("-_.", "-_."),
        ("+33 6", "%2B33+6"),
        ("a&b=c/d", "a%26b%3Dc%2Fd"),
        ("é€", "%C3%A9%E2%82%AC"),
        (42, "42"),
        (True, "1"),
        (False, "0"),
    ],
)
def test_php_urlencode_encodes_like_php_rfc1738(value: object, encoded: str) -> None:
    assert php_urlencode(value) == encoded


def test_only_the_top_level_is_sorted() -> None:
    params = {"z": "1", "a": {"z": "2", "a": "3"}, "m": ["x", "y"]}

    assert build_query(params) == "a%5Bz%5D=2&a%5Ba%5D=3&m%5B0%5D=x&m%5B1%5D=y&z=1"


def test_nested_lists_of_dicts_use_bracket_notation() -> None:
    params = {"numbers": ["442037691880", "442037691881"], "lead": {"tags": [{"id": 7}]}}

    assert build_query(params) == (
        "lead%5Btags%5D%5B0%5D%5Bid%5D=7&numbers%5B0%5D=442037691880&numbers%5B1%5D=442037691881"
    )


def test_none_and_empty_containers_are_left_out_as_php_does() -> None:
    assert build_query({"a": None, "b": [], "c": {}, "d": ""}) == "d="


@given(st.text())
def test_php_urlencode_round_trips_and_keeps_only_php_safe_characters(text: str) -> None:
    encoded = php_urlencode(text)

    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+%")
    assert parse_qsl(f"k={encoded}", keep_blank_values=True) == [("k", text)]
