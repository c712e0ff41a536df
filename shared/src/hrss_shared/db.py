"""Async database engine, sessions and per-service table registries (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    event,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import Date, TypeEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared import sqlite_inline
from hrss_shared.logs import get_logger

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SessionMaker = async_sessionmaker[AsyncSession]
log = get_logger(__name__)
T = TypeVar("T")


def new_registry() -> registry:
    """A table registry of its own, so each service's tables live in a separate MetaData."""
    return registry(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


READ_ONLY = "hrss_read_only"


def make_engine(url: str, *, background_checkpoints: bool = False, **kwargs: Any) -> AsyncEngine:
    """Create the engine; SQLite gets WAL, inline connections and BEGIN IMMEDIATE for write transactions.

    BEGIN IMMEDIATE makes a SQLite write transaction take the write lock up front, so a read-then-write
    transaction never fails with SQLITE_BUSY when another writer got in first. Sessions from
    :func:`make_reader` begin DEFERRED instead: in WAL mode they read a snapshot and never wait for writers.

    ``background_checkpoints``: the engine's commits never checkpoint the WAL (SQLite's automatic checkpoint is
    off on its connections); a :class:`WalCheckpointer` running beside it must (a service's lifespan runs one).
    """
    if is_sqlite(url):
        db_path = url.split("///", 1)[-1]
        if not db_path or db_path.startswith(":memory:") or "?" in db_path:
            raise ValueError(f"SQLite needs a database file path, got {url!r}")
        Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        # Connections run on the event loop's thread, not aiosqlite's (see hrss_shared.sqlite_inline).
        engine = create_async_engine(url, async_creator=sqlite_inline.connector(db_path), **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            if background_checkpoints:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class _GatedSession(AsyncSession):
    """A SQLite write session: holds its engine's write gate while open.

    SQLite admits one writer; one that finds the lock taken polls with growing sleeps (1, 2, 5 … 100 ms), so
    under a few concurrent writers a short write waited tens of milliseconds. Writers of this process queue
    on the gate in order instead and meet SQLite's lock free (another process still meets the busy timeout).
    """

    gate: asyncio.Lock

    async def __aenter__(self) -> _GatedSession:
        await self.gate.acquire()
        try:
            await super().__aenter__()
        except BaseException:
            self.gate.release()
            raise
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await super().__aexit__(*exc)
        finally:
            self.gate.release()


def make_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    """Sessions for transactions that write (on SQLite they queue for the write lock; use ``async with``)."""
    if engine.dialect.name == "sqlite":
        gated = type("GatedSession", (_GatedSession,), {"gate": asyncio.Lock()})
        return async_sessionmaker(engine, class_=gated, expire_on_commit=False)
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class WalCheckpointer:
    """Checkpoints a SQLite database's write-ahead log from a worker thread, every ``every`` seconds.

    A service's connections run on the event loop's thread (:mod:`hrss_shared.sqlite_inline`). With SQLite's
    automatic checkpoint, the commit that takes the WAL past 1,000 pages copies them into the database file and
    syncs it right there, holding the loop for that write: every request and batch in flight waits (the gateway's
    person view p99 under load went from 44-45 ms to 27-32 ms when this took over, ``python benchmarks/person_view.py``
    back to back). Here the same PASSIVE checkpoint runs
    in a thread on a connection of its own (sqlite3 releases the GIL while it works): it never waits for readers
    or writers, and copies what no reader still needs; the next writer after a complete one starts the WAL again
    from its beginning, so the file stays bounded as before. Instances sharing the file each run one; a
    checkpoint that finds another running reports busy and the next round catches up. The last connection closed
    checkpoints what is left, as SQLite always does.
    """

    def __init__(self, path: str, *, every: float = 1.0) -> None:
        self.path, self.every = path, every
        self.rounds = 0
        self.last: tuple[int, int, int] | None = None  # (busy, WAL frames, frames checkpointed) of the last round

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: rounds run, and the last one's WAL frames and frames copied into the database."""
        busy, frames, copied = self.last if self.last is not None else (None, None, None)
        return {"rounds": self.rounds, "every_s": self.every, "busy": busy, "wal_frames": frames,
                "checkpointed_frames": copied}

    def checkpoint(self, conn: sqlite3.Connection) -> tuple[int, int, int]:
        row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    async def run(self) -> None:
        conn = await asyncio.to_thread(sqlite3.connect, self.path, timeout=0, check_same_thread=False)
        running: asyncio.Task[tuple[int, int, int]] | None = None
        try:
            while True:
                await asyncio.sleep(self.every)
                running = asyncio.create_task(asyncio.to_thread(self.checkpoint, conn))
                try:
                    self.last = await asyncio.shield(running)
                except sqlite3.Error as exc:  # e.g. the file briefly locked: the next round tries again
                    log.warning("wal_checkpoint_failed", database=self.path, error=repr(exc))
                self.rounds += 1
        finally:
            # Cancelled while its thread checkpoints: the connection is closed when the thread is done with it, never
            # under it (closing a sqlite3 connection another thread is using crashes the process).
            if running is not None and not running.done():
                def close(task: asyncio.Task[tuple[int, int, int]]) -> None:
                    if not task.cancelled():
                        task.exception()  # retrieved: a failed last round is not logged as never retrieved
                    conn.close()

                running.add_done_callback(close)
            else:
                conn.close()


def make_reader(engine: AsyncEngine) -> SessionMaker:
    """Sessions for read-only work: no write lock on SQLite, plain reads on PostgreSQL."""
    return async_sessionmaker(
        engine.execution_options(**{READ_ONLY: True}), class_=AsyncSession, expire_on_commit=False, autoflush=False,
    )


async def ping(engine: AsyncEngine) -> None:
    """Run ``SELECT 1``; raises if the database is unreachable."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def lock_key(session: Any, key: str) -> None:
    """Serialise transactions about one subject (a person, an employer) until commit.

    PostgreSQL takes a transaction-scoped advisory lock; SQLite already serialises writers
    (every transaction begins IMMEDIATE), so nothing more is needed there.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


async def lock_keys(session: Any, keys: Iterable[str]) -> None:
    """:func:`lock_key` for many subjects in one statement (a consumer's batch), taken in one order (sorted) so two
    transactions locking overlapping sets never wait for each other crosswise."""
    ordered = sorted(set(keys))
    bind = session.get_bind()
    if ordered and bind.dialect.name == "postgresql":
        await session.execute(text(
            "SELECT count(pg_advisory_xact_lock(hashtext(k))) FROM "
            "(SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered"), {"keys": ordered})


async def fetch_or_404(session: Any, model: type[T], key: Any, detail: str) -> T:
    """The row of ``model`` with primary key ``key``, or a 404 problem with ``detail``."""
    from hrss_shared.problems import NotFound

    row = await session.get(model, key)
    if row is None:
        raise NotFound(detail)
    return cast(T, row)


@contextlib.contextmanager
def unique_or(conflict: Exception) -> Iterator[None]:
    """Statements inside raise ``conflict`` (a 409) where they break a unique constraint.

    The request's unit of work then rolls the whole transaction back (an import row, its own savepoint).
    """
    try:
        yield
    except IntegrityError:
        raise conflict from None


async def flush_or_conflict(session: Any, conflict: Exception) -> None:
    """Flush pending rows; a unique-constraint violation raises ``conflict`` (see :func:`unique_or`)."""
    with unique_or(conflict):
        await session.flush()


class KeyLookups:
    """The hot read path: rows by key without ORM sessions, connection-pool round trips or thread hops.

    A person view is one key look-up of its documents; through an async session on SQLite that costs
    several hand-offs to aiosqlite's thread (begin, execute, fetch, rollback) for a read of microseconds.
    Here SQLite reads run on a read-only connection of the calling thread (WAL: they never wait for a
    writer; a short busy timeout bounds the rare wait for a checkpoint), and PostgreSQL reads go straight
    to an asyncpg pool of their own. Each statement is a single SELECT, so it sees one consistent snapshot.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = "sqlite" if is_sqlite(url) else "postgresql"
        self._sqlite: Any = None
        self._pool: Any = None
        self._statements: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def _statement(self, table: str, key: str, columns: tuple[str, ...]) -> str:
        found = self._statements.get((table, key, columns))
        if found is None:
            placeholder = "?" if self.dialect == "sqlite" else "$1"
            found = f'SELECT {", ".join(columns)} FROM {table} WHERE "{key}" = {placeholder}'
            self._statements[(table, key, columns)] = found
        return found

    async def rows(self, table: str, key: str, value: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
        """``SELECT columns FROM table WHERE key = value`` (names come from code, never from callers' input)."""
        statement = self._statement(table, key, columns)
        if self.dialect == "sqlite":
            return self._sqlite_rows(statement, value)
        if self._pool is None:
            import asyncpg

            dsn = self.url.replace("postgresql+asyncpg://", "postgresql://", 1)
            self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
        records = await self._pool.fetch(statement, value)
        return [tuple(r) for r in records]

    def _sqlite_rows(self, statement: str, value: str) -> list[tuple[Any, ...]]:
        import sqlite3

        if self._sqlite is None:
            path = self.url.split("///", 1)[-1]
            self._sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                                           isolation_level=None)
            self._sqlite.execute("PRAGMA busy_timeout=200")
            # A city's read model is gigabytes: the key look-ups read its B-tree pages through the OS page cache
            # (mmap) and keep the hot interior pages in a 64 MiB cache instead of SQLite's default 2 MiB.
            self._sqlite.execute("PRAGMA mmap_size=1073741824")
            self._sqlite.execute("PRAGMA cache_size=-65536")
        rows: list[tuple[Any, ...]] = self._sqlite.execute(statement, (value,)).fetchall()
        return rows

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def among(column: ColumnElement[Any], name: str, *, postgres: bool,
          element: TypeEngine[Any] | None = None) -> ColumnElement[bool]:
    """``column`` is one of the values given as parameter ``name``, one parameter however many values (so a batch's
    thousand keys cost no per-key SQL building): a PostgreSQL array (``= ANY``, of ``element``, text by default), on
    SQLite a JSON array read by ``json_each``. :func:`among_values` gives the parameter."""
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(element if element is not None else String())))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name))))


