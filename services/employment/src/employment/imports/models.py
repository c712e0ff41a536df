"""批量导入 bulk imports of employment and unemployment registrations: the shared import tables in employment's
MetaData (created by migration 0006, the same DDL as ``hrss_shared.migrations.add_import_tables``)."""

from employment.db import metadata
from hrss_shared.imports import import_tables

tables = import_tables(metadata)
