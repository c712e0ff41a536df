"""Text at the edge: string types for input fields that refuse what hides text or breaks the database.

Every type takes a ``str`` only, normalises it to NFC, trims spaces, tabs and line breaks at both ends, and
refuses control characters (NUL, BEL, ESC …), bidi overrides, embeddings and isolates, other invisible format
characters (zero-width space, BOM, soft hyphen, Hangul fillers …), unpaired surrogates, private-use and
unassigned code points, blank values and values longer than the field's limit. A refusal is a ``ValueError``
worded in Chinese and English, which the problem handlers answer as a 422 naming the field.

Use them as ``Annotated[str, rule]``; the limit is part of the rule, so each field states it once::

    name: PersonName = Field(description="姓名")                      # 50
    title: Annotated[str, short_text(200)] = Field(description="岗位名称")
    occupation: Annotated[Annotated[str, short_text(100)] | None, Query(description="工种")] = None

The factories return an annotation object rather than a type because mypy accepts no call as a type.

* :func:`person_name` (姓名, default 50): CJK ideographs (every extension and the compatibility blocks) and
  Latin letters, accented ones included. The middle dot of minority and transliterated names is U+00B7
  ``·``; the look-alikes IMEs type (``・ ･ • ‧ ∙ ⋅ ． ⸱``) become it, and spaces around it are dropped. It must
  stand between two name parts. A space may only separate Latin parts (``Anna Maria``), never CJK ones
  (``张 三`` is refused: an ID card has no space there); runs of spaces, including 全角 and no-break spaces,
  become one. ``-`` and ``'`` may join Latin letters (``Jean-Luc``, ``O'Neil``); ``’ ʼ ＇`` become ``'``
  and ``‐ ‑ －`` become ``-``. Full-width Latin letters become ASCII. Digits, emoji, other symbols and other
  scripts are refused with the character named.
* :func:`org_name` (单位名称, default 200): letters of any script (with their combining marks), digits,
  spaces (runs become one) and the punctuation of organisation names, full-width forms included:
  ``()（）[]［］【】〔〕《》〈〉“”‘’'"＇＂·、,，.．-－‐‑–—&＆:：/／``. At least one letter.
* :func:`short_text` (one line: a reason, source, occupation, title …): any printable character, no line
  break. :func:`free_text` (notes, descriptions): also ``\\n`` and ``\\t``; ``\\r\\n``, ``\\r``, U+2028,
  U+2029 and U+0085 become ``\\n``.
* :func:`check_text`: the :func:`short_text` rules for a value checked by hand (a header), raising
  :class:`~hrss_shared.problems.InvalidField`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import regex  # type: ignore[import-untyped,unused-ignore]
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from hrss_shared.problems import InvalidField


class TextKind(StrEnum):
    person_name = "person_name"
    org_name = "org_name"
    short = "short"
    free = "free"


PERSON_NAME_MAX = 50
ORG_NAME_MAX = 200
SHORT_TEXT_MAX = 200
FREE_TEXT_MAX = 4000

MIDDLE_DOT = "\u00b7"
# Spaces (category Zs) and line breaks trimmed at both ends; inner ones are judged by the kind's rules.
SPACES = frozenset(" \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000")
TRIM = "".join(sorted(SPACES)) + "\t\n\r\u2028\u2029"
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters of other categories that render as nothing: Hangul fillers, combining grapheme joiner, braille blank.
INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u034f\u2800")
# CJK ideographs as the Unicode Character Database defines them: every unified ideograph (the URO and extensions A
# to I and on) and the assigned compatibility ideographs, from the ``regex`` library's Unicode tables. The standard
# library's are Unicode 14.0 in Python 3.11: they know neither extension H nor I, and hold rare characters of names
# as unassigned. Block ranges are no substitute: they include unassigned code points (U+2EBE1, U+FA6E …).
CJK = regex.compile(
    r"[\p{Unified_Ideograph}"
    r"[[\p{Block=CJK_Compatibility_Ideographs}\p{Block=CJK_Compatibility_Ideographs_Supplement}]&&\p{Ideographic}]]",
    regex.V1,
)
# What a person name's look-alike characters become: middle dots, apostrophes, hyphens, full-width Latin letters.
PERSON_NAME_MAP: dict[int, str] = {
    **dict.fromkeys(map(ord, "\u30fb\uff65\u2022\u2027\u2219\u22c5\uff0e\u2e31"), MIDDLE_DOT),
    **dict.fromkeys(map(ord, "\u2019\u02bc\uff07"), "'"),
    **dict.fromkeys(map(ord, "\u2010\u2011\uff0d"), "-"),
    **{c: chr(c - 0xFEE0) for low, high in ((0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(low, high + 1)},
}
ORG_PUNCTUATION = frozenset("()（）[]［］【】〔〕《》〈〉“”‘’'\"＇＂·、,，.．-－‐‑–—&＆:：/／")
FREE_LINE_BREAKS: dict[int, str] = {ord("\r"): "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"}


def is_cjk(char: str) -> bool:
    """A CJK unified or compatibility ideograph, of any extension (NFC turns most compatibility ones into unified)."""
    return CJK.fullmatch(char) is not None


def is_latin_letter(char: str) -> bool:
    return len(char) == 1 and unicodedata.category(char)[0] == "L" and unicodedata.name(char, "").startswith("LATIN ")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _collapse_spaces(value: str) -> str:
    out: list[str] = []
    for char in value:
        if char in SPACES:
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class TextRule:
    """The checks of one text field; used as ``Annotated[str, rule]`` (see the factories)."""

    kind: TextKind
    max_length: int
    label: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # The str schema only documents the limits (maxLength in OpenAPI): clean() has refused in its own words.
        return core_schema.no_info_before_validator_function(
            self._validate, core_schema.str_schema(min_length=1, max_length=self.max_length)
        )

    def _validate(self, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("应为字符串 (must be a string)")
        return self.clean(value)

    def clean(self, value: str) -> str:
        """The normalised value, or ValueError with the reason."""
        for char in value:
            if 0xD800 <= ord(char) <= 0xDFFF:
                raise ValueError(f"{self.label}含无效的代理字符 (contains an unpaired surrogate {_code(char)})")
        text = value
        if self.kind is TextKind.person_name:
            text = text.translate(PERSON_NAME_MAP)
        elif self.kind is TextKind.free:
            text = text.replace("\r\n", "\n").translate(FREE_LINE_BREAKS)
        text = unicodedata.normalize("NFC", text)
        text = text.strip(TRIM)
        if self.kind in (TextKind.person_name, TextKind.org_name):
            text = _collapse_spaces(text)
        if not text:
            raise ValueError(f"{self.label}不能为空 (must not be blank)")
        if len(text) > self.max_length:
            raise ValueError(
                f"{self.label}不能超过{self.max_length}个字符 (at most {self.max_length} characters, got {len(text)})"
            )
        for char in text:
            self._check_char(char)
        if self.kind is TextKind.person_name:
            return _person_name(text, self.label)
        if self.kind is TextKind.org_name:
            _org_name(text, self.label)
        return text

    def _check_char(self, char: str) -> None:
        category = unicodedata.category(char)
        if char in LINE_BREAKS and self.kind is not TextKind.free:
            raise ValueError(f"{self.label}不能换行 (must be a single line; contains a line break {_code(char)})")
        if category == "Cc" and not (self.kind is TextKind.free and char in "\n\t"):
            raise ValueError(f"{self.label}含控制字符 (contains a control character {_code(char)})")
        if char in BIDI_CONTROLS:
            raise ValueError(
                f"{self.label}含文字方向控制字符 (contains a bidirectional control character {_code(char)})"
            )
        if category == "Cf" or char in INVISIBLE:
            raise ValueError(f"{self.label}含不可见字符 (contains an invisible format character {_code(char)})")
        if category in ("Co", "Cn") and not is_cjk(char):
            raise ValueError(
                f"{self.label}含无法显示的字符 (contains a private-use or unassigned character {_code(char)})"
            )


def _not_allowed(label: str, char: str) -> ValueError:
    return ValueError(f"{label}含不允许的字符 '{char}' ({_code(char)})")


def _person_name(text: str, label: str) -> str:
    text = text.replace(f" {MIDDLE_DOT}", MIDDLE_DOT).replace(f"{MIDDLE_DOT} ", MIDDLE_DOT)
    # Each character's base letter: a combining mark counts as the letter it follows.
    bases: list[str] = []
    for char in text:
        if unicodedata.category(char) == "Mn":
            if not bases or not is_latin_letter(bases[-1]):
                raise _not_allowed(label, char)
            bases.append(bases[-1])
        elif is_cjk(char) or is_latin_letter(char) or char in (" ", MIDDLE_DOT, "-", "'"):
            bases.append(char)
        else:
            raise _not_allowed(label, char)
    for i, char in enumerate(text):
        before = bases[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if char == MIDDLE_DOT and not (_name_letter(before) and _name_letter(after)):
            raise ValueError(f"{label}中的间隔号“·”须位于两段姓名之间 (the middle dot must separate two name parts)")
        if char == " " and not (is_latin_letter(before) and is_latin_letter(after)):
            raise ValueError(f"{label}中的空格只能分隔拉丁字母的姓名部分 (a space may only separate Latin name parts, "
                             "e.g. 'Anna Maria'; write Chinese names without spaces)")
        if char in "-'" and not (is_latin_letter(before) and is_latin_letter(after)):
            raise ValueError(f"{label}中的“{char}”只能连接拉丁字母 (hyphen and apostrophe may only join Latin letters, "
                             "e.g. Jean-Luc, O'Neil)")
    return text


def _name_letter(char: str) -> bool:
    return len(char) == 1 and (is_cjk(char) or is_latin_letter(char))


def _org_name(text: str, label: str) -> None:
    previous = ""
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "M" and category != "Me" and previous and unicodedata.category(previous)[0] in "LM":
            pass
        elif category[0] == "L" or category in ("Nd", "Nl") or char == " " or char in ORG_PUNCTUATION:
            pass
        else:
            raise _not_allowed(label, char)
        previous = char
    if not any(unicodedata.category(c)[0] == "L" for c in text):
        raise ValueError(f"{label}须含文字 (must contain letters)")


def person_name(max_length: int = PERSON_NAME_MAX, *, label: str = "姓名") -> TextRule:
    """A person's name, as ``Annotated[str, person_name(50)]``."""
    return TextRule(TextKind.person_name, max_length, label)


