"""Rows of read-model tables, loaded once per consumed batch and written back in one statement per table.

The row-per-record counterpart of :class:`gateway.readmodel.store.Documents`. A :class:`RowTable` keeps, per
session, the rows a batch works on as plain in-memory objects (one attribute per column, no ORM state, so no
autoflush and no flush per event). Its batch hook's ``before`` loads the rows of every key the batch's events name
(one SELECT per table, the keys as one array parameter); handlers then read and change the rows in memory; ``after``
writes the changed ones back with one ``INSERT … ON CONFLICT DO UPDATE`` per table (:class:`hrss_shared.db.Upsert`).
A key the prefetch did not cover is loaded on first use, so a handler is correct whatever was prefetched.

A handler called outside a batch (no ``before`` on its session, e.g. one event applied alone in a test) runs in a
batch of its own (:meth:`RowsHook.scoped`): the same code, written back when the handler returns.
"""

from __future__ import annotations

import keyword
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import and_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.db import Upsert, among, among_values

CHUNK = 500  # rows per upsert statement


class RowBatch:
    """One session's rows of one table: by primary key, which keys were loaded, which rows changed."""

    __slots__ = ("dirty", "loaded", "rows")

    def __init__(self) -> None:
        self.rows: dict[Any, Any] = {}
        self.loaded: set[Any] = set()  # values of the table's load column whose rows are all in ``rows``
        self.dirty: dict[Any, Any] = {}  # key -> row, in first-change order


class RowTable:
    """A read-model table's rows as in-memory objects for the duration of a batch.

    ``load_column`` is the column a key names (the primary key, or its last part for a composite one);
    ``load_filter`` adds conditions to every load (e.g. every kind of a composite key, so an index on it is used);
    ``keep`` names columns an upsert never overwrites on an existing row (owned by another writer)."""

    def __init__(self, model: Any, *, load_column: str | None = None,
                 load_filter: dict[str, Sequence[str]] | None = None, keep: Sequence[str] = ()) -> None:
        table = model.__table__
        self.table = table
        self.columns: tuple[str, ...] = tuple(c.name for c in table.columns)
        self.pk: tuple[str, ...] = tuple(c.name for c in table.primary_key.columns)
        self.load_column = load_column or self.pk[-1]
        self.load_filter = {name: list(values) for name, values in (load_filter or {}).items()}
        self.keep = tuple(keep)
        self._defaults: dict[str, Any] = {}
        self._factories: dict[str, Callable[[], Any]] = {}
        for name in self.columns:
            field = model.model_fields.get(name)
            if field is None or field.default is PydanticUndefined and field.default_factory is None:
                self._defaults[name] = None
            elif field.default_factory is not None:
                self._factories[name] = field.default_factory
            else:
                self._defaults[name] = field.default
        self.row_class: type = _row_class(f"{table.name}_row", self.columns, self._defaults, self._factories)
        self._values = operator.attrgetter(*self.columns)
        self._key_of = operator.attrgetter(*self.pk)
        self._info_key = f"hrss_rows_{table.name}"
        self._selects: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._upsert = Upsert(table, self.pk, self.columns, keep=self.keep, chunk=CHUNK)

    # ---- the batch ---------------------------------------------------------------------------------------------

    def batch(self, session: AsyncSession) -> RowBatch | None:
        """The session's open batch of this table (None outside one)."""
        found: RowBatch | None = session.info.get(self._info_key)
        return found

    def open(self, session: AsyncSession) -> RowBatch:
        found: RowBatch | None = session.info.get(self._info_key)
        if found is None:
            found = session.info[self._info_key] = RowBatch()
        return found

    async def write(self, session: AsyncSession) -> None:
        """Upsert the changed rows (one statement per chunk) and close the session's batch."""
        batch: RowBatch | None = session.info.pop(self._info_key, None)
        if batch is None or not batch.dirty:
            return
        values = self._values
        rows = [values(row) for row in batch.dirty.values()]
        await self._upsert.execute(session, rows)

    # ---- rows --------------------------------------------------------------------------------------------------

    def new(self, /, **values: Any) -> Any:
        """A new row: the model's defaults, then ``values`` (not yet in any batch)."""
        return self.row_class(**values)

    async def get(self, session: AsyncSession, key: Any) -> Any | None:
        """The row with primary key ``key`` (a tuple for a composite key), loading it if the batch has not."""
        batch = self.open(session)
        row = batch.rows.get(key)
        if row is None:
            value = key[-1] if isinstance(key, tuple) else key
            if value not in batch.loaded:
                await self.load(session, {self.load_column: [value]})
                row = batch.rows.get(key)
        return row

    def changed(self, session: AsyncSession, row: Any) -> Any:
        """Mark ``row`` (new or loaded) as changed in the session's batch: it is written back after the batch."""
        batch = self.open(session)
        key = self._key_of(row)
        batch.rows[key] = row
        batch.dirty[key] = row
        return row

    async def get_or_new(self, session: AsyncSession, pk: Any, /, **new: Any) -> tuple[Any, bool]:
        """The row ``pk`` marked as changed, or a new one built from ``new``; and whether it is new."""
        row = await self.get(session, pk)
        if row is not None:
            self.changed(session, row)
            return row, False
        return self.changed(session, self.new(**new)), True

    async def load(self, session: AsyncSession, where: dict[str, Iterable[str]], *, mark: bool = True) -> list[Any]:
        """Load the rows whose columns hold one of the given values (with ``load_filter``) into the batch and return
        the rows of the batch that match (a row the batch has already is kept as it is in memory). With ``mark``, the
        load column's values are recorded as loaded (their rows are then all in the batch)."""
        batch = self.open(session)
        wanted = {name: sorted(set(values)) for name, values in where.items()}
        if self.load_column in wanted and mark:
            wanted[self.load_column] = [v for v in wanted[self.load_column] if v not in batch.loaded]
        if not all(wanted.values()):
            return []
        conditions = {**self.load_filter, **wanted}
        postgres = session.get_bind().dialect.name == "postgresql"
        statement = self._select(postgres, tuple(conditions))
        parameters = {name: among_values(values, postgres=postgres) for name, values in conditions.items()}
        result = await session.execute(statement, parameters)
        found = []
        rows, new, key_of = batch.rows, self.row_class, self._key_of
        for values in result:
            row = new(*values)  # the select's columns are the row class's, in its order
            key = key_of(row)
            row = rows.setdefault(key, row)
            found.append(row)
        if mark and self.load_column in wanted:
            batch.loaded.update(wanted[self.load_column])
        return found

    # ---- statements --------------------------------------------------------------------------------------------

    def _select(self, postgres: bool, names: tuple[str, ...]) -> Any:
        found = self._selects.get((("pg" if postgres else "sqlite"), names))
        if found is None:
            clauses = [among(self.table.c[name], name, postgres=postgres) for name in names]
            found = select(*(self.table.c[c] for c in self.columns)).where(and_(*clauses))
            self._selects[(("pg" if postgres else "sqlite"), names)] = found
        return found


