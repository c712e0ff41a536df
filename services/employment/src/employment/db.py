"""The employment service's own table registry (separate from every other service's)."""

from sqlmodel import SQLModel

from hrss_shared.db import new_registry
from hrss_shared.infra import infra_tables

registry = new_registry()
metadata = registry.metadata
infra = infra_tables(metadata)


class Base(SQLModel, registry=registry):
    """Base of every employment table model."""
