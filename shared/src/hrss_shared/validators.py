"""Identifier validators: citizen ID (GB 11643-1999), credit code (GB 32100-2015), Quzhou counties."""

from __future__ import annotations

import operator
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

from hrss_shared import clock

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (first two digits of an ID number's area code). 71 台湾 is the area of the
# mainland-issued numbers of Taiwan residents; 81 香港, 82 澳门 and 83 台湾 (810000 / 820000 / 830000) are the area
# codes of 港澳台居民居住证 numbers (《港澳台居民居住证申领发放办法》, 国办发〔2018〕81号).
PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"
    .split()
)

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_VALUES = {c: i for i, c in enumerate(CREDIT_ALPHABET)}
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门代码, a credit code's first character: GB 32100-2015 §4.2 表1 names 1 机构编制, 5 民政, 9 工商 and
# Y 其他; the other codes were assigned since under the standard by its maintaining body (全国组织机构统一社会信用
# 代码数据服务中心) as further registration authorities received coding rights.
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业（农村集体经济组织）",
    "Y": "其他",
}

QUZHOU_CITY = "330800"
QUZHOU_COUNTIES: dict[str, str] = {
    "330802": "柯城区",
    "330803": "衢江区",
    "330822": "常山县",
    "330824": "开化县",
    "330825": "龙游县",
    "330881": "江山市",
}


_ID_DIGIT_OFFSET = ord("0") * sum(ID_WEIGHTS)


def id_check_char(first17: str) -> str:
    """The check character of 17 digits (GB 11643-1999); on the hot path of every consumer, so kept cheap."""
    return ID_CHECK[(sum(map(operator.mul, first17.encode("ascii"), ID_WEIGHTS)) - _ID_DIGIT_OFFSET) % 11]


def _normalise(value: str) -> str:
    """Full-width digits and letters (０-９, ｘ) to ASCII (NFKC), surrounding spaces off, letters upper case.

    ASCII text is its own NFKC form, so it skips the normalisation (every event a consumer validates is ASCII)."""
    if value.isascii():
        return value.strip().upper()
    return unicodedata.normalize("NFKC", value).strip().upper()


def _ascii_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


# Values found valid, with their normalised form, so consumers that meet one person's (or employer's) number in event
# after event check it once. A valid ID number stays valid (its birth date is not after today, and the real clock only
# moves on); none is remembered while a test has frozen the clock, and no ID number is looked up then either
# ("today" may be before a remembered number's birth date). Bounded: emptied when full.
_VALID_IDS: dict[str, str] = {}
_VALID_CREDIT_CODES: dict[str, str] = {}
_REMEMBERED = 1 << 16


def _remember(valid: dict[str, str], value: str, normalised: str) -> str:
    if not clock.is_frozen():
        if len(valid) >= _REMEMBERED:
            valid.clear()
        valid[value] = normalised
    return normalised


