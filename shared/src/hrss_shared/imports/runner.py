"""Rules of 批量导入 bulk imports, the same for every service.

- One kind per file, named by the ``kind`` query parameter (no ``kind`` column).
- Every row goes through the single-record path: the kind's row model, then its ``apply`` (the single-record
  endpoint's service function(s)).
- Each row stands alone: it runs in a savepoint, so a rejected row writes nothing but its rejection.
- Rows apply in file order, so a later row sees an earlier one (a duplicate within the file is a 409).
- Rows commit in batches together with their acceptances, rejections and the import's counts, so the
  report always matches what was written: an import interrupted by a restart stays ``running`` with
  ``processed`` < ``total``; the rows after ``processed`` were not applied and can be imported again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, func, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared import clock
from hrss_shared.app import ServiceRuntime
from hrss_shared.auth import Principal
from hrss_shared.imports.kinds import ImportKind
from hrss_shared.imports.parsing import (
    CSV_TYPES,
    JSONL_TYPES,
    Row,
    RowError,
    decode,
    media_type,
    read_csv,
    read_jsonl,
)
from hrss_shared.imports.tables import ImportJob, ImportStatus, ImportTables
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.logs import get_logger
from hrss_shared.paging import PageParams
from hrss_shared.problems import Forbidden, InvalidField, NotFound, ProblemError, validation_errors
from hrss_shared.text import visible

log = get_logger(__name__)

IMPORTS_PATH = "/v1/imports"
# A technical limit of the upload, not a bureau policy: 20 MB is about 200,000 registration rows.
MAX_BODY_BYTES = 20 * 1024 * 1024
# Pass to create_service_app(body_limits=...): the file streams in under this limit, not HRSS_MAX_BODY_BYTES.
BODY_LIMITS: Mapping[str, int] = {IMPORTS_PATH: MAX_BODY_BYTES}
# Rows per transaction: progress commits with each batch. On SQLite a batch holds the database's write
# lock, so it also ends after BATCH_SECONDS, and the import pauses after it so other writers get their turn
# (SQLite's busy handler polls, it does not queue).
BATCH_ROWS = 200
BATCH_SECONDS = 0.5
SQLITE_YIELD_SECONDS = 0.1


def too_large() -> ProblemError:
    return ProblemError(
        detail=f"导入文件超过 {MAX_BODY_BYTES // (1024 * 1024)} MB，请拆分后分批导入 "
        f"(body larger than {MAX_BODY_BYTES} bytes; split the file)",
        status=413, title="文件过大 Payload too large", slug="payload-too-large",
    )


def read_rows(*, kind: ImportKind, content_type: str | None, body: bytes) -> tuple[str, list[Row]]:
    """The file's media type and data rows; an unreadable file is refused as a whole (415/422)."""
    mtype, charset = media_type(content_type)
    if mtype in CSV_TYPES:
        rows = read_csv(decode(body, charset), columns=kind.columns, required=kind.required)
    elif mtype in JSONL_TYPES:
        rows = read_jsonl(decode(body, charset))
    else:
        raise ProblemError(
            detail=f"不支持的文件类型 {mtype or '(none)'}；请用 text/csv 或 application/x-ndjson "
            "(send text/csv with a header row, or application/x-ndjson / application/jsonl)",
            status=415, title="不支持的媒体类型 Unsupported media type", slug="unsupported-media-type",
        )
    if not rows:
        raise InvalidField("body", "文件没有数据行 (the file has no data rows)")
    return mtype, rows


async def create(
    *, session: AsyncSession, tables: ImportTables, principal: Principal, kind: ImportKind, content_type: str,
    total: int,
) -> ImportJob:
    """Record a received import as running (flushed with the request's transaction)."""
    now = clock.now()
    job = ImportJob(
        id=str(uuid.uuid4()), kind=kind.name, submitted_by=principal.client_id, county_code=principal.county,
        content_type=content_type, received_at=now, updated_at=now, finished_at=None,
        status=ImportStatus.running, total=total, accepted=0, rejected=0,
    )
    await session.execute(insert(tables.imports).values(**vars(job)))
    return job


def validate_row(kind: ImportKind, row: Row) -> tuple[BaseModel, BaseModel | None] | list[RowError]:
    """The row's model (and its extra part when it has one), or its field errors as the API words them."""
    if row.error is not None:
        return [row.error]
    errors: list[RowError] = []
    data = extra = None
    try:
        data = kind.row_model.model_validate(row.values)
    except ValidationError as exc:
        errors += [RowError(e.field, e.reason) for e in validation_errors(exc)]
    part = kind.extra
    if part is not None:
        values = {name: row.values[column] for name, column in part.columns.items() if column in row.values}
        if values:
            try:
                extra = part.model.model_validate(values)
            except ValidationError as exc:
                errors += [RowError(part.columns.get(e.field or "", e.field), e.reason)
                           for e in validation_errors(exc)]
    if errors or data is None:
        return errors
    return data, extra


