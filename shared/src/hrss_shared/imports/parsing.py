"""Reading an import file (CSV with a header row, or JSON lines) into numbered rows.

Line numbers are 1-based physical lines of the file: in a CSV file the header is line 1 and the
first data row line 2; in a JSON-lines file the first object is line 1. Blank lines are skipped
(they are not rows) but still counted, so every number points at the line an editor shows.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from hrss_shared.problems import InvalidField

CSV_TYPES = frozenset({"text/csv"})
JSONL_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/json-lines"})
RAW_LIMIT = 500


@dataclass
class RowError:
    """Why a row was rejected: the field (None for the row as a whole), the reason and the HTTP status
    the single-record endpoint answers with."""

    field: str | None
    reason: str
    status: int = 422


@dataclass
class Row:
    """One data row: its values, or the reason it could not be read at all."""

    line: int
    raw: str
    values: dict[str, Any]
    error: RowError | None = None


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """``text/csv; charset=gbk`` → (``text/csv``, ``gbk``)."""
    parts = [p.strip() for p in (content_type or "").split(";")]
    charset = next((p.split("=", 1)[1].strip().strip('"') for p in parts[1:] if p.lower().startswith("charset=")), None)
    return parts[0].lower(), charset


def decode(body: bytes, charset: str | None) -> str:
    """UTF-8 (a BOM is allowed) unless the Content-Type names another charset, e.g. GB18030 from Excel."""
    encoding = charset or "utf-8-sig"
    try:
        return body.decode(encoding)
    except LookupError:
        raise InvalidField("charset", f"不支持的字符集 {charset} (unknown charset)") from None
    except UnicodeDecodeError as exc:
        raise InvalidField(
            "body", f"文件无法按 {encoding} 解码，请以UTF-8保存或在Content-Type中注明charset "
            f"(cannot decode as {encoding} at byte {exc.start})"
        ) from None


def read_csv(text: str, *, columns: frozenset[str], required: frozenset[str]) -> list[Row]:
    """Rows of a CSV file whose header names the columns; a bad header refuses the whole file (422)."""
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(iter(lines))
    header = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
    _check_header(header, columns=columns, required=required)
    rows: list[Row] = []
    previous = reader.line_num
    for cells in reader:
        start, previous = previous + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        raw = "".join(lines[start - 1:previous]).rstrip("\r\n")[:RAW_LIMIT]
        values = {h: c.strip() for h, c in zip(header, cells, strict=False) if c.strip()}
        error = None
        if len(cells) != len(header):
            error = RowError(None, f"列数与表头不符 (expected {len(header)} columns, got {len(cells)})")
        rows.append(Row(line=start, raw=raw, values=values, error=error))
    return rows


def _check_header(header: list[str], *, columns: frozenset[str], required: frozenset[str]) -> None:
    if not any(header):
        raise InvalidField("header", "文件缺少表头行 (the first line must name the columns)")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InvalidField(
            "header", f"未知列 {', '.join(unknown)} (unknown columns; allowed: {', '.join(sorted(columns))})"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InvalidField("header", f"重复列 {', '.join(duplicated)} (duplicated columns)")
    missing = sorted(required - set(header))
    if missing:
        raise InvalidField("header", f"缺少必填列 {', '.join(missing)} (missing required columns)")


def read_jsonl(text: str) -> list[Row]:
    """Rows of a JSON-lines file, one object a line; keys the API does not know are ignored, as in the API."""
    rows: list[Row] = []
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        raw = stripped[:RAW_LIMIT]
        try:
            values = json.loads(stripped)
        except json.JSONDecodeError as exc:
            rows.append(Row(number, raw, {}, RowError(None, f"JSON 格式错误 (invalid JSON: {exc.msg})")))
            continue
        if not isinstance(values, dict):
            rows.append(Row(number, raw, {}, RowError(None, "每行应为一个JSON对象 (each line must be an object)")))
            continue
        rows.append(Row(number, raw, values))
    return rows
