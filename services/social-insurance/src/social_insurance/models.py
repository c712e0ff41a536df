"""Every table of the social-insurance service (imported by migrations so autogenerate sees them all)."""

from social_insurance.db import metadata

__all__ = ["metadata"]
