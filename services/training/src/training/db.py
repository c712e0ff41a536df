"""The training service's own table registry."""

from sqlmodel import SQLModel

from hrss_shared.db import new_registry
from hrss_shared.imports import import_tables
from hrss_shared.infra import infra_tables

registry = new_registry()
metadata = registry.metadata
infra = infra_tables(metadata)
imports = import_tables(metadata)  # 批量导入 (hrss_shared.imports)


class Base(SQLModel, registry=registry):
    """Base of every training table model."""
