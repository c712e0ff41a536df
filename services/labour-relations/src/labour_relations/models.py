"""Every table of the labour-relations service (imported by migrations so autogenerate sees them all)."""

from labour_relations.db import metadata

__all__ = ["metadata"]