def validate_id_number(value: str) -> str:
    """Return the normalised ID number or raise ValueError with the reason (in bureau terms).

    Full-width digits and a lower-case or full-width x are normalised first; a 15-digit number is named as the
    legacy format (GB 11643-1989, replaced by the 18-character number of GB 11643-1999).
    """
    known = _VALID_IDS.get(value)
    if known is not None and not clock.is_frozen():
        return known
    v = _normalise(value)
    if len(v) == 15 and _ascii_digits(v):
        raise ValueError("身份证号码应为18位：这是15位旧版身份证号码（GB 11643-1989，已升位为18位），请提供18位号码 "
                         "(must be 18 characters, got 15: a legacy 15-digit ID number; give the 18-character "
                         "number that replaced it)")
    if len(v) != 18:
        raise ValueError(f"身份证号码应为18位 (must be 18 characters, got {len(v)})")
    if not _ascii_digits(v[:17]) or not (_ascii_digits(v[17]) or v[17] == "X"):
        raise ValueError("身份证号码前17位须为数字，末位为数字或X (17 digits then a digit or X)")
    if v[:2] not in PROVINCES:
        raise ValueError(f"身份证号码地址码无效 (unknown province code {v[:2]})")
    try:
        birth = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValueError(f"身份证号码出生日期无效 (birth date {v[6:14]} is not a real date)") from None
    if birth.year < 1900 or birth > clock.today():
        raise ValueError(f"身份证号码出生日期无效 (birth date {birth.isoformat()} out of range)")
    expected = id_check_char(v[:17])
    if v[17] != expected:
        raise ValueError(f"身份证号码校验码错误 (check character should be {expected}, got {v[17]})")
    return _remember(_VALID_IDS, value, v)


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def credit_check_char(first17: str) -> str:
    """The check character of a credit code's first 17 characters (GB 32100-2015)."""
    total = sum(map(operator.mul, map(CREDIT_VALUES.__getitem__, first17), CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> str:
    """Return the normalised unified social credit code or raise ValueError with the reason."""
    known = _VALID_CREDIT_CODES.get(value)
    if known is not None:
        return known
    v = _normalise(value)
    if len(v) != 18:
        raise ValueError(f"统一社会信用代码应为18位 (must be 18 characters, got {len(v)})")
    bad = sorted({c for c in v if c not in CREDIT_VALUES})
    if bad:
        raise ValueError(f"统一社会信用代码含非法字符 (characters not allowed: {''.join(bad)})")
    if v[0] not in REGISTRATION_AUTHORITIES:
        allowed = "、".join(f"{k} {n}" for k, n in REGISTRATION_AUTHORITIES.items())
        raise ValueError(f"统一社会信用代码第1位 {v[0]} 不是登记管理部门代码（{allowed}；GB 32100-2015） "
                         f"(first character {v[0]} is not a registration-authority code)")
    if not v[2:8].isdigit():
        raise ValueError("统一社会信用代码第3-8位应为行政区划码 (positions 3-8 must be an area code)")
    expected = credit_check_char(v[:17])
    if v[17] != expected:
        raise ValueError(f"统一社会信用代码校验码错误 (check character should be {expected}, got {v[17]})")
    return _remember(_VALID_CREDIT_CODES, value, v)


def validate_county_code(value: str) -> str:
    v = value.strip()
    if v not in QUZHOU_COUNTIES:
        allowed = ", ".join(f"{k} {n}" for k, n in QUZHOU_COUNTIES.items())
        raise ValueError(f"不是衢州市的县（市、区）代码 (not a Quzhou county code; one of: {allowed})")
    return v


def _str_only(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("应为字符串 (must be a string)")
    return value


IdNumber = Annotated[str, BeforeValidator(_str_only), AfterValidator(validate_id_number)]
CreditCode = Annotated[str, BeforeValidator(_str_only), AfterValidator(validate_credit_code)]
CountyCode = Annotated[str, BeforeValidator(_str_only), AfterValidator(validate_county_code)]


def make_id_number(area: str, birth: date, sequence: int) -> str:
    """A valid ID number for ``area``, ``birth`` and a 3-digit sequence (odd = male), for demo and test data."""
    first17 = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + id_check_char(first17)


def make_credit_code(area: str, serial: int, *, category: str = "91") -> str:
    """A valid unified social credit code: ``category`` (91 = enterprise), area code, 9-char org code."""
    body = f"{serial % 10**9:09d}"
    first17 = f"{category}{area}{body}"
    return first17 + credit_check_char(first17)


def not_null(value: Any, info: ValidationInfo) -> Any:
    """A ``mode="before"`` field validator of a partial update (PATCH): a field may be omitted to leave it
    unchanged, but not sent as null."""
    if value is None:
        raise ValueError(f"{info.field_name} 不能为空 (cannot be null; omit the field to leave it unchanged)")
    return value


def not_after_today(value: date, info: ValidationInfo) -> date:
    """A field validator for a date that has happened (an issue, recognition or payment date): not after the
    bureau's today. Use as ``field_validator("issued_date")(not_after_today)``."""
    today = clock.today()
    if value > today:
        raise ValueError(f"{info.field_name} {value} 晚于今天 {today} (the date is in the future)")
    return value