async def run(*, runtime: ServiceRuntime, tables: ImportTables, principal: Principal, import_id: str,
              kind: ImportKind, rows: list[Row]) -> None:
    """Apply every row in file order, a batch of rows per commit, then mark the import completed."""
    position = 0
    while position < len(rows):
        position = await _apply_batch(runtime=runtime, tables=tables, principal=principal, import_id=import_id,
                                      kind=kind, rows=rows, start=position)
        await asyncio.sleep(SQLITE_YIELD_SECONDS if runtime.engine.dialect.name == "sqlite" else 0)
    t = tables.imports
    async with runtime.maker() as session, session.begin():
        now = clock.now()
        await session.execute(update(t).where(t.c.id == import_id).values(
            status=ImportStatus.completed, finished_at=now, updated_at=now))
    log.info("import_completed", import_id=import_id, rows=len(rows))


async def _apply_batch(
    *, runtime: ServiceRuntime, tables: ImportTables, principal: Principal, import_id: str, kind: ImportKind,
    rows: list[Row], start: int,
) -> int:
    """Apply rows from ``start``, each in a savepoint, and commit them with the report; returns the next row."""
    assert runtime.outbox is not None
    deadline = time.monotonic() + BATCH_SECONDS
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    position = start
    async with runtime.maker() as session:
        async with session.begin():
            while position < len(rows) and position - start < BATCH_ROWS and time.monotonic() < deadline:
                row = rows[position]
                position += 1
                checked = validate_row(kind, row)
                if isinstance(checked, list):
                    rejected += _rejections(import_id, kind, row, checked)
                    continue
                data, extra = checked
                try:
                    async with session.begin_nested():
                        record_id = await kind.apply(
                            session=session, outbox=runtime.outbox, principal=principal, data=data, extra=extra
                        )
                except ProblemError as exc:
                    rejected += _rejections(import_id, kind, row, _errors(kind, exc))
                    continue
                accepted.append({"import_id": import_id, "line": row.line, "record_id": record_id})
                await asyncio.sleep(0)  # SQLite calls run on the loop's thread: let requests in between rows
            for table, values in ((tables.acceptances, accepted), (tables.rejections, rejected)):
                if values:  # one executemany each
                    await session.execute(insert(table), values)
            t = tables.imports
            await session.execute(update(t).where(t.c.id == import_id).values(
                accepted=t.c.accepted + len(accepted),
                rejected=t.c.rejected + len({r["line"] for r in rejected}),
                updated_at=clock.now(),
            ))
    if accepted and runtime.relay is not None:
        runtime.relay.wake()
    return position


def _errors(kind: ImportKind, exc: ProblemError) -> list[RowError]:
    """A refused row's reasons as the single-record endpoint words them."""
    if isinstance(exc, Forbidden):
        return [RowError(kind.county_field, exc.detail, exc.status)]
    return [RowError(e.field, e.reason, exc.status) for e in exc.errors] or [RowError(None, exc.detail, exc.status)]


def _rejections(import_id: str, kind: ImportKind, row: Row, errors: list[RowError]) -> list[dict[str, Any]]:
    id_number = row.values.get(kind.id_field) if kind.id_field is not None else None
    return [
        # What came from the file is echoed with its control characters made visible (PostgreSQL stores no NUL).
        {"import_id": import_id, "line": row.line, "field": e.field, "reason": visible(e.reason[:500]),
         "status": e.status, "id_number": visible(str(id_number)[:40]) if id_number is not None else None,
         "raw": visible(row.raw)}
        for e in errors
    ]


# ---- reading ------------------------------------------------------------------------------------


async def get_or_404(*, session: AsyncSession, tables: ImportTables, principal: Principal,
                     import_id: str) -> ImportJob:
    t = tables.imports
    row = (await session.execute(select(t).where(t.c.id == import_id))).first()
    if row is None:
        raise NotFound(f"导入批次 {import_id} 不存在 (import not found)")
    principal.check_county(row.county_code)
    return ImportJob.of(row)


async def list_imports(
    *, session: AsyncSession, tables: ImportTables, page: PageParams, county_code: str | None, kind: str | None,
    status: str | None, received: DateRange, sort: str,
) -> tuple[list[ImportJob], int]:
    t = tables.imports
    query = select(t).where(*equals((t.c.county_code, county_code), (t.c.kind, kind), (t.c.status, status)))
    query = query.where(*received.day_clauses(t.c.received_at))
    rows, count = await _fetch_rows(session, query.order_by(*order_by(sort, {"received_at": t.c.received_at},
                                                                        t.c.id)), page)
    return [ImportJob.of(r) for r in rows], count


async def list_rejections(
    *, session: AsyncSession, tables: ImportTables, page: PageParams, import_id: str
) -> tuple[list[Any], int]:
    t = tables.rejections
    query = select(t).where(t.c.import_id == import_id).order_by(t.c.line, t.c.id)
    return await _fetch_rows(session, query, page)


async def list_acceptances(
    *, session: AsyncSession, tables: ImportTables, page: PageParams, import_id: str
) -> tuple[list[Any], int]:
    t = tables.acceptances
    query = select(t).where(t.c.import_id == import_id).order_by(t.c.line)
    return await _fetch_rows(session, query, page)


async def _fetch_rows(session: AsyncSession, query: Select[Any], page: PageParams) -> tuple[list[Any], int]:
    """One page of result rows (read by attribute) and the count of all (hrss_shared.paging reads ORM objects)."""
    count = (await session.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(query.limit(page.limit).offset(page.offset))).all()
    return list(rows), int(count)
