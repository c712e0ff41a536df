"""Money in yuan: ``Decimal`` in code, a decimal string with two places on the wire, NUMERIC in the database.

Input is exact: an amount arrives as a decimal string (``"1280.50"``) or a whole JSON number. A JSON number with
a fraction is refused, because it is binary floating point and its digits may not be the ones the client sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
AMOUNT_LIMIT = Decimal("1e12")  # NUMERIC(14, 2)


def yuan(value: Decimal) -> str:
    """``Decimal('5000')`` → ``'5000.00'``: rounded to the fen half to even, as ``value.quantize(CENT)`` rounds.

    One ``format`` call rather than a quantize and a format: every amount of every event is serialised through here
    (a bulk load's contributions.posted events hold hundreds of thousands)."""
    return format(value, ".2f")


def _no_binary_fraction(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("金额应为字符串形式的十进制数 (must be a decimal string such as \"1280.00\")")
    if isinstance(value, float):
        raise ValueError("金额须以字符串传送，如 \"1280.50\" (send the amount as a decimal string such as "
                         "\"1280.50\"; a JSON number with a fraction is binary floating point and may not be exact)")
    return value


def _in_fen(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"金额应为有限的十进制数 (amount must be a finite decimal, got {value})")
    if abs(value) >= AMOUNT_LIMIT:
        raise ValueError(f"金额过大 (amount too large: {value})")
    if value != value.quantize(CENT):
        raise ValueError(f"金额最多两位小数，精确到分 (amount in yuan to the fen: at most two decimal places, "
                         f"got {value})")
    return value.quantize(CENT)


def _non_negative_yuan(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError(f"金额不能为负数 (amount must not be negative, got {value})")
    return _in_fen(value)


def _positive_yuan(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError(f"金额须大于0 (amount must be greater than 0, got {value})")
    return _in_fen(value)


_SERIALISE = PlainSerializer(yuan, return_type=str, when_used="json")

# Money in yuan as it is stored and published: a decimal string with two places on the wire ("5000.00").
Money = Annotated[Decimal, _SERIALISE]

# Money a client sends: exact (decimal string or whole number), to the fen, below 10^12.
# NonNegativeMoney admits zero (a free course 免费培训); PositiveMoney does not.
NonNegativeMoney = Annotated[
    Decimal, BeforeValidator(_no_binary_fraction), AfterValidator(_non_negative_yuan), _SERIALISE,
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"},
                              {"type": "integer", "minimum": 0}], "examples": ["1280.00"]}, mode="validation"),
]
PositiveMoney = Annotated[
    Decimal, BeforeValidator(_no_binary_fraction), AfterValidator(_positive_yuan), _SERIALISE,
    WithJsonSchema({"anyOf": [{"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"},
                              {"type": "integer", "minimum": 1}], "examples": ["5000.00"]}, mode="validation"),
]
