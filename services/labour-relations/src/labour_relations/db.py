"""The labour-relations service's own table registry."""

from sqlmodel import SQLModel

from hrss_shared.db import new_registry
from hrss_shared.infra import infra_tables

registry = new_registry()
metadata = registry.metadata
infra = infra_tables(metadata)


class Base(SQLModel, registry=registry):
    """Base of every labour-relations table model."""
