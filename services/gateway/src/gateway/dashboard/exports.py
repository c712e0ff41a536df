"""CSV and Excel (xlsx) exports of the dashboard's tables 表格导出.

An export reads the same documented API the page reads (``/v1/indicators``, ``/v1/alerts``,
``/v1/arrears-cases/overdue``, ``/v1/warnings``), in process and with the staff member's read-only page token,
every page of it, so a file holds exactly the rows the page lists under the same filters (a county client's
own county only, personal data masked as on the page). CSV is UTF-8 with a byte-order mark, which Excel needs
to open Chinese text; xlsx is written by openpyxl, numbers as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from openpyxl import Workbook
from openpyxl.styles import Font

from hrss_shared.problems import PROBLEM_JSON, ProblemError
from hrss_shared.validators import QUZHOU_COUNTIES

Cell = str | int | Decimal | None
Row = Mapping[str, Any]
PAGE_SIZE = 500  # the house's largest page (hrss_shared.paging)
MAX_ROWS = 50_000
INTERNAL_BASE = "http://gateway.internal"

ALERT_STATUS = {"open": "待处理", "acknowledged": "已确认", "resolved": "已处理", "retracted": "已撤回"}
INDICATOR_STATUS = {"measured": "已统计", "not_measured": "无法统计", "no_target": "无目标"}
INDICATOR_PERIOD = {"year": "年度", "plan_to_date": "规划期累计", "year_end": "年末", "rate": "比率"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _county(value: Any) -> str | None:
    return None if value is None else QUZHOU_COUNTIES.get(str(value), str(value))


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Row], Cell]


def col(header: str, key: str, convert: Callable[[Any], Cell] = _text) -> Column:
    return Column(header, lambda row: convert(row.get(key)))


@dataclass(frozen=True)
class Table:
    """One exportable table: the API it reads, the filters it passes on, its columns."""

    name: str
    title: str
    path: str
    filters: tuple[str, ...]
    columns: tuple[Column, ...]
    rows_key: str | None = None  # the answer's list (not paged); None: a house page {data, count, limit, offset}


def _evidence(row: Row) -> str:
    return "; ".join(f"{e.get('topic')}#{e.get('id')} ({e.get('type')})" for e in row.get("evidence") or [])


def _signals(row: Row) -> str:
    return "; ".join(f"{s.get('name') or s.get('code')}({s.get('weight')})" for s in row.get("signals") or [])


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "indicators", "规划指标完成情况", "/v1/indicators", ("year", "county_code"), rows_key="indicators",
            columns=(
                col("指标代码", "code"), col("指标", "name"), col("分组", "group"), col("单位", "unit"),
                Column("口径", lambda r: INDICATOR_PERIOD.get(str(r.get("period")), _text(r.get("period")))),
                col("目标", "target", _number), col("比较", "comparison"), col("目标口径", "target_scope"),
                col("实际", "actual", _number), col("完成率", "share", _number),
                Column("状态", lambda r: INDICATOR_STATUS.get(str(r.get("status")), _text(r.get("status")))),
                col("说明", "reason"),
                Column("示例数据", lambda r: "是" if r.get("illustrative") else "否"),
                col("依据", "source"),
            ),
        ),
        Table(
            "alerts", "政策监管预警", "/v1/alerts",
            ("county_code", "status", "rule", "from_date", "to_date"),
            columns=(
                col("预警编号", "id"), col("规则", "rule_name"), col("县（市、区）", "county_code", _county),
                col("身份证号", "id_number"), col("统一社会信用代码", "credit_code"), col("说明", "summary"),
                Column("状态", lambda r: ALERT_STATUS.get(str(r.get("status")), _text(r.get("status")))),
                col("发现时间", "detected_at"), Column("证据事件", _evidence),
            ),
        ),
        Table(
            "arrears", "超期欠薪案件", "/v1/arrears-cases/overdue", ("county_code",),
            columns=(
                col("案件编号", "id"), col("统一社会信用代码", "credit_code"), col("用人单位", "employer_name"),
                col("县（市、区）", "county_code", _county), col("状态", "status"), col("受理日期", "accepted_date"),
                col("办结期限", "deadline_date"), col("超期天数", "days_overdue", _integer),
                col("涉及劳动者人数", "workers_affected", _integer), col("欠薪金额（元）", "amount_owed", _number),
            ),
        ),
        Table(
            "warnings", "欠薪风险预警名单", "/v1/warnings", ("county_code", "level"),
            columns=(
                col("统一社会信用代码", "credit_code"), col("用人单位", "employer_name"),
                col("县（市、区）", "county_code", _county), col("风险分", "score", _number), col("预警等级", "level"),
                Column("风险信号", _signals), col("评估时间", "as_of"),
            ),
        ),
    )
}


class UpstreamError(ProblemError):
    def __init__(self, detail: str, status: int = 502) -> None:
        super().__init__(detail=detail, status=status, title="数据接口错误 Upstream error", slug="upstream")


async def fetch_rows(client: httpx.AsyncClient, table: Table, params: Mapping[str, str]) -> list[Row]:
    """Every row of ``table`` under ``params``, page after page (at most :data:`MAX_ROWS`)."""
    if table.rows_key is not None:
        body = await _get(client, table.path, params)
        return list(body.get(table.rows_key) or [])
    rows: list[Row] = []
    offset = 0
    while True:
        body = await _get(client, table.path, {**params, "limit": str(PAGE_SIZE), "offset": str(offset)})
        page = body.get("data", body.get("items")) or []
        count = int(body.get("count", body.get("total", 0)) or 0)
        if count > MAX_ROWS:
            raise ProblemError(detail=f"共 {count} 行，超过导出上限 {MAX_ROWS} 行，请缩小筛选范围 "
                                      f"(more than {MAX_ROWS} rows: narrow the filters)",
                               status=422, title="数据校验失败 Validation failed", slug="validation")
        rows += page
        offset += len(page)
        if not page or offset >= count:
            return rows


async def _get(client: httpx.AsyncClient, path: str, params: Mapping[str, str]) -> dict[str, Any]:
    r = await client.get(path, params=dict(params))
    if r.status_code in (401, 403, 422) and r.headers.get("content-type", "").startswith(PROBLEM_JSON):
        problem = r.json()
        raise ProblemError(detail=str(problem.get("detail")), status=r.status_code,
                           title=str(problem.get("title")), slug=str(problem.get("type", "")).rsplit("/", 1)[-1])
    if r.status_code != 200:
        raise UpstreamError(f"数据接口 {path} 暂不可用 (answered {r.status_code})")
    body: dict[str, Any] = r.json()
    return body


def _safe(value: Cell) -> Cell:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def cells(table: Table, rows: Sequence[Row]) -> list[list[Cell]]:
    return [[_safe(c.value(row)) for c in table.columns] for row in rows]


def to_csv(table: Table, rows: Sequence[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    writer.writerows([["" if v is None else str(v) for v in line] for line in cells(table, rows)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, rows: Sequence[Row], *, about: Sequence[tuple[str, str]]) -> bytes:
    """The table on its first sheet (header in row 1, frozen), what was exported on a second (说明)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append([c.header for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in cells(table, rows):
        sheet.append(line)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(10, min(40, len(column.header) * 2 + 4))
    notes = book.create_sheet("导出说明")
    for key, value in about:
        notes.append([key, value])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def describe(table: Table, params: Mapping[str, str], *, client: str, at: datetime) -> list[tuple[str, str]]:
    county = params.get("county_code")
    about = [("表格", table.title), ("县（市、区）", QUZHOU_COUNTIES.get(county, county) if county else "全市")]
    about += [(key, value) for key, value in params.items() if key != "county_code"]
    return [*about, ("导出人", client), ("导出时间", at.isoformat(timespec="seconds"))]
