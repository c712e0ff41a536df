"""Text at the edge (hrss_shared.text): each type at its limits, each refused class with its reason."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

import httpx
import pytest
import regex  # type: ignore[import-untyped,unused-ignore]
from fastapi import FastAPI, Query
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from hrss_shared.problems import PROBLEM_JSON, InvalidField, install_problem_handlers
from hrss_shared.text import (
    FreeText,
    OrgName,
    PersonName,
    ShortText,
    check_text,
    free_text,
    org_name,
    person_name,
    short_text,
)

NAME = TypeAdapter(PersonName)
ORG = TypeAdapter(OrgName)
SHORT: TypeAdapter[str] = TypeAdapter(Annotated[str, short_text(10)])
FREE: TypeAdapter[str] = TypeAdapter(Annotated[str, free_text(10)])
ADAPTERS = {"person_name": NAME, "org_name": ORG, "short": SHORT, "free": FREE}


def reason(adapter: TypeAdapter[Any], value: object) -> str:
    """The reason a value is refused, as the problem handler shows it."""
    with pytest.raises(ValidationError) as info:
        adapter.validate_python(value)
    [error] = info.value.errors()
    return str(error["msg"]).removeprefix("Value error, ")


# ---- refused by every type -------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@pytest.mark.parametrize(("value", "words"), [
    ("王\x00明", "控制字符 (contains a control character U+0000)"),
    ("王\x07明", "控制字符 (contains a control character U+0007)"),
    ("王\x1b[31m明", "控制字符 (contains a control character U+001B)"),
    ("王\x7f明", "控制字符 (contains a control character U+007F)"),
    ("王\u202e明", "文字方向控制字符 (contains a bidirectional control character U+202E)"),
    ("王\u202a明", "bidirectional control character U+202A"),
    ("王\u2066明", "bidirectional control character U+2066"),
    ("王\u2069明", "bidirectional control character U+2069"),
    ("王\u200b明", "不可见字符 (contains an invisible format character U+200B)"),
    ("王\ufeff明", "invisible format character U+FEFF"),
    ("王\u00ad明", "invisible format character U+00AD"),
    ("王\u3164明", "invisible format character U+3164"),
    ("王\ud800明", "代理字符 (contains an unpaired surrogate U+D800)"),
    ("王\ue000明", "private-use or unassigned character U+E000"),
    ("", "不能为空 (must not be blank)"),
    ("   ", "不能为空 (must not be blank)"),
    ("\u3000\t\n", "不能为空 (must not be blank)"),
])
def test_every_type_refuses(kind: str, value: str, words: str) -> None:
    assert words in reason(ADAPTERS[kind], value)


@pytest.mark.parametrize("kind", sorted(ADAPTERS))
@pytest.mark.parametrize("value", [123, 1.5, b"abc", None, ["王明"], {"a": 1}, True])
def test_every_type_takes_a_string_only(kind: str, value: object) -> None:
    assert reason(ADAPTERS[kind], value) == "应为字符串 (must be a string)"


@pytest.mark.parametrize(("adapter", "limit", "label"), [
    (NAME, 50, "姓名"), (ORG, 200, "单位名称"), (SHORT, 10, "文本"), (FREE, 10, "文本"),
])
def test_the_limit_is_accepted_and_one_more_is_refused_with_the_limit_named(
    adapter: TypeAdapter[Any], limit: int, label: str
) -> None:
    assert adapter.validate_python("王" * limit) == "王" * limit
    assert reason(adapter, "王" * (limit + 1)) == (
        f"{label}不能超过{limit}个字符 (at most {limit} characters, got {limit + 1})"
    )


def test_the_limit_counts_after_trimming_and_normalising() -> None:
    assert SHORT.validate_python("  " + "e\u0301" * 10 + "\n") == "é" * 10


def test_values_are_trimmed_and_nfc_normalised() -> None:
    decomposed = "Jose\u0301"
    assert len(decomposed) == 5
    assert NAME.validate_python(f"  {decomposed}\u3000") == "José"
    assert ORG.validate_python(" Cafe\u0301 Ltd ") == "Café Ltd"
    assert SHORT.validate_python("\t合同到期\r\n") == "合同到期"
    assert FREE.validate_python("\n第一行\n第二行 \n") == "第一行\n第二行"


def test_the_default_types_and_factories_carry_their_limits_into_the_schema() -> None:
    class Body(BaseModel):
        name: PersonName = Field(description="姓名")
        org: OrgName
        note: ShortText | None = None
        text: FreeText | None = None
        custom: Annotated[str, person_name(20)] | None = None
        base: Annotated[str, org_name(80, label="基地名称")] | None = None

    props = Body.model_json_schema()["properties"]
    assert props["name"] == {"description": "姓名", "maxLength": 50, "minLength": 1, "title": "Name", "type": "string"}
    assert props["org"]["maxLength"] == 200
    assert [s.get("maxLength") for s in props["note"]["anyOf"]] == [200, None]
    assert [s.get("maxLength") for s in props["text"]["anyOf"]] == [4000, None]
    assert [s.get("maxLength") for s in props["custom"]["anyOf"]] == [20, None]
    with pytest.raises(ValidationError, match="基地名称不能超过80个字符"):
        Body(name="王明", org="衢州", base="衢" * 81)


# ---- person names ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "stored"), [
    ("王小明", "王小明"),
    ("欧阳娜娜", "欧阳娜娜"),
    ("阿卜杜拉·艾则孜", "阿卜杜拉·艾则孜"),
    ("买买提·吐尔逊", "买买提·吐尔逊"),
    ("迪丽热巴·迪力木拉提", "迪丽热巴·迪力木拉提"),
    # The middle dots IMEs type instead of U+00B7 become it; spaces around it are dropped.
    ("买买提・吐尔逊", "买买提·吐尔逊"),
    ("买买提･吐尔逊", "买买提·吐尔逊"),
    ("买买提•吐尔逊", "买买提·吐尔逊"),
    ("买买提．吐尔逊", "买买提·吐尔逊"),
    ("买买提 · 吐尔逊", "买买提·吐尔逊"),
    ("\u3400\u4dbf", "\u3400\u4dbf"),  # extension A
    ("王\U00020000", "王\U00020000"),  # extension B: 生僻字 in names
    ("王\U00031350", "王\U00031350"),  # extension H (newer than this Python's Unicode data)
    ("\ufa0e\ufa0f", "\ufa0e\ufa0f"),  # CJK compatibility block ideographs without a unified twin
    ("王\uf900", "王\u8c48"),  # a compatibility ideograph NFC maps to its unified twin
    ("王\U0002f800", "王\u4e3d"),  # compatibility supplement, likewise
    ("Anna Maria", "Anna Maria"),
    ("Anna   Maria", "Anna Maria"),
    ("O'Neil", "O'Neil"),
    ("O\u2019Neil", "O'Neil"),
    ("Jean-Luc", "Jean-Luc"),
    ("Zoë Saldaña", "Zoë Saldaña"),
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH"),
    ("Mary·Smith", "Mary·Smith"),
])
def test_person_names_accepted(value: str, stored: str) -> None:
    assert NAME.validate_python(value) == stored


# The edges of the CJK blocks: the first and last ideograph of each block or run, and the unassigned code point just
# past it, which no name can hold (it renders as nothing or a box).
@pytest.mark.parametrize("point", [
    0x3400, 0x4DBF, 0x4E00, 0x9FFF,  # extension A, the URO
    0xFA6D, 0xFA70, 0xFAD9,  # the compatibility block, either side of its gap and at its end
    0x20000, 0x2A6DF, 0x2A700, 0x2EBE0,  # extension B; C to F
    0x2EBF0, 0x2EE5D,  # extension I (Unicode 15.1)
    0x2FA1D,  # the end of the compatibility supplement
    0x30000, 0x3134A, 0x31350, 0x323AF,  # extensions G and H
])
def test_every_cjk_ideograph_up_to_each_blocks_edge_is_a_name_character(point: int) -> None:
    value = f"王{chr(point)}"
    assert NAME.validate_python(value) == unicodedata.normalize("NFC", value)


@pytest.mark.parametrize("point", [0xFA6E, 0xFADA, 0x2EBE1, 0x2EE5E, 0x2FA1E, 0x3134B])
def test_an_unassigned_code_point_just_past_a_cjk_block_is_refused(point: int) -> None:
    assert reason(NAME, f"王{chr(point)}") == f"姓名含无法显示的字符 (contains a private-use or unassigned character " \
                                              f"U+{point:04X})"


@pytest.mark.parametrize(("value", "words"), [
    ("王小明😀", "姓名含不允许的字符 '😀' (U+1F600)"),
    ("王小明3", "姓名含不允许的字符 '3' (U+0033)"),
    ("王小明３", "姓名含不允许的字符 '３' (U+FF13)"),
    ("王_小明", "姓名含不允许的字符 '_' (U+005F)"),
    ("王,小明", "姓名含不允许的字符 ',' (U+002C)"),
    ("王.小明", "姓名含不允许的字符 '.' (U+002E)"),
    ("王♥", "姓名含不允许的字符 '♥' (U+2665)"),
    ("Иван", "姓名含不允许的字符 'И' (U+0418)"),
    ("王\n明", "姓名不能换行 (must be a single line; contains a line break U+000A)"),
    ("张 三", "a space may only separate Latin name parts"),
    ("张 San", "a space may only separate Latin name parts"),
    ("·王明", "the middle dot must separate two name parts"),
    ("王明·", "the middle dot must separate two name parts"),
    ("王··明", "the middle dot must separate two name parts"),
    ("O'", "hyphen and apostrophe may only join Latin letters"),
    ("'Neil", "hyphen and apostrophe may only join Latin letters"),
    ("王-明", "hyphen and apostrophe may only join Latin letters"),
    ("Jean--Luc", "hyphen and apostrophe may only join Latin letters"),
])
def test_person_names_refused(value: str, words: str) -> None:
    assert words in reason(NAME, value)


# ---- organisation names ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "衢州市柯城区某某建筑工程有限公司",
    "某某科技（浙江）有限公司",
    "中国工商银行股份有限公司衢州分行（营业部）",
    "浙江某某律师事务所(特殊普通合伙)",
    "《衢州日报》社",
    "衢州市“两山”实业有限公司",
    "Smith & Sons Co., Ltd.",
    "AT＆T（中国）",
    "衢州市第二人民医院",
    "江山市第3建筑公司",
    "衢州２号仓储中心",
    "衢州市民政局、残联联合办公室",
    "衢州—杭州物流有限公司",
    "O'Brien-Kelly Ltd.",
    "Société Générale",
    "衢州·龙游文化发展有限公司",
    "【衢州】某某贸易商行",
])
def test_org_names_accepted(value: str) -> None:
    assert ORG.validate_python(value) == value


def test_org_name_spaces_collapse_to_one() -> None:
    assert ORG.validate_python("ABC\u3000\u3000Trading  Co.") == "ABC Trading Co."


@pytest.mark.parametrize(("value", "words"), [
    ("衢州😀有限公司", "单位名称含不允许的字符 '😀' (U+1F600)"),
    ("衢州★有限公司", "单位名称含不允许的字符 '★' (U+2605)"),
    ("衢州$有限公司", "单位名称含不允许的字符 '$' (U+0024)"),
    ("衢州#1有限公司", "单位名称含不允许的字符 '#' (U+0023)"),
    ("衢州\x00有限公司", "单位名称含控制字符 (contains a control character U+0000)"),
    ("衢州\n有限公司", "单位名称不能换行"),
    ("（）", "单位名称须含文字 (must contain letters)"),
    ("123", "单位名称须含文字 (must contain letters)"),
])
def test_org_names_refused(value: str, words: str) -> None:
    assert words in reason(ORG, value)


# ---- short and free text ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "合同到期", "本人申请（回老家）", "退役军人事务局", "C++ 工程师", "⭐优秀", "协议期满　本人申请",
])
def test_short_text_takes_any_printable_character(value: str) -> None:
    assert TypeAdapter(Annotated[str, short_text(200)]).validate_python(value) == value


@pytest.mark.parametrize("value", ["一\n二", "一\r\n二", "一\r二", "一\u2028二", "一\u2029二", "一\x85二", "一\x0b二"])
def test_short_text_is_one_line(value: str) -> None:
    assert "不能换行 (must be a single line" in reason(SHORT, value)


def test_short_text_refuses_a_tab_as_a_control_character() -> None:
    assert reason(SHORT, "一\t二") == "文本含控制字符 (contains a control character U+0009)"


def test_free_text_keeps_newlines_and_tabs_and_unifies_line_breaks() -> None:
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, free_text(100)])
    assert adapter.validate_python("一\r\n二\r三\u2028四\t五") == "一\n二\n三\n四\t五"
    assert reason(adapter, "一\n\x00") == "文本含控制字符 (contains a control character U+0000)"
    assert "U+000B" in reason(adapter, "一\x0b二")


# ---- check_text and query parameters ---------------------------------------------------------


def test_check_text_answers_a_422_naming_the_field() -> None:
    assert check_text("  窗口业务办理 ", field="X-Purpose", max_length=10) == "窗口业务办理"
    with pytest.raises(InvalidField) as info:
        check_text("a\x00b", field="X-Purpose", max_length=10)
    assert info.value.status == 422
    assert [(e.field, e.reason) for e in info.value.errors] == [
        ("X-Purpose", "文本含控制字符 (contains a control character U+0000)")
    ]
    with pytest.raises(InvalidField, match="at most 3 characters"):
        check_text("abcd", field="q", max_length=3)


async def test_a_query_parameter_is_checked_by_its_type() -> None:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/items")
    async def items(q: Annotated[Annotated[str, short_text(5)] | None, Query(description="q")] = None) -> str | None:
        return q

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/items", params={"q": " 电工 "})).json() == "电工"
        assert (await client.get("/items")).json() is None
        r = await client.get("/items?q=a%00b")
        assert r.status_code == 422
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
        assert r.json()["errors"] == [{"field": "q", "reason": "文本含控制字符 (contains a control character U+0000)"}]
        r = await client.get("/items", params={"q": "abcdef"})
        assert r.json()["errors"][0]["reason"] == "文本不能超过5个字符 (at most 5 characters, got 6)"


# ---- properties ------------------------------------------------------------------------------


def _clean(kind: str, value: str) -> str | None:
    try:
        result: str = ADAPTERS[kind].validate_python(value)
    except ValidationError:
        return None
    return result


# Pieces of names and of what hides in them, so that generated values are accepted as well as refused.
PIECES = st.sampled_from([
    *"王小明·・ -'’Ａaé\u0301\u0300\u3000\n\r\t\x00\x1b\u202e\u200b.,（）&😀3", "O", "Anna", "阿卜杜拉",
])
TEXTS = st.one_of(st.text(max_size=30), st.lists(PIECES, max_size=10).map("".join))


@given(kind=st.sampled_from(sorted(ADAPTERS)), value=TEXTS)
def test_no_accepted_value_hides_anything_or_has_edge_whitespace(kind: str, value: str) -> None:
    result = _clean(kind, value)
    if result is None:
        return
    allowed = {"\n", "\t"} if kind == "free" else set()
    assert result
    assert not result[0].isspace() and not result[-1].isspace()
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Cs") or c in allowed for c in result)
    assert result == unicodedata.normalize("NFC", result)
    assert _clean(kind, result) == result  # cleaning is idempotent


@given(value=TEXTS)
def test_a_person_name_is_cjk_latin_or_the_name_marks(value: str) -> None:
    result = _clean("person_name", value)
    if result is None:
        return
    for char in result:  # a letter or mark by Unicode's current tables (this Python's are 14.0: no extension H or I)
        assert char in " ·-'" or regex.fullmatch(r"[\p{L}\p{M}]", char), (value, result)


@given(st.lists(st.sampled_from("王小明阿卜杜拉艾则孜"), min_size=1, max_size=6),
       st.lists(st.sampled_from("买提吐尔逊"), min_size=1, max_size=6))
def test_minority_names_with_any_middle_dot_are_stored_with_u00b7(first: list[str], second: list[str]) -> None:
    for dot in "·・･•‧∙⋅．":
        assert NAME.validate_python("".join(first) + dot + "".join(second)) == "".join(first) + "·" + "".join(second)
