"""Amounts on the wire: two places, rounded to the fen as ``Decimal.quantize`` rounds (half to even)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

from hrss_shared.money import CENT, Money, yuan


@pytest.mark.parametrize("value, text", [
    ("0", "0.00"), ("-0", "-0.00"), ("5000", "5000.00"), ("4812.00", "4812.00"), ("1e3", "1000.00"),
    ("1.005", "1.00"), ("1.015", "1.02"), ("1.0149", "1.01"), ("-0.004", "-0.00"), ("5E-7", "0.00"),
    ("999999999999.99", "999999999999.99"), ("123456789012.345", "123456789012.34"),
])
def test_yuan_gives_two_places_rounded_as_quantize_rounds(value: str, text: str) -> None:
    amount = Decimal(value)
    assert yuan(amount) == text == format(amount.quantize(CENT), "f")


def test_money_serialises_to_yuan_in_json_only() -> None:
    class Payment(BaseModel):
        amount: Money

    payment = Payment(amount=Decimal("800"))
    assert payment.model_dump_json() == '{"amount":"800.00"}'
    assert payment.model_dump() == {"amount": Decimal("800")}
