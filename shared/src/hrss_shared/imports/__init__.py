"""批量导入 bulk import of a service's records from a CSV or JSON-lines file, with a per-row report.

A client POSTs a file to ``/v1/imports?kind=…``; every row goes through the single-record endpoint's model and
service function in its own savepoint, in file order; the import answers 202 at once and its report
(``GET /v1/imports/{id}``) lists each rejected row with its line number, field, reason and the status the
single-record endpoint would answer, and ``/accepted`` the id of each record created.

How a service adopts it (employment's ``employment/imports`` is the example):

1. **Tables and migration.** In one of the service's models modules (imported by its ``models.py``)::

       from hrss_shared.imports import import_tables
       tables = import_tables(metadata)          # the service's MetaData (db.py)

   and one migration whose ``upgrade`` calls ``hrss_shared.migrations.add_import_tables(op)`` (``downgrade``:
   ``drop_import_tables(op)``). The DDL is frozen; it is exactly the tables employment created in its 0006.

2. **Kinds.** One :class:`ImportKind` per kind of row::

       async def _enrol(*, session, outbox, principal, data: EnrolmentCreate, extra: None) -> str:
           return (await enrolments.enrol(session=session, outbox=outbox, principal=principal, data=data)).id

       KINDS = [ImportKind(name="enrolment", label="培训报名", row_model=EnrolmentCreate, apply=_enrol,
                           county_field="county_code")]

   ``apply`` flushes and never commits, publishes through the outbox it is given, and refuses with a
   ``ProblemError`` exactly as the single-record endpoint does; the row's savepoint undoes whatever it wrote.
   A :class:`RowPart` adds optional columns checked by a second model (employment's ``end_date`` +
   ``termination_reason``).

3. **Router.** ::

       router = imports_router(KINDS, tables=tables, read_scope="training:read", write_scope="training:write",
                               record=("报名", "enrolment"))
       create_service_app(..., routers=[..., router], body_limits=BODY_LIMITS)

   ``BODY_LIMITS`` lets the file stream in under the import limit (20 MB) instead of ``HRSS_MAX_BODY_BYTES``.
"""

from hrss_shared.imports.kinds import ApplyRow, ImportKind, RowPart
from hrss_shared.imports.models import ImportModels, import_models
from hrss_shared.imports.router import imports_router
from hrss_shared.imports.runner import BODY_LIMITS, IMPORTS_PATH, MAX_BODY_BYTES
from hrss_shared.imports.tables import ImportJob, ImportStatus, ImportTables, import_tables

__all__ = [
    "BODY_LIMITS",
    "IMPORTS_PATH",
    "MAX_BODY_BYTES",
    "ApplyRow",
    "ImportJob",
    "ImportKind",
    "ImportModels",
    "ImportStatus",
    "ImportTables",
    "RowPart",
    "import_models",
    "import_tables",
    "imports_router",
]
