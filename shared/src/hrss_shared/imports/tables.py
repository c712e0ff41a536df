"""The import tables in a service's MetaData: ``imports`` and, per row, ``import_acceptances`` / ``import_rejections``.

Their DDL is frozen in :func:`hrss_shared.migrations.add_import_tables` (employment created the same tables in its
migration 0006). ``kind`` is a plain string column: each service checks it against its own kinds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table
from sqlmodel.sql.sqltypes import UTCDateTime


class ImportStatus(StrEnum):
    running = "running"
    completed = "completed"


@dataclass(frozen=True)
class ImportTables:
    imports: Table
    rejections: Table
    acceptances: Table


def import_tables(metadata: MetaData) -> ImportTables:
    """Define the import tables in a service's MetaData (call once per service, from one of its models modules)."""
    imports = Table(
        "imports",
        metadata,
        Column("id", String(36), primary_key=True),
        Column("kind", String(40), nullable=False),
        Column("submitted_by", String(100), nullable=False, index=True),
        Column("county_code", String(6), nullable=True, index=True),
        Column("content_type", String(40), nullable=False),
        Column("received_at", UTCDateTime(), nullable=False, index=True),
        Column("updated_at", UTCDateTime(), nullable=False),
        Column("finished_at", UTCDateTime(), nullable=True),
        Column("status", String(12), nullable=False, index=True),
        Column("total", Integer, nullable=False),
        Column("accepted", Integer, nullable=False),
        Column("rejected", Integer, nullable=False),
    )
    rejections = Table(
        "import_rejections",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("import_id", String(36), ForeignKey("imports.id"), nullable=False),
        Column("line", Integer, nullable=False),
        Column("field", String(100), nullable=True),
        Column("reason", String(500), nullable=False),
        Column("status", Integer, nullable=False),
        Column("id_number", String(40), nullable=True),
        Column("raw", String(500), nullable=False),
        Index("ix_import_rejections_import_line", "import_id", "line"),
    )
    acceptances = Table(
        "import_acceptances",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("import_id", String(36), ForeignKey("imports.id"), nullable=False),
        Column("line", Integer, nullable=False),
        Column("record_id", String(36), nullable=False),
        Index("ix_import_acceptances_import_line", "import_id", "line"),
    )
    return ImportTables(imports=imports, rejections=rejections, acceptances=acceptances)


@dataclass(frozen=True)
class ImportJob:
    """One import as read from (or just written to) the ``imports`` table."""

    id: str
    kind: str
    submitted_by: str
    county_code: str | None
    content_type: str
    received_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    status: str
    total: int
    accepted: int
    rejected: int

    @classmethod
    def of(cls, row: Any) -> ImportJob:
        """From a row of the ``imports`` table (a result row or a mapping of its columns)."""
        values = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})
