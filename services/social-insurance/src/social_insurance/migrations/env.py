"""Alembic environment of the social_insurance service."""

from hrss_shared.migrations import run_env
from social_insurance.models import metadata

run_env(metadata)
