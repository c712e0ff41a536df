"""SQLite for SQLAlchemy's asyncio engine without a thread per connection.

SQLAlchemy's async SQLite dialect drives ``aiosqlite``, which runs every call on a worker thread: a query
costs three hand-offs between threads (execute, fetch, close), about 0.3 ms here, so a request of eight
queries spent ~10 ms waiting for hand-offs around microseconds of SQLite work. This module gives the same
dialect a connection object with aiosqlite's interface whose calls run on the event loop's thread: SQLite's
own work is short (the database is a local file; WAL readers never wait for a writer; the writers of one
process queue on :class:`hrss_shared.db` 's write gate).

What could block — SQLite's busy wait when *another process* holds the write lock — does not block here:
the connection has no busy timeout, and a statement refused with SQLITE_BUSY is retried after an
``asyncio.sleep`` (up to :data:`BUSY_TIMEOUT`), so the loop keeps serving meanwhile. A refused statement
did nothing, so retrying it is safe.

Used through ``create_async_engine(url, async_creator=connector(path))`` by :func:`hrss_shared.db.make_engine`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

BUSY_TIMEOUT = 60.0  # seconds a statement keeps retrying while another process holds the lock
_FIRST_PAUSE, _LONGEST_PAUSE = 0.001, 0.05


def _busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


async def _run(call: Callable[[], Any]) -> Any:
    """Run ``call``; while SQLite answers busy, pause without blocking the loop and try again."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = _FIRST_PAUSE
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _busy(error) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, _LONGEST_PAUSE)


class InlineCursor:
    """aiosqlite's cursor interface over a ``sqlite3.Cursor``, run in the caller's thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> InlineCursor:
        await _run(lambda: self._cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any] | dict[str, Any]]) -> InlineCursor:
        rows = list(parameters)
        await _run(lambda: self._cursor.executemany(sql, rows))
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class _Immediate:
    """Stands in for aiosqlite's request queue (SQLAlchemy sets isolation_level through it): runs at once."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # noqa: BLE001 - handed to the awaiting caller
            future.set_exception(error)


class InlineConnection:
    """aiosqlite's connection interface over a ``sqlite3.Connection``, run in the caller's thread."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection  # SQLAlchemy checks it before commit/rollback
        self._tx = _Immediate()

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        cursor = InlineCursor(self._conn.cursor())
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        await _run(self._conn.commit)

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()


def connector(path: str) -> Callable[[], Awaitable[InlineConnection]]:
    """An ``async_creator`` for ``create_async_engine``: a new inline connection to the file ``path``."""

    async def connect() -> InlineConnection:
        # No busy timeout: a busy statement is retried asynchronously (see _run), never waited for here.
        return InlineConnection(sqlite3.connect(path, timeout=0, check_same_thread=False))

    return connect
