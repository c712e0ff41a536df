"""Every table of the training service (imported by migrations so autogenerate sees them all)."""

from training.db import metadata

__all__ = ["metadata"]
