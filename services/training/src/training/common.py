"""Types the training domains share: the national occupation code, the fee in yuan, the policy folder."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo, WithJsonSchema

from hrss_contracts.training import OCCUPATION_CODE_PATTERN
from hrss_shared.money import NonNegativeMoney
from hrss_shared.text import short_text

POLICY_DIR = Path(__file__).resolve().parent / "policy"

_OCCUPATION_CODE = re.compile(OCCUPATION_CODE_PATTERN)
OCCUPATION_CODE_EXAMPLE = "6-29-03-01"


def validate_occupation_code(value: str) -> str:
    """A 《国家职业分类大典》 code such as ``6-29-03-01``, or ValueError with the reason."""
    v = value.strip()
    if not _OCCUPATION_CODE.fullmatch(v):
        raise ValueError(
            f"职业编码应为《国家职业分类大典》格式 X-XX-XX-XX，如 {OCCUPATION_CODE_EXAMPLE} (national occupation code: "
            f"a major group 1-8, then three two-digit groups, e.g. {OCCUPATION_CODE_EXAMPLE}; got {v[:20]!r})"
        )
    return v


def _str_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("应为字符串 (must be a string)")
    return value


# 职业编码 of the national occupation classification (2022 edition: 8 major groups).
OccupationCode = Annotated[
    str, BeforeValidator(_str_only), AfterValidator(validate_occupation_code),
    WithJsonSchema({"type": "string", "pattern": OCCUPATION_CODE_PATTERN, "examples": [OCCUPATION_CODE_EXAMPLE]},
                   mode="validation"),
]
OccupationName = Annotated[str, short_text(100, label="职业名称")]

# 元, to the fen: a decimal string on the wire ("1280.00"; a whole JSON number is accepted), Decimal in code,
# NUMERIC(14, 2) in the database. Zero is a free course (免费培训).
Fee = NonNegativeMoney


def not_before(start_field: str) -> Any:
    """A field validator for an end date: not before ``start_field`` (a 422 naming the end field)."""

    def check(value: date, info: ValidationInfo) -> date:
        start = info.data.get(start_field)
        if isinstance(start, date) and value < start:
            raise ValueError(f"{info.field_name} 早于 {start_field} {start} ({info.field_name} before {start_field})")
        return value

    return check
