"""Money (SPEC ST-6, DE-5): currencies, API amounts, minor units, exchange rates."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.money import (
    CURRENCIES,
    MINOR_UNITS,
    ExchangeRates,
    check_currency,
    format_amount,
    from_minor,
    parse_amount,
    parse_currencies,
    parse_rate,
    to_minor,
)

PROPERTIES = settings(max_examples=150, deadline=None)


def rates(*entries: tuple[str, str], base: str = "EUR") -> ExchangeRates:
    return parse_currencies(base, [{"code": code, "rate": rate} for code, rate in entries])


# --- currencies ---------------------------------------------------------------------------------------------------


def test_minor_units_of_well_known_currencies() -> None:
    assert MINOR_UNITS["EUR"] == MINOR_UNITS["USD"] == 2
    assert MINOR_UNITS["JPY"] == MINOR_UNITS["KRW"] == MINOR_UNITS["XOF"] == 0
    assert MINOR_UNITS["BHD"] == MINOR_UNITS["KWD"] == MINOR_UNITS["TND"] == 3
    assert MINOR_UNITS["CLF"] == 4
    assert set(MINOR_UNITS) == CURRENCIES
    assert len(CURRENCIES) > 150
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)


def test_withdrawn_and_unit_less_codes_are_not_currencies() -> None:
    for code in ["HRK", "BGN", "SLL", "ZWL", "ANG", "VEF", "XAU", "XDR", "XTS", "XXX"]:
        assert code not in CURRENCIES, code


def test_check_currency_upper_cases() -> None:
    assert check_currency("eur") == "EUR"
    assert check_currency(" jpy ") == "JPY"


@pytest.mark.parametrize("code", ["EU", "EURO", "XYZ", "", "€", "E1R", None, 978])
def test_unknown_currencies_are_refused(code: Any) -> None:
    with pytest.raises(ValidationError) as error:
        check_currency(code)
    assert error.value.field == "currency"
    with pytest.raises(ValidationError) as error:
        check_currency(code, field_name="deal.currency")
    assert error.value.field == "deal.currency"


# --- amounts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "currency", "amount"),
    [
        ("1234.50", "EUR", Decimal("1234.50")),
        ("1234.5", "EUR", Decimal("1234.50")),
        ("1234", "EUR", Decimal("1234.00")),
        ("0", "EUR", Decimal("0.00")),
        ("0.01", "usd", Decimal("0.01")),
        ("500", "JPY", Decimal("500")),
        ("1.234", "BHD", Decimal("1.234")),
        ("999999999999999.99", "EUR", Decimal("999999999999999.99")),
    ],
)
def test_amounts_are_decimal_strings_with_the_currency_decimals(value: str, currency: str, amount: Decimal) -> None:
    parsed = parse_amount(value, currency, field_name="amount")
    assert parsed == amount
    assert parsed.as_tuple().exponent == -MINOR_UNITS[currency.upper()]


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("1e3", "EUR"),
        ("1E3", "EUR"),
        ("1.5e2", "EUR"),
        ("NaN", "EUR"),
        ("Infinity", "EUR"),
        ("-Infinity", "EUR"),
        ("1.234", "EUR"),
        ("500.0", "JPY"),
        ("1.2345", "BHD"),
        ("1234567890123456", "EUR"),
        ("-5.00", "EUR"),
        ("+5", "EUR"),
        (" 5", "EUR"),
        ("5 ", "EUR"),
        ("5.", "EUR"),
        (".5", "EUR"),
        ("", "EUR"),
        ("007", "EUR"),
        ("1,50", "EUR"),
        ("1_000", "EUR"),
        ("١٢", "EUR"),
        (12.5, "EUR"),
        (12, "EUR"),
        (None, "EUR"),
    ],
)
def test_malformed_amounts_are_refused_on_their_field(value: Any, currency: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_amount(value, currency, field_name="lines[3].price")
    assert error.value.field == "lines[3].price"


def test_negative_amounts_need_the_flag() -> None:
    assert parse_amount("-5.5", "EUR", field_name="adjustment", allow_negative=True) == Decimal("-5.50")
    assert parse_amount("-0.00", "EUR", field_name="amount") == Decimal("0.00")
    assert str(parse_amount("-0", "EUR", field_name="amount", allow_negative=True)) == "0.00"


def test_an_unknown_currency_of_an_amount_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        parse_amount("1.00", "XYZ", field_name="amount")
    assert error.value.field == "currency"


def test_minor_units_and_formatting() -> None:
    assert to_minor(Decimal("12.34"), "EUR") == 1234
    assert to_minor(Decimal("12.3"), "EUR") == 1230
    assert to_minor(Decimal("500"), "JPY") == 500
    assert to_minor(Decimal("-1.005"), "BHD") == -1005
    assert from_minor(1234, "EUR") == Decimal("12.34")
    assert from_minor(-5, "EUR") == Decimal("-0.05")
    assert from_minor(500, "JPY") == Decimal("500")
    assert format_amount(Decimal("12.3"), "EUR") == "12.30"
    assert format_amount(Decimal("12"), "BHD") == "12.000"
    assert format_amount(Decimal("500"), "JPY") == "500"
    assert format_amount(Decimal("-0"), "EUR") == "0.00"
    assert format_amount(Decimal("1E+3"), "EUR") == "1000.00"
    assert format_amount(Decimal("999999999999999.99"), "EUR") == "999999999999999.99"


def test_amounts_finer_than_the_minor_unit_are_not_silently_rounded() -> None:
    with pytest.raises(ValueError, match="decimals"):
        to_minor(Decimal("12.345"), "EUR")
    with pytest.raises(ValueError, match="decimals"):
        format_amount(Decimal("0.5"), "JPY")
    with pytest.raises(ValueError, match="not an amount"):
        to_minor(Decimal("NaN"), "EUR")


# --- rates --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rate"),
    [("0.92", Decimal("0.92")), ("1", Decimal(1)), ("150.25", Decimal("150.25")), ("0.000000001", Decimal("1E-9"))],
)
def test_rates_are_positive_decimal_strings(value: str, rate: Decimal) -> None:
    assert parse_rate(value, field_name="rate") == rate


def test_rates_have_at_most_12_significant_digits() -> None:
    assert parse_rate("1.23456789012", field_name="rate") == Decimal("1.23456789012")
    assert parse_rate("0.000123456789012", field_name="rate") == Decimal("0.000123456789012")
    assert parse_rate("1.500000000000000", field_name="rate") == Decimal("1.5")
    with pytest.raises(ValidationError):
        parse_rate("1.234567890123", field_name="rate")


@pytest.mark.parametrize(
    "value",
    ["0", "0.000", "-0.92", "1e-3", "NaN", "Infinity", "", ".5", "0,92", 0.92, "1" + "0" * 13, "0." + "0" * 18 + "1"],
)
def test_bad_rates_are_refused_on_their_field(value: Any) -> None:
    with pytest.raises(ValidationError) as error:
        parse_rate(value, field_name="currencies[0].rate")
    assert error.value.field == "currencies[0].rate"


def test_conversion_to_the_base_currency() -> None:
    crm = rates(("USD", "0.92"), ("JPY", "0.0061"), ("BHD", "2.44"))
    assert crm.currencies == ("EUR", "USD", "JPY", "BHD")
    assert crm.to_base(Decimal("100.00"), "USD") == Decimal("92.00")
    assert crm.to_base(Decimal("1000"), "JPY") == Decimal("6.10")
    assert crm.to_base(Decimal("1.005"), "BHD") == Decimal("2.45")  # 2.4522
    assert crm.to_base(Decimal("12.34"), "EUR") == Decimal("12.34")
    assert crm.to_base(Decimal("12.34"), "usd") == Decimal("11.35")  # 11.3528
    assert crm.to_base_minor(10000, "USD") == 9200
    assert crm.to_base_minor(1000, "JPY") == 610
    assert crm.to_base_minor(1005, "BHD") == 245


def test_conversion_rounds_half_to_even() -> None:
    crm = rates(("USD", "0.5"))
    assert crm.to_base(Decimal("0.01"), "USD") == Decimal("0.00")  # 0.005
    assert crm.to_base(Decimal("0.03"), "USD") == Decimal("0.02")  # 0.015
    assert crm.to_base(Decimal("0.05"), "USD") == Decimal("0.02")  # 0.025
    assert crm.to_base(Decimal("-0.03"), "USD") == Decimal("-0.02")
    assert crm.to_base_minor(5, "USD") == 2
    assert crm.to_base_minor(7, "USD") == 4


def test_conversion_uses_the_exact_product_beyond_the_default_decimal_precision() -> None:
    # 17 amount digits times 12 rate digits: the exact product is a hair above half a cent
    # (9905000090205.0050000000000001); rounded to Decimal's default 28 digits first, it would round down.
    crm = rates(("USD", "0.00999999999001"))
    assert crm.to_base(Decimal("990500010010010.01"), "USD") == Decimal("9905000090205.01")
    assert crm.to_base_minor(99050001001001001, "USD") == 990500009020501


def test_a_base_without_decimals_rounds_to_whole_units() -> None:
    crm = rates(("EUR", "161.5"), base="JPY")
    assert crm.to_base(Decimal("1.00"), "EUR") == Decimal("162")  # 161.5 -> 162 (even)
    assert crm.to_base(Decimal("3.00"), "EUR") == Decimal("484")  # 484.5 -> 484 (even)


def test_a_currency_the_crm_does_not_have_is_refused_on_currency() -> None:
    crm = rates(("USD", "0.92"))
    for code in ["GBP", "XYZ", ""]:
        with pytest.raises(ValidationError) as error:
            crm.to_base(Decimal("1.00"), code)
        assert error.value.field == "currency"
    with pytest.raises(ValidationError) as error:
        crm.to_base_minor(100, "GBP")
    assert error.value.field == "currency"


def test_parse_currencies_round_trips_through_to_list() -> None:
    crm = parse_currencies("eur", [{"code": "usd", "rate": "0.92"}, {"code": "GBP", "rate": "1.1700"}])
    assert crm.base == "EUR"
    assert dict(crm.rates) == {"USD": Decimal("0.92"), "GBP": Decimal("1.17")}
    assert crm.to_list() == [{"code": "USD", "rate": "0.92"}, {"code": "GBP", "rate": "1.1700"}]
    assert parse_currencies("EUR", crm.to_list()) == crm
    assert parse_currencies("EUR", []).currencies == ("EUR",)


def test_exchange_rates_cannot_be_changed_after_the_fact() -> None:
    source = {"USD": Decimal("0.92")}
    crm = ExchangeRates("EUR", source)
    source["GBP"] = Decimal("1.17")
    assert crm.currencies == ("EUR", "USD")
    with pytest.raises(TypeError):
        crm.rates["GBP"] = Decimal("1.17")  # type: ignore[index]
    with pytest.raises(ValueError, match="rate against"):
        ExchangeRates("EUR", {"EUR": Decimal(1)})


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ([{"code": "XYZ", "rate": "1"}], "currencies[0].code"),
        ([{"code": "USD", "rate": "0.92"}, {"code": "usd", "rate": "0.93"}], "currencies[1].code"),
        ([{"code": "USD", "rate": "0.92"}, {"code": "EUR", "rate": "1"}], "currencies[1].code"),
        ([{"code": "USD", "rate": "0"}], "currencies[0].rate"),
        ([{"code": "USD", "rate": 0.92}], "currencies[0].rate"),
        ([{"code": "USD", "rate": "-1"}], "currencies[0].rate"),
        ([{"code": "USD"}], "currencies[0].rate"),
        ([{"rate": "1"}], "currencies[0].code"),
        ([{"code": "USD", "rate": "1", "name": "dollar"}], "currencies[0].name"),
        (["USD"], "currencies[0]"),
        ({"USD": "0.92"}, "currencies"),
        ([{"code": code, "rate": "1"} for code in sorted(CURRENCIES - {"EUR"})[:51]], "currencies"),
    ],
)
def test_currency_entry_errors_name_the_field(entries: Any, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_currencies("EUR", entries)
    assert error.value.field == field


def test_an_unknown_base_currency_is_refused_on_its_own_field() -> None:
    with pytest.raises(ValidationError) as error:
        parse_currencies("XYZ", [])
    assert error.value.field == "base_currency"


# --- properties ---------------------------------------------------------------------------------------------------

CODES = st.sampled_from(sorted(CURRENCIES))
RATE_STRINGS = st.builds(
    lambda digits, scale: f"{Decimal(digits).scaleb(-scale):f}",
    st.integers(1, 10**12 - 1),
    st.integers(0, 16),
).filter(lambda value: len(value.partition(".")[0]) <= 12)


@st.composite
def minor_amounts(draw: st.DrawFn, currency: str) -> int:
    """A count of minor units whose amount has at most 15 integer digits."""
    return draw(st.integers(-(10 ** (15 + MINOR_UNITS[currency])) + 1, 10 ** (15 + MINOR_UNITS[currency]) - 1))


@st.composite
def currency_and_minor(draw: st.DrawFn) -> tuple[str, int]:
    currency = draw(CODES)
    return currency, draw(minor_amounts(currency))


@st.composite
def crm_rates(draw: st.DrawFn) -> ExchangeRates:
    base = draw(CODES)
    others = draw(st.lists(CODES.filter(lambda code: code != base), unique=True, min_size=1, max_size=5))
    return parse_currencies(base, [{"code": code, "rate": draw(RATE_STRINGS)} for code in others])


@PROPERTIES
@given(currency_and_minor())
def test_minor_units_round_trip(case: tuple[str, int]) -> None:
    currency, minor = case
    amount = from_minor(minor, currency)
    assert to_minor(amount, currency) == minor
    text = format_amount(amount, currency)
    assert parse_amount(text, currency, field_name="amount", allow_negative=True) == amount
    assert format_amount(parse_amount(text, currency, field_name="amount", allow_negative=True), currency) == text


@PROPERTIES
@given(CODES, st.data())
def test_to_base_of_the_base_currency_is_the_identity(base: str, data: st.DataObject) -> None:
    crm = ExchangeRates(base, {})
    minor = data.draw(minor_amounts(base))
    assert crm.to_base(from_minor(minor, base), base) == from_minor(minor, base)
    assert crm.to_base_minor(minor, base) == minor


@PROPERTIES
@given(crm_rates(), st.data())
def test_conversion_is_monotonic_in_the_amount(crm: ExchangeRates, data: st.DataObject) -> None:
    currency = data.draw(st.sampled_from(crm.currencies))
    low, high = sorted([data.draw(minor_amounts(currency)), data.draw(minor_amounts(currency))])
    assert crm.to_base(from_minor(low, currency), currency) <= crm.to_base(from_minor(high, currency), currency)
    assert crm.to_base_minor(low, currency) <= crm.to_base_minor(high, currency)


@PROPERTIES
@given(crm_rates(), st.data())
def test_conversion_is_the_exact_product_rounded_half_even(crm: ExchangeRates, data: st.DataObject) -> None:
    currency = data.draw(st.sampled_from(crm.currencies))
    minor = data.draw(minor_amounts(currency))
    exact = (
        Fraction(minor) * Fraction(crm.rate(currency)) * Fraction(10) ** (MINOR_UNITS[crm.base] - MINOR_UNITS[currency])
    )
    expected = round(exact)  # Fraction rounds half to even
    assert crm.to_base_minor(minor, currency) == expected
    assert to_minor(crm.to_base(from_minor(minor, currency), currency), crm.base) == expected


@PROPERTIES
@given(st.integers(-(10**12), 10**12))
def test_half_a_minor_unit_rounds_to_the_even_neighbour(minor: int) -> None:
    crm = rates(("USD", "0.5"))
    converted = crm.to_base_minor(2 * minor + 1, "USD")  # exactly minor + 0.5
    assert converted == (minor if minor % 2 == 0 else minor + 1)
    assert converted % 2 == 0


@PROPERTIES
@given(RATE_STRINGS)
def test_generated_rates_parse_and_print_back(value: str) -> None:
    rate = parse_rate(value, field_name="rate")
    assert rate > 0
    assert f"{rate:f}" == value
