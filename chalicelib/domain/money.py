"""Money: ISO 4217 currencies, API decimal amounts, integer minor units and exchange rates (SPEC ST-6, DE-5)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from types import MappingProxyType
from typing import Any

from chalicelib.domain.errors import ValidationError

# ISO 4217 List One (SIX, published 2026-01-01): every active code and its minor unit (decimal digits).
# Left out: the codes whose minor unit is "N.A." (precious metals XAU XAG XPD XPT, bond-market units
# XBA-XBD, XDR, XSU, XUA, and XTS/XXX), which cannot be counted in integer minor units.
MINOR_UNITS: Mapping[str, int] = MappingProxyType(
    {
        "AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
        "BAM": 2, "BBD": 2, "BDT": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BOV": 2,
        "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2,
        "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CLF": 4, "CLP": 0, "CNY": 2, "COP": 2,
        "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2,
        "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2,
        "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2,
        "FJD": 2, "FKP": 2,
        "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GNF": 0, "GTQ": 2, "GYD": 2,
        "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2,
        "IDR": 2, "ILS": 2, "INR": 2, "IQD": 3, "IRR": 2, "ISK": 0,
        "JMD": 2, "JOD": 3, "JPY": 0,
        "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0, "KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2,
        "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2, "LYD": 3,
        "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
        "MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2, "MZN": 2,
        "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2,
        "OMR": 3,
        "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0,
        "QAR": 2,
        "RON": 2, "RSD": 2, "RUB": 2, "RWF": 0,
        "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2,
        "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2,
        "THB": 2, "TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2,
        "UAH": 2, "UGX": 0, "USD": 2, "USN": 2, "UYI": 0, "UYU": 2, "UYW": 4, "UZS": 2,
        "VED": 2, "VES": 2, "VND": 0, "VUV": 0,
        "WST": 2,
        "XAD": 2, "XAF": 0, "XCD": 2, "XCG": 2, "XOF": 0, "XPF": 0,
        "YER": 2,
        "ZAR": 2, "ZMW": 2, "ZWG": 2,
    }
)  # fmt: skip
CURRENCIES: frozenset[str] = frozenset(MINOR_UNITS)

MAX_INTEGER_DIGITS = 15
MAX_RATE_SIGNIFICANT_DIGITS = 12
# Bounds a rate's written form so a long string of zeros cannot blow up the arithmetic.
MAX_RATE_INTEGER_DIGITS = 12
MAX_RATE_DECIMALS = 18
MAX_CURRENCIES = 50

AMOUNT_PATTERN = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?$")
RATE_PATTERN = re.compile(r"^([0-9]+)(?:\.([0-9]+))?$")
_CODE_PATTERN = re.compile(r"^[A-Z]{3}$")
# Exact products: 15 integer + 4 minor digits times 12 significant rate digits fit well within 60.
_PRECISION = 60
_ENTRY_KEYS = ("code", "rate")


def check_currency(code: str, *, field_name: str = "currency") -> str:
    """An active ISO 4217 code, upper-cased: 'eur' -> 'EUR'."""
    normalized = code.strip().upper() if isinstance(code, str) else ""
    if not _CODE_PATTERN.fullmatch(normalized) or normalized not in MINOR_UNITS:
        raise ValidationError("currency must be an active ISO 4217 code, e.g. EUR", field=field_name)
    return normalized


def minor_unit(currency: str) -> int:
    """The number of decimal digits of a currency (EUR 2, JPY 0, BHD 3)."""
    return MINOR_UNITS[check_currency(currency)]


def parse_amount(value: Any, currency: str, *, field_name: str, allow_negative: bool = False) -> Decimal:
    """An API amount such as "1234.50", with the currency's exact number of decimals."""
    digits = minor_unit(currency)
    match = AMOUNT_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError('an amount is a decimal string such as "1234.50"', field=field_name)
    sign, integer, fraction = match[1], match[2], match[3] or ""
    if len(integer) > 1 and integer.startswith("0"):
        raise ValidationError("an amount has no leading zeros", field=field_name)
    if len(integer) > MAX_INTEGER_DIGITS:
        raise ValidationError(f"an amount has at most {MAX_INTEGER_DIGITS} digits before the point", field=field_name)
    if len(fraction) > digits:
        raise ValidationError(f"{currency.upper()} amounts have at most {digits} decimals", field=field_name)
    amount = Decimal(f"{integer}.{fraction}" if fraction else integer)
    if sign and amount:
        if not allow_negative:
            raise ValidationError("an amount cannot be negative here", field=field_name)
        amount = -amount
    return amount.quantize(_exponent(digits))


def to_minor(amount: Decimal, currency: str) -> int:
    """The integer count of minor units stored for an amount (EUR 12.34 -> 1234)."""
    digits = minor_unit(currency)
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount")
    with localcontext(prec=_PRECISION):
        scaled = amount.scaleb(digits)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} has more than {digits} decimals for {currency}")
        return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """The amount of an integer count of minor units (JPY 500 -> 500, EUR 1234 -> 12.34)."""
    digits = minor_unit(currency)
    with localcontext(prec=_PRECISION):
        return Decimal(minor).scaleb(-digits)


