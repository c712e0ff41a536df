"""Money in yuan: ``Decimal`` in code, a decimal string with two places on the wire, NUMERIC in the database."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, PlainSerializer

CENT = Decimal("0.01")


def yuan(value: Decimal) -> str:
    """``Decimal('5000')`` → ``'5000.00'``."""
    return format(value.quantize(CENT), "f")


def _positive_yuan(value: Decimal) -> Decimal:
    if value >= Decimal("1e12"):
        raise ValueError(f"金额过大 (amount too large: {value})")
    if value <= 0:
        raise ValueError(f"金额须大于0 (amount must be greater than 0, got {value})")
    if value != value.quantize(CENT):
        raise ValueError(f"金额最多两位小数 (amount in yuan with at most two decimal places, got {value})")
    return value.quantize(CENT)


# Money in yuan: a decimal string with two places on the wire ("5000.00"), Decimal in code, NUMERIC(14, 2) in the DB.
Money = Annotated[Decimal, PlainSerializer(yuan, return_type=str, when_used="json")]
PositiveMoney = Annotated[Decimal, AfterValidator(_positive_yuan), PlainSerializer(yuan, return_type=str,
                                                                                   when_used="json")]