_FACTORY = object()  # a column's default is made per row by its model's default_factory


def _row_class(name: str, columns: tuple[str, ...], defaults: dict[str, Any],
               factories: dict[str, Callable[[], Any]]) -> type:
    """A slotted class of one attribute per column whose ``__init__`` takes the columns in order (positionally or by
    name), each defaulting to the model's default: one call sets a whole row (a loop of ``setattr`` per column, the
    way rows were made before, cost more than the rest of a read-model handler)."""
    namespace: dict[str, Any] = {"_FACTORY": _FACTORY, "_factories": factories}
    parameters, body = [], []
    for i, column in enumerate(columns):
        if not column.isidentifier() or keyword.iskeyword(column) or column.startswith("_"):
            raise ValueError(f"column {column!r} cannot be a row attribute")
        namespace[f"_d{i}"] = _FACTORY if column in factories else defaults[column]
        parameters.append(f"{column}=_d{i}")
        if column in factories:
            body.append(f"    self.{column} = _factories[{column!r}]() if {column} is _FACTORY else {column}")
        else:
            body.append(f"    self.{column} = {column}")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(body or ["    pass"])
    exec(source, namespace)  # noqa: S102 - built from the table's own column names, checked above
    return type(name, (), {"__slots__": columns, "__init__": namespace["__init__"], "__repr__": _repr})


def _repr(row: Any) -> str:
    return f"{type(row).__name__}({', '.join(f'{c}={getattr(row, c)!r}' for c in row.__slots__)})"


KeysOf = Callable[[Sequence[Any]], dict[RowTable, set[str]]]


class RowsHook:
    """The batch hook of a group of tables: ``keys`` names, from a batch's events, the load-column values to
    prefetch per table; ``after`` writes every table's changed rows back."""

    def __init__(self, tables: Sequence[RowTable], keys: KeysOf) -> None:
        self.tables = tuple(tables)
        self.keys = keys

    async def before(self, session: AsyncSession, events: Sequence[Any]) -> None:
        for table in self.tables:
            table.open(session)
        for table, values in self.keys(events).items():
            if values:
                await table.load(session, {table.load_column: values})

    async def after(self, session: AsyncSession) -> None:
        for table in self.tables:
            await table.write(session)

    def scoped(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """``handler`` with a batch of its own when its session has none (then written back when it returns)."""
        first = self.tables[0]

        async def run(session: AsyncSession, *args: Any) -> None:
            if first.batch(session) is not None:
                await handler(session, *args)
                return
            for table in self.tables:
                table.open(session)
            await handler(session, *args)
            await self.after(session)

        run.__name__ = getattr(handler, "__name__", "handler")
        run.__doc__ = handler.__doc__
        return run