def format_amount(amount: Decimal, currency: str) -> str:
    """The API decimal string of an amount, with exactly the currency's decimals ("12.30", "500")."""
    return f"{from_minor(to_minor(amount, currency), currency):f}"


def parse_rate(value: Any, *, field_name: str) -> Decimal:
    """An exchange rate: a positive decimal string with at most 12 significant digits."""
    match = RATE_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValidationError('a rate is a positive decimal string such as "0.92"', field=field_name)
    integer, fraction = match[1], match[2] or ""
    if len(integer) > MAX_RATE_INTEGER_DIGITS or len(fraction) > MAX_RATE_DECIMALS:
        raise ValidationError(
            f"a rate has at most {MAX_RATE_INTEGER_DIGITS} digits before the point and {MAX_RATE_DECIMALS} after it",
            field=field_name,
        )
    rate = Decimal(value)
    if not rate:
        raise ValidationError("a rate must be greater than zero", field=field_name)
    if len(rate.normalize().as_tuple().digits) > MAX_RATE_SIGNIFICANT_DIGITS:
        raise ValidationError(f"a rate has at most {MAX_RATE_SIGNIFICANT_DIGITS} significant digits", field=field_name)
    return rate


@dataclass(frozen=True, slots=True)
class ExchangeRates:
    """A CRM's currencies: rates give units of `base` per 1 unit of each other currency."""

    base: str
    rates: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        if self.base not in MINOR_UNITS:
            raise ValueError(f"{self.base} is not an ISO 4217 code")
        for code, rate in self.rates.items():
            if code not in MINOR_UNITS or code == self.base:
                raise ValueError(f"{code} cannot have a rate against {self.base}")
            if not (rate.is_finite() and rate > 0):
                raise ValueError(f"the rate of {code} must be positive")
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    @property
    def currencies(self) -> tuple[str, ...]:
        """The base currency first, then the others in the order they were given."""
        return (self.base, *self.rates)

    def rate(self, currency: str) -> Decimal:
        """Units of the base currency per unit of `currency`; ValidationError if the CRM has no such currency."""
        code = currency.strip().upper() if isinstance(currency, str) else ""
        if code == self.base:
            return Decimal(1)
        if code not in self.rates:
            raise ValidationError(
                f"currency must be one of the CRM's currencies: {', '.join(self.currencies)}", field="currency"
            )
        return self.rates[code]

    def to_base(self, amount: Decimal, currency: str) -> Decimal:
        """An amount in the base currency, rounded half-even to the base currency's decimals."""
        rate = self.rate(currency)
        with localcontext(prec=_PRECISION, rounding=ROUND_HALF_EVEN):
            return (amount * rate).quantize(_exponent(MINOR_UNITS[self.base]))

    def to_base_minor(self, minor: int, currency: str) -> int:
        """`to_base` on stored integer minor units, both sides in minor units."""
        rate = self.rate(currency)
        code = currency.strip().upper()
        with localcontext(prec=_PRECISION, rounding=ROUND_HALF_EVEN):
            amount = Decimal(minor).scaleb(MINOR_UNITS[self.base] - MINOR_UNITS[code]) * rate
            return int(amount.to_integral_value())

    def to_list(self) -> list[dict[str, str]]:
        """The API entries of the non-base currencies, which `parse_currencies` reads back."""
        return [{"code": code, "rate": f"{rate:f}"} for code, rate in self.rates.items()]


def parse_currencies(
    base: str,
    entries: Any,
    *,
    field_name: str = "currencies",
    base_field_name: str = "base_currency",
) -> ExchangeRates:
    """A CRM's exchange rates from API entries such as [{"code": "USD", "rate": "0.92"}]."""
    base = check_currency(base, field_name=base_field_name)
    if not isinstance(entries, list):
        raise ValidationError("must be a list", field=field_name)
    if len(entries) > MAX_CURRENCIES:
        raise ValidationError(f"at most {MAX_CURRENCIES} currencies besides the base one", field=field_name)
    rates: dict[str, Decimal] = {}
    for i, entry in enumerate(entries):
        path = f"{field_name}[{i}]"
        if not isinstance(entry, dict):
            raise ValidationError("must be an object with code and rate", field=path)
        for key in entry:
            if key not in _ENTRY_KEYS:
                raise ValidationError("unknown field; expected code, rate", field=f"{path}.{key}")
        if "code" not in entry:
            raise ValidationError("is required", field=f"{path}.code")
        code = check_currency(entry["code"], field_name=f"{path}.code")
        if code == base:
            raise ValidationError(f"{code} is the base currency, its rate is always 1", field=f"{path}.code")
        if code in rates:
            raise ValidationError(f"{code} is listed twice", field=f"{path}.code")
        if "rate" not in entry:
            raise ValidationError("is required", field=f"{path}.rate")
        rates[code] = parse_rate(entry["rate"], field_name=f"{path}.rate")
    return ExchangeRates(base, rates)


def _exponent(digits: int) -> Decimal:
    return Decimal(1).scaleb(-digits)
