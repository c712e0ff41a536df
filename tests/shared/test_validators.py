"""Citizen ID (GB 11643-1999), unified social credit code (GB 32100-2015) and Quzhou county codes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from hrss_shared import clock
from hrss_shared.validators import (
    CREDIT_ALPHABET,
    QUZHOU_COUNTIES,
    CountyCode,
    CreditCode,
    IdNumber,
    birth_date_of,
    credit_check_char,
    id_check_char,
    make_credit_code,
    make_id_number,
    validate_county_code,
    validate_credit_code,
    validate_id_number,
)

COUNTIES = sorted(QUZHOU_COUNTIES)
# Area codes from elsewhere in China are valid ID numbers too (people move to Quzhou).
AREAS = [*COUNTIES, "330800", "110105", "310115", "440305", "650102"]


def reference_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 as GB 11643 states it: weight 2^(18-i) mod 11, check (12 - sum) mod 11, 10 = X."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def reference_credit_check(first17: str) -> str:
    """GB 32100-2015: weight 3^i mod 31, check (31 - sum mod 31) mod 31 in the code alphabet."""
    total = sum(CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def with_check(first17: str) -> str:
    return first17 + reference_id_check(first17)


def reason_of(value: str, validator: object) -> str:
    with pytest.raises(ValueError) as info:
        validator(value)  # type: ignore[operator]
    return str(info.value)


# ---- citizen ID number ---------------------------------------------------------------------


def test_gb11643_standard_example_is_valid() -> None:
    assert validate_id_number("11010519491231002X") == "11010519491231002X"
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)


def test_lower_case_x_and_surrounding_spaces_are_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"


def test_quzhou_id_numbers_with_digit_check_character() -> None:
    value = with_check("33080219900101123")
    assert value[-1] != "X"
    assert validate_id_number(value) == value


def test_wrong_check_character_is_refused_with_the_expected_one() -> None:
    good = "11010519491231002X"
    reason = reason_of("110105194912310021", validate_id_number)
    assert "校验码" in reason
    assert "should be X" in reason
    assert validate_id_number(good)


def test_x_where_a_digit_check_is_due_is_refused() -> None:
    value = with_check("33080219900101123")
    assert "校验码" in reason_of(value[:17] + "X", validate_id_number)


@pytest.mark.parametrize("first17", [
    "33080219900230123",  # 30 February
    "33080219900231123",  # 31 February
    "33080219000229123",  # 1900 was not a leap year
    "33080219901301123",  # month 13
    "33080219900100123",  # day 0
    "33080219900431123",  # 31 April
])
def test_birth_date_must_be_a_real_date(first17: str) -> None:
    reason = reason_of(with_check(first17), validate_id_number)
    assert "出生日期" in reason


def test_leap_day_of_a_leap_year_is_a_real_date() -> None:
    assert validate_id_number(with_check("33080220000229123"))


def test_birth_date_in_the_future_or_before_1900_is_refused() -> None:
    tomorrow = clock.today() + timedelta(days=1)
    assert "出生日期" in reason_of(with_check(f"330802{tomorrow:%Y%m%d}123"), validate_id_number)
    assert "出生日期" in reason_of(with_check("33080218991231123"), validate_id_number)


@pytest.mark.parametrize("value", ["", "11010519491231002", "11010519491231002X1", "330802900101123"])
def test_wrong_length_is_refused(value: str) -> None:
    reason = reason_of(value, validate_id_number)
    assert "18位" in reason
    assert f"got {len(value)}" in reason


@pytest.mark.parametrize("value", ["1101051949123100AX", "X10105194912310021", "11010519491231002Y"])
def test_non_digits_are_refused(value: str) -> None:
    assert "前17位" in reason_of(value, validate_id_number)


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "99"])
def test_unknown_province_is_refused(province: str) -> None:
    reason = reason_of(with_check(f"{province}080219900101123"), validate_id_number)
    assert "地址码" in reason
    assert province in reason


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_matches_iso7064_mod_11_2(first17: str) -> None:
    assert id_check_char(first17) == reference_id_check(first17)


@given(
    area=st.sampled_from(AREAS),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=clock.today()),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_make_id_number_always_validates(area: str, birth: date, sequence: int) -> None:
    value = make_id_number(area, birth, sequence)
    assert len(value) == 18
    assert validate_id_number(value) == value
    assert birth_date_of(value) == birth
    assert value[:6] == area


@given(
    area=st.sampled_from(AREAS),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=clock.today()),
    sequence=st.integers(min_value=0, max_value=999),
    data=st.data(),
)
def test_any_single_character_change_of_an_id_number_is_detected(
    area: str, birth: date, sequence: int, data: st.DataObject
) -> None:
    value = make_id_number(area, birth, sequence)
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    allowed = "0123456789" if position < 17 else "0123456789X"
    replacement = data.draw(st.sampled_from([c for c in allowed if c != value[position]]), label="replacement")
    changed = value[:position] + replacement + value[position + 1:]
    with pytest.raises(ValueError):
        validate_id_number(changed)


# ---- unified social credit code ------------------------------------------------------------


def test_known_credit_code_is_valid() -> None:
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize("bad", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_code_alphabet_are_refused(bad: str) -> None:
    value = "91350100M000100Y43"
    changed = value[:9] + bad + value[10:]
    reason = reason_of(changed, validate_credit_code)
    assert "非法字符" in reason
    assert bad in reason


def test_wrong_credit_check_character_is_refused_with_the_expected_one() -> None:
    reason = reason_of("91350100M000100Y44", validate_credit_code)
    assert "校验码" in reason
    assert "should be 3" in reason


def test_credit_code_area_part_must_be_digits() -> None:
    first17 = "9133A802000000001"
    assert "行政区划码" in reason_of(first17 + reference_credit_check(first17), validate_credit_code)


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_credit_code_wrong_length_is_refused(value: str) -> None:
    assert "18位" in reason_of(value, validate_credit_code)


@given(st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17))
def test_credit_check_character_matches_the_standard_formula(first17: str) -> None:
    assert credit_check_char(first17) == reference_credit_check(first17)


@given(
    area=st.sampled_from(AREAS),
    serial=st.integers(min_value=0, max_value=10**9 - 1),
    category=st.sampled_from(["91", "92", "93", "11", "12", "31", "51", "52", "53", "Y1"]),
)
def test_make_credit_code_always_validates(area: str, serial: int, category: str) -> None:
    value = make_credit_code(area, serial, category=category)
    assert validate_credit_code(value) == value
    assert value[2:8] == area


@given(
    area=st.sampled_from(AREAS),
    serial=st.integers(min_value=0, max_value=10**9 - 1),
    data=st.data(),
)
def test_any_single_character_change_of_a_credit_code_is_detected(
    area: str, serial: int, data: st.DataObject
) -> None:
    value = make_credit_code(area, serial)
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    replacement = data.draw(st.sampled_from([c for c in CREDIT_ALPHABET if c != value[position]]), label="new")
    changed = value[:position] + replacement + value[position + 1:]
    with pytest.raises(ValueError):
        validate_credit_code(changed)


# ---- county codes --------------------------------------------------------------------------


def test_the_six_quzhou_counties() -> None:
    assert COUNTIES == ["330802", "330803", "330822", "330824", "330825", "330881"]
    for code in COUNTIES:
        assert validate_county_code(code) == code
    assert QUZHOU_COUNTIES["330802"] == "柯城区"
    assert QUZHOU_COUNTIES["330881"] == "江山市"


@pytest.mark.parametrize("value", ["330800", "330801", "330823", "110105", "", "33080"])
def test_other_codes_are_not_quzhou_counties(value: str) -> None:
    reason = reason_of(value, validate_county_code)
    assert "衢州" in reason
    assert "330802 柯城区" in reason


# ---- the annotated types used in API models -------------------------------------------------


class Body(BaseModel):
    id_number: IdNumber
    credit_code: CreditCode
    county_code: CountyCode


def test_annotated_types_normalise_and_name_the_field() -> None:
    ok = Body(id_number="11010519491231002x", credit_code="91350100m000100y43", county_code="330803")
    assert ok.id_number == "11010519491231002X"
    assert ok.credit_code == "91350100M000100Y43"
    with pytest.raises(ValidationError) as info:
        Body(id_number="110105194912310021", credit_code="91350100M000100Y43", county_code="330800")
    errors = {e["loc"][0]: e["msg"] for e in info.value.errors()}
    assert set(errors) == {"id_number", "county_code"}
    assert "校验码" in errors["id_number"]


def test_annotated_types_refuse_numbers_instead_of_strings() -> None:
    with pytest.raises(ValidationError) as info:
        Body(id_number=110105194912310021, credit_code="91350100M000100Y43", county_code=330802)  # type: ignore[arg-type]
    assert {e["loc"][0] for e in info.value.errors()} == {"id_number", "county_code"}


# ---- issue 11: legacy numbers, full-width input, residence permits, registration authorities ----------------


def test_a_15_digit_number_is_named_as_the_legacy_format() -> None:
    reason = reason_of("330802900101123", validate_id_number)
    assert "15位旧版身份证号码" in reason
    assert "legacy 15-digit" in reason


def test_15_characters_that_are_not_all_digits_get_the_plain_length_message() -> None:
    reason = reason_of("33080290010112X", validate_id_number)
    assert "旧版" not in reason
    assert "got 15" in reason


def test_full_width_digits_and_x_are_normalised() -> None:
    full = "１１０１０５１９４９１２３１００２ｘ"
    assert validate_id_number(full) == "11010519491231002X"
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    value = with_check("33080219900101123")
    assert validate_id_number(value.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})) == value


def test_other_unicode_digits_are_refused_not_crashed_on() -> None:
    arabic_indic = "\u0661" + "1010519491231002X"
    assert "前17位" in reason_of(arabic_indic, validate_id_number)


@pytest.mark.parametrize("area", ["810000", "820000", "830000", "710000"])
def test_hong_kong_macao_taiwan_residence_permit_numbers_are_accepted(area: str) -> None:
    value = make_id_number(area, date(1990, 1, 1), 123)
    assert validate_id_number(value) == value


@pytest.mark.parametrize("province", ["72", "80", "84", "90"])
def test_codes_next_to_the_residence_permit_codes_are_still_refused(province: str) -> None:
    assert "地址码" in reason_of(with_check(f"{province}000019900101123"), validate_id_number)


@pytest.mark.parametrize("first", ["0", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "P", "Q", "R", "T",
                                   "U", "W", "X"])
def test_credit_code_with_no_such_registration_authority_is_refused(first: str) -> None:
    first17 = f"{first}1330802000000001"
    reason = reason_of(first17 + reference_credit_check(first17), validate_credit_code)
    assert "登记管理部门代码" in reason
    assert f"first character {first}" in reason
    assert "GB 32100-2015" in reason


@pytest.mark.parametrize("first", list("123456789ANY"))
def test_every_registration_authority_code_is_accepted(first: str) -> None:
    first17 = f"{first}1330802000000001"
    value = first17 + reference_credit_check(first17)
    assert validate_credit_code(value) == value


def test_full_width_credit_code_is_normalised() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in "91350100m000100y43")
    assert validate_credit_code(full) == "91350100M000100Y43"


def test_a_number_found_valid_is_refused_again_under_a_frozen_clock_before_its_birth() -> None:
    """Valid numbers are remembered (consumers meet one person's number event after event), but never while a test
    has frozen the clock: "today" can then go back before the birth date."""
    born = date(2020, 5, 17)
    number = make_id_number("330802", born, 7)
    assert validate_id_number(number) == number
    assert validate_id_number(f" {number.lower()} ") == number
    with clock.freeze(born - timedelta(days=1)), pytest.raises(ValueError, match="出生日期无效"):
        validate_id_number(number)
    with clock.freeze(born):
        assert validate_id_number(number) == number
