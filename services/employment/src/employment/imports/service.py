"""Rules of 批量导入 bulk imports of registrations.

- One kind per file, named by the ``kind`` query parameter (no ``kind`` column).
- Every row goes through the single-record path: the same pydantic model, then
  ``register_employment`` / ``register_unemployment`` (and, when the row carries an ``end_date``,
  ``terminate_employment`` / ``close_unemployment`` for a registration that has already ended).
- Each row stands alone: it runs in a savepoint, so a rejected row writes nothing but its rejection.
- Rows apply in file order, so a later row sees an earlier one (a duplicate within the file is a 409).
- Rows commit in batches together with their acceptances, rejections and the import's counts, so the
  report always matches what was written: an import interrupted by a restart stays ``running`` with
  ``processed`` < ``total``; the rows after ``processed`` were not applied and can be imported again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.imports.models import (
    Import,
    ImportAcceptance,
    ImportKind,
    ImportRejection,
    ImportStatus,
)
from employment.imports.parsing import CSV_TYPES, JSONL_TYPES, Row, RowError, decode, media_type, read_csv, read_jsonl
from employment.registrations import service as registrations
from employment.registrations.models import (
    Closure,
    EmploymentRegistrationCreate,
    Termination,
    UnemploymentRegistrationCreate,
)
from hrss_shared import clock
from hrss_shared.app import ServiceRuntime
from hrss_shared.auth import Principal
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.logs import get_logger
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Forbidden, InvalidField, NotFound, ProblemError, validation_errors
from hrss_shared.text import visible

log = get_logger(__name__)

# A technical limit of the upload, not a bureau policy: 20 MB is about 200,000 registration rows.
MAX_BODY_BYTES = 20 * 1024 * 1024
# Rows per transaction: progress commits with each batch. On SQLite a batch holds the database's write
# lock, so it also ends after BATCH_SECONDS, and the import pauses after it so other writers get their turn
# (SQLite's busy handler polls, it does not queue).
BATCH_ROWS = 200
BATCH_SECONDS = 0.5
SQLITE_YIELD_SECONDS = 0.1

Apply = Callable[..., Awaitable[str]]


async def _employment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: Any, end: Any | None
) -> str:
    row = await registrations.register_employment(session=session, outbox=outbox, principal=principal, data=data)
    if end is not None:
        await registrations.terminate_employment(
            session=session, outbox=outbox, principal=principal, registration_id=row.id, data=end
        )
    return row.id


async def _unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: Any, end: Any | None
) -> str:
    row = await registrations.register_unemployment(session=session, outbox=outbox, principal=principal, data=data)
    if end is not None:
        await registrations.close_unemployment(
            session=session, outbox=outbox, principal=principal, registration_id=row.id, data=end
        )
    return row.id


@dataclass(frozen=True)
class KindSpec:
    """How rows of one kind are read and applied."""

    create: type[BaseModel]
    end: type[BaseModel]
    end_reason_column: str
    county_field: str
    apply: Apply

    @property
    def required(self) -> frozenset[str]:
        return frozenset(name for name, f in self.create.model_fields.items() if f.is_required())

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.create.model_fields) | {"end_date", self.end_reason_column}


KINDS: dict[ImportKind, KindSpec] = {
    ImportKind.employment_registration: KindSpec(
        create=EmploymentRegistrationCreate, end=Termination, end_reason_column="termination_reason",
        county_field="credit_code", apply=_employment,
    ),
    ImportKind.unemployment_registration: KindSpec(
        create=UnemploymentRegistrationCreate, end=Closure, end_reason_column="close_reason",
        county_field="county_code", apply=_unemployment,
    ),
}


def too_large() -> ProblemError:
    return ProblemError(
        detail=f"导入文件超过 {MAX_BODY_BYTES // (1024 * 1024)} MB，请拆分后分批导入 "
        f"(body larger than {MAX_BODY_BYTES} bytes; split the file)",
        status=413, title="文件过大 Payload too large", slug="payload-too-large",
    )


def read_rows(*, kind: ImportKind, content_type: str | None, body: bytes) -> tuple[str, list[Row]]:
    """The file's media type and data rows; an unreadable file is refused as a whole (415/422)."""
    mtype, charset = media_type(content_type)
    spec = KINDS[kind]
    if mtype in CSV_TYPES:
        rows = read_csv(decode(body, charset), columns=spec.columns, required=spec.required)
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
    *, session: AsyncSession, principal: Principal, kind: ImportKind, content_type: str, total: int
) -> Import:
    """Record a received import as running."""
    job = Import(
        kind=kind, submitted_by=principal.client_id, county_code=principal.county, content_type=content_type,
        total=total,
    )
    session.add(job)
    await session.flush()
    return job


