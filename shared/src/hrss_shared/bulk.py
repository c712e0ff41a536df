"""Set-based bulk writes inside the session's transaction: PostgreSQL ``COPY``, SQLite ``executemany``.

A service's bulk path (the synthetic city, large imports) writes rows with :func:`copy_rows` instead of one
ORM insert per row, and checks its rules in SQL over a staging table (:func:`staged`): the rows are copied into
a temporary table, one ``INSERT … SELECT … WHERE`` moves the ones the rules accept, and the refused ones are
read back with their reason. Events go through :meth:`hrss_shared.outbox.Outbox.add_many` in the same
transaction, so a bulk load is as atomic and as loss-free as a single request.

Values are the Python values an ORM insert would take (``date``, ``Decimal``, ``datetime`` in UTC, ``str``,
``bool``, dicts for JSON columns): each column's own bind processor turns them into what the driver stores, so a
bulk-written row reads back exactly like one the ORM wrote.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import Column, MetaData, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.db import BulkWrite, bind_processor, converted_rows

Row = Sequence[Any]
R = TypeVar("R")
MAX_ROWS = 20_000  # rows per request of a bulk path (the city loader sends at most 10,000)
BULK_PATH = "/v1/bulk/"
# A bulk request carries tens of thousands of rows: its own body limit in place of HRSS_MAX_BODY_BYTES
# (``create_service_app(..., body_limits=BODY_LIMITS)``).
MAX_BODY_BYTES = 64 * 1024 * 1024
BODY_LIMITS = {BULK_PATH: MAX_BODY_BYTES}
CHUNK_ROWS = 5000  # rows per executemany on SQLite (memory stays flat for any input size)
COPY_ROWS = 50_000  # rows per COPY on PostgreSQL


def table_of(model: Any) -> Table:
    """The table of a SQLModel table class (typed: SQLModel does not declare ``__table__``)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def copy_rows(session: AsyncSession, table: Table, columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Write ``rows`` (tuples in ``columns`` order) into ``table`` in the session's transaction; the row count.

    PostgreSQL: binary ``COPY`` through asyncpg's ``copy_records_to_table``. SQLite: one prepared ``INSERT``
    run with ``executemany`` per chunk (:class:`hrss_shared.db.BulkWrite`). Constraints hold as for any insert:
    a duplicate key fails the whole call (check rules on a :func:`staged` table first when rows may be refused).
    """
    conn = await session.connection()
    total = 0
    if conn.dialect.name != "postgresql":
        write = BulkWrite(insert(table), columns)  # one prepared INSERT, executemany per chunk
        for chunk in chunks(rows, CHUNK_ROWS):
            await write.execute(session, chunk)
            total += len(chunk)
        return total
    # Only the columns whose type has a bind processor are converted, column by column (not row by row).
    processors = [bind_processor(table.c[name].type, conn.dialect) for name in columns]
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection  # asyncpg.Connection, in this session's transaction
    assert driver is not None
    width = len(columns)
    for chunk in chunks(rows, COPY_ROWS):
        if any(len(row) != width for row in chunk):
            raise ValueError(f"every row needs {width} values ({', '.join(columns)})")
        records = converted_rows([tuple(row) for row in chunk], processors)
        await driver.copy_records_to_table(table.name, records=records, columns=list(columns),
                                           schema_name=table.schema)
        total += len(records)
    return total


@asynccontextmanager
async def staged(session: AsyncSession, name: str, columns: Sequence[Column[Any]],
                 rows: Iterable[Row]) -> AsyncIterator[Table]:
    """A temporary table ``stage_<name>`` holding ``rows``, for set-based rule checks; dropped afterwards.

    ``columns`` give the staging table's column names and types (a model table's columns, or declared ones);
    no key or constraint is copied, so every row lands and the rules decide in SQL. The rows are copied in
    with :func:`copy_rows`. Use the yielded table in ``INSERT … SELECT`` statements.
    """
    conn = await session.connection()
    table = Table(f"stage_{name}", MetaData(), *(Column(c.name, c.type) for c in columns), prefixes=["TEMPORARY"])
    preparer = conn.dialect.identifier_preparer
    await conn.execute(text(f"DROP TABLE IF EXISTS {preparer.format_table(table)}"))
    await conn.run_sync(table.create)
    try:
        await copy_rows(session, table, [c.name for c in columns], rows)
        yield table
    finally:
        await conn.execute(text(f"DROP TABLE IF EXISTS {preparer.format_table(table)}"))


def chunks(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    """``items`` in lists of at most ``size`` (a bulk load commits per chunk so a failure loses one chunk only)."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class Rows(BaseModel, Generic[R]):
    """The body of a bulk path: rows with the fields of the single-record API (so its input rules hold)."""

    rows: list[R] = Field(min_length=1, max_length=MAX_ROWS,
                          description=f"每行一条记录，字段同单笔接口，至多 {MAX_ROWS} 行 (one record per row)")


class Refusal(BaseModel):
    """A row a rule refused: not written, no event."""

    row: int = Field(ge=0, description="被拒行的序号，从 0 起，同 422 的 rows.<n> (index of the row in ``rows``)")
    reason: str = Field(description="拒绝原因，措辞同单笔接口 (the rule the row breaks)")
    field: str | None = Field(default=None, description="出错字段 (the field, where one is to blame)")
    existing_id: str | None = Field(default=None, description="与之冲突的已有记录 id (the conflicting record)")


class BulkReport(BaseModel):
    """The answer of a bulk path (``POST /v1/bulk/<kind>``): ``received = written + skipped + len(refused)``."""

    kind: str = Field(description="批量写入的类别 (kind of row)")
    received: int = Field(ge=0, description="收到的行数 (rows received)")
    written: int = Field(ge=0, description="写入的行数 (rows written)")
    skipped: int = Field(ge=0, description="已存在而跳过的行数 (rows already present: a load can run again)")
    events: int = Field(ge=0, description="写入发件箱的事件数 (events staged in the outbox)")
    refused: list[Refusal] = Field(default_factory=list, description="按规则拒绝、未写入的行 (rows refused)")


