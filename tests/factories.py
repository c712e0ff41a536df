"""Factories for valid test records (IDs and credit codes with correct check characters)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from hrss_shared.validators import make_credit_code, make_id_number

_seq = itertools.count(1)
_born_on: dict[tuple[str, date], itertools.count[int]] = {}  # a sequence per county and exact birth date
DEFAULT_BIRTH = date(1975, 5, 17)


def id_number(county: str = "330802", birth: date | None = None) -> str:
    """A fresh valid ID number, unique per call. Born on ``birth`` exactly when it is given (a test of an age at its
    edge; up to 999 persons per county and day); otherwise on a day that moves on every 1,000 calls."""
    if birth is not None:
        n = next(_born_on.setdefault((county, birth), itertools.count(1)))
        if n > 999:
            raise ValueError(f"more than 999 ID numbers born on {birth} in {county}")
        return make_id_number(county, birth, n)
    n = next(_seq)
    return make_id_number(county, DEFAULT_BIRTH + timedelta(days=n // 1000), n % 1000)


def credit_code(county: str = "330802") -> str:
    return make_credit_code(county, 500000 + next(_seq))


def employer(county: str = "330802", **over: Any) -> dict[str, Any]:
    return {"credit_code": credit_code(county), "name": f"衢州测试企业{next(_seq)}有限公司", "county_code": county,
            "industry": "制造业", "size": "small", **over}


def job_seeker(county: str = "330802", **over: Any) -> dict[str, Any]:
    return {"id_number": id_number(county), "name": "王小明", "phone": "13857012345", "county_code": county, **over}