def among_values(values: Sequence[Any], *, postgres: bool) -> Any:
    """The parameter of an :func:`among` condition holding ``values``."""
    return list(values) if postgres else json.dumps(list(values))


class _Compiled(NamedTuple):
    sql: str
    order: list[int]  # per bind of the SQL: the index of its value in a row (given columns, then constants)
    processors: list[Any]  # per bind: its type's conversion to the driver's value, or None
    named: tuple[str, ...] | None  # the binds' names where the driver takes a dict, None where positional
    constants: tuple[Any, ...]


class BulkWrite:
    """One INSERT (or upsert) for many rows, handed to the driver as a single ``executemany``.

    SQLAlchemy's own executemany builds a parameter dict per row and runs every bind processor on every row in
    Python; for a consumer's batch of a thousand rows that cost more than the database's work. Here the
    statement is compiled once per dialect, rows arrive as tuples in ``columns`` order, a column's bind
    processor (a type's conversion to the driver's value) runs only where its type has one, and the rows go
    to the driver through ``exec_driver_sql``: the same SQL and the same values as ``session.execute(statement,
    rows)``, in the session's transaction.
    """

    def __init__(self, statement: Any, columns: Sequence[str]) -> None:
        self.statement = statement
        self.columns = tuple(columns)
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, dialect: Any) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(self.columns))
            names: list[str] = list(compiled.positiontup or compiled.binds)
            binds = [compiled.binds[name] for name in names]
            # The statement's own values (a LIMIT's or OFFSET's number) follow the given ones in every row.
            constants = {b.key: b.effective_value for b in binds if b.key not in self.columns}
            index = {key: i for i, key in enumerate((*self.columns, *constants))}
            found = _Compiled(compiled.string, [index[b.key] for b in binds],
                              [bind_processor(b.type, dialect) for b in binds],
                              None if compiled.positional else tuple(names), tuple(constants.values()))
            self._compiled[dialect.name] = found
        return found

    async def execute(self, session: Any, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        connection = await session.connection()
        await connection.exec_driver_sql(*self._driver_call(connection.dialect, rows))

    def _driver_call(self, dialect: Any, rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
        """The compiled SQL and ``rows`` as the driver takes them (in bind order, converted by the binds' types)."""
        sql, order, processors, named, constants = self._compile(dialect)
        if constants:
            rows = [(*row, *constants) for row in rows]
        if order == list(range(len(self.columns))):
            values = [tuple(row) for row in rows]
        else:
            values = [tuple([row[i] for i in order]) for row in rows]
        values = converted_rows(values, processors)
        parameters: list[Any] = values if named is None else [dict(zip(named, v, strict=True)) for v in values]
        return sql, parameters


class Upsert:
    """Many rows written by ``key``: INSERT, or where a row with the same key exists, UPDATE every column but the key
    and ``keep`` to the new row's values (``DO NOTHING`` when none is left to set). The statement is SQLite's or
    PostgreSQL's ``ON CONFLICT`` form, built once per dialect, and the rows (tuples in ``columns`` order) go to the
    driver as one :class:`BulkWrite`, in ``chunk``-row statements."""

    def __init__(self, table: Table, key: Sequence[str], columns: Sequence[str], *, keep: Sequence[str] = (),
                 chunk: int = 1000) -> None:
        self.table, self.key, self.columns, self.keep = table, tuple(key), tuple(columns), tuple(keep)
        self.chunk = chunk
        self._writes: dict[str, BulkWrite] = {}

    def write(self, dialect: str) -> BulkWrite:
        """The :class:`BulkWrite` of ``dialect`` (``sqlite`` or ``postgresql``)."""
        found = self._writes.get(dialect)
        if found is None:
            statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(self.table)
            changed = [c for c in self.columns if c not in self.key and c not in self.keep]
            statement = (statement.on_conflict_do_update(index_elements=list(self.key),
                                                         set_={c: statement.excluded[c] for c in changed})
                         if changed else statement.on_conflict_do_nothing(index_elements=list(self.key)))
            found = self._writes[dialect] = BulkWrite(statement, self.columns)
        return found

    async def execute(self, session: Any, rows: Sequence[Sequence[Any]]) -> None:
        write = self.write(session.get_bind().dialect.name)
        for start in range(0, len(rows), self.chunk):
            await write.execute(session, rows[start:start + self.chunk])


def bind_processor(type_: TypeEngine[Any], dialect: Any) -> Callable[[Any], Any] | None:
    """The type's conversion to the driver's value (None: the driver takes the value as it is); a date's remembered
    per day (SQLite's processor formats each one in Python; a bulk path's rows share a few days). Only dates: equal
    values of other types may convert to different text (1.0 and 1.00; one instant in two time zones)."""
    processor: Callable[[Any], Any] | None = type_.dialect_impl(dialect).bind_processor(dialect)
    if processor is None or not isinstance(type_, Date):
        return processor
    return functools.lru_cache(maxsize=4096)(processor)


def converted_rows(rows: list[tuple[Any, ...]], processors: Sequence[Callable[[Any], Any] | None]
                   ) -> list[tuple[Any, ...]]:
    """``rows`` with each value through its column's processor (:func:`bind_processor`; None: as it is). Column by
    column: each row is rebuilt once, however many of its columns convert."""
    if not any(processors):
        return rows
    columns: list[Any] = list(zip(*rows, strict=True))
    for position, processor in enumerate(processors):
        if processor is not None:
            columns[position] = _converted(columns[position], processor)
    return list(zip(*columns, strict=True))


def _converted(values: Sequence[Any], processor: Callable[[Any], Any]) -> list[Any]:
    """``values`` through ``processor``, None kept; a run of one object (a batch-wide timestamp) converted once."""
    out: list[Any] = []
    last: Any = None
    converted: Any = None
    for value in values:
        if value is None:
            out.append(None)
            continue
        if value is not last:
            last, converted = value, processor(value)
        out.append(converted)
    return out


class Prepared(BulkWrite):
    """One statement run with one set of values the way :class:`BulkWrite` runs many: compiled once per dialect and
    handed to the driver, without the ORM's per-statement work (cache keys, execution contexts), which costs more
    than SQLite's own for the small statements of the busiest requests. Its rows come back as the driver gives them
    (no result types: a SQLite date is its text). ``columns`` name the statement's bind parameters."""

    async def run(self, session: Any, values: Sequence[Any]) -> list[Any]:
        """Run the statement with ``values`` (in ``columns`` order) in ``session``'s transaction; its rows (none for
        an INSERT)."""
        connection = await session.connection()
        sql, parameters = self._driver_call(connection.dialect, [values])
        result = await connection.exec_driver_sql(sql, parameters[0])
        return list(result.all()) if result.returns_rows else []