def validate_row(kind: ImportKind, row: Row) -> tuple[BaseModel, BaseModel | None] | list[RowError]:
    """The row's create model (and end model when it carries an end date), or its field errors as the API words them."""
    if row.error is not None:
        return [row.error]
    spec = KINDS[kind]
    errors: list[RowError] = []
    data = end = None
    try:
        data = spec.create.model_validate(row.values)
    except ValidationError as exc:
        errors += [RowError(e.field, e.reason) for e in validation_errors(exc)]
    end_values = {k: row.values[c] for k, c in (("end_date", "end_date"), ("reason", spec.end_reason_column))
                  if c in row.values}
    if end_values:
        try:
            end = spec.end.model_validate(end_values)
        except ValidationError as exc:
            names = {"reason": spec.end_reason_column}
            errors += [RowError(names.get(e.field, e.field), e.reason) for e in validation_errors(exc)]
    if errors or data is None:
        return errors
    return data, end


async def run(*, runtime: ServiceRuntime, principal: Principal, import_id: str, kind: ImportKind,
              rows: list[Row]) -> None:
    """Apply every row in file order, a batch of rows per commit, then mark the import completed."""
    position = 0
    while position < len(rows):
        position = await _apply_batch(runtime=runtime, principal=principal, import_id=import_id, kind=kind,
                                      rows=rows, start=position)
        await asyncio.sleep(SQLITE_YIELD_SECONDS if runtime.engine.dialect.name == "sqlite" else 0)
    async with runtime.maker() as session, session.begin():
        now = clock.now()
        await session.execute(update(Import).where(col(Import.id) == import_id).values(
            status=ImportStatus.completed, finished_at=now, updated_at=now))
    log.info("import_completed", import_id=import_id, rows=len(rows))


async def _apply_batch(
    *, runtime: ServiceRuntime, principal: Principal, import_id: str, kind: ImportKind, rows: list[Row], start: int,
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
                    rejected += _rejections(import_id, row, checked)
                    continue
                data, end = checked
                try:
                    async with session.begin_nested():
                        record_id = await KINDS[kind].apply(
                            session=session, outbox=runtime.outbox, principal=principal, data=data, end=end
                        )
                except ProblemError as exc:
                    rejected += _rejections(import_id, row, _errors(kind, exc))
                    continue
                accepted.append({"import_id": import_id, "line": row.line, "record_id": record_id})
                await asyncio.sleep(0)  # SQLite calls run on the loop's thread: let requests in between rows
            for table, values in ((ImportAcceptance, accepted), (ImportRejection, rejected)):
                if values:  # one executemany each (the ORM would insert them one by one to learn their ids)
                    await session.execute(insert(table), values)
            await session.execute(update(Import).where(col(Import.id) == import_id).values(
                accepted=col(Import.accepted) + len(accepted),
                rejected=col(Import.rejected) + len({r["line"] for r in rejected}),
                updated_at=clock.now(),
            ))
    if accepted and runtime.relay is not None:
        runtime.relay.wake()
    return position


def _errors(kind: ImportKind, exc: ProblemError) -> list[RowError]:
    """A refused row's reasons as the single-record endpoint words them."""
    if isinstance(exc, Forbidden):
        return [RowError(KINDS[kind].county_field, exc.detail, exc.status)]
    return [RowError(e.field, e.reason, exc.status) for e in exc.errors] or [RowError(None, exc.detail, exc.status)]


def _rejections(import_id: str, row: Row, errors: list[RowError]) -> list[dict[str, Any]]:
    id_number = row.values.get("id_number")
    return [
        # What came from the file is echoed with its control characters made visible (PostgreSQL stores no NUL).
        {"import_id": import_id, "line": row.line, "field": e.field, "reason": visible(e.reason[:500]),
         "status": e.status, "id_number": visible(str(id_number)[:40]) if id_number is not None else None,
         "raw": visible(row.raw)}
        for e in errors
    ]


# ---- reading ------------------------------------------------------------------------------------


async def get_or_404(*, session: AsyncSession, principal: Principal, import_id: str) -> Import:
    job = await session.get(Import, import_id)
    if job is None:
        raise NotFound(f"导入批次 {import_id} 不存在 (import not found)")
    principal.check_county(job.county_code)
    return job


async def list_imports(
    *, session: AsyncSession, page: PageParams, county_code: str | None, kind: ImportKind | None,
    status: ImportStatus | None, received: DateRange, sort: str,
) -> tuple[list[Import], int]:
    query = select(Import)
    query = query.where(*equals((Import.county_code, county_code), (Import.kind, kind), (Import.status, status)))
    query = query.where(*received.day_clauses(col(Import.received_at)))
    order = order_by(sort, {"received_at": col(Import.received_at)}, col(Import.id))
    return await fetch_page(session, query.order_by(*order), page)



async def list_rejections(
    *, session: AsyncSession, page: PageParams, import_id: str
) -> tuple[list[ImportRejection], int]:
    query = select(ImportRejection).where(ImportRejection.import_id == import_id)
    rows, count = await fetch_page(session, query.order_by(col(ImportRejection.line), col(ImportRejection.id)), page)
    return rows, count


async def list_acceptances(
    *, session: AsyncSession, page: PageParams, import_id: str
) -> tuple[list[ImportAcceptance], int]:
    query = select(ImportAcceptance).where(ImportAcceptance.import_id == import_id)
    rows, count = await fetch_page(session, query.order_by(col(ImportAcceptance.line)), page)
    return rows, count