def org_name(max_length: int = ORG_NAME_MAX, *, label: str = "单位名称") -> TextRule:
    """An organisation's name, as ``Annotated[str, org_name(200)]``."""
    return TextRule(TextKind.org_name, max_length, label)


def short_text(max_length: int, *, label: str = "文本") -> TextRule:
    """A one-line text, as ``Annotated[str, short_text(200)]``."""
    return TextRule(TextKind.short, max_length, label)


def free_text(max_length: int, *, label: str = "文本") -> TextRule:
    """A text of several lines (``\\n``, ``\\t`` allowed), as ``Annotated[str, free_text(4000)]``."""
    return TextRule(TextKind.free, max_length, label)


PersonName = Annotated[str, person_name()]
OrgName = Annotated[str, org_name()]
ShortText = Annotated[str, short_text(SHORT_TEXT_MAX)]
# Not to be confused with hrss_shared.privacy.FreeText, the response type that masks ID numbers.
FreeText = Annotated[str, free_text(FREE_TEXT_MAX)]


# C0 controls and DEL shown as their Unicode control pictures (U+2400 …): NUL becomes ␀.
_CONTROL_PICTURES: dict[int, str] = {**{c: chr(0x2400 + c) for c in range(0x20)}, 0x7F: "\u2421"}


def visible(text: str) -> str:
    """``text`` with control characters shown as their control pictures (``\x00`` → ``␀``) and unpaired
    surrogates as U+FFFD: for echoing refused input back (an import's rejected line), which a database must be
    able to store (PostgreSQL refuses NUL) and a reader must be able to see."""
    shown = text.translate(_CONTROL_PICTURES)
    return shown.encode("utf-8", "replace").decode("utf-8") if any(0xD800 <= ord(c) <= 0xDFFF for c in shown) else shown


def check_text(value: str, *, field: str, max_length: int) -> str:
    """The :func:`short_text` rules for a value checked by hand (a header): the cleaned value, or a 422 naming field."""
    try:
        return short_text(max_length).clean(value)
    except ValueError as exc:
        raise InvalidField(field, str(exc)) from None
