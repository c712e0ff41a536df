"""gateway.readmodel.rows: the in-memory row objects a batch works on (made with one call, defaults per row)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel

from gateway.readmodel.rows import RowTable
from hrss_shared.db import new_registry

registry = new_registry()


class _Base(SQLModel, registry=registry):
    pass


class Thing(_Base, table=True):
    __tablename__ = "things"

    kind: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    count: int = 3
    note: str | None = None
    made_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def test_a_new_row_has_the_model_defaults_and_the_given_values() -> None:
    things = RowTable(Thing)
    first, second = things.new(kind="a", id="1"), things.new(kind="a", id="2", count=5, note="说明")
    assert (first.kind, first.id, first.count, first.note) == ("a", "1", 3, None)
    assert (second.count, second.note) == (5, "说明")
    assert isinstance(first.made_at, datetime) and first.made_at.tzinfo is UTC
    assert second.made_at is not first.made_at  # a default factory runs per row
    given = datetime(2026, 1, 1, tzinfo=UTC)
    assert things.new(kind="a", id="3", made_at=given).made_at is given


def test_a_loaded_row_takes_the_columns_in_table_order() -> None:
    things = RowTable(Thing)
    assert things.columns == ("kind", "id", "count", "note", "made_at")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    row = things.row_class("b", "9", 7, None, at)
    assert (row.kind, row.id, row.count, row.note, row.made_at) == ("b", "9", 7, None, at)
    assert "kind='b'" in repr(row)
