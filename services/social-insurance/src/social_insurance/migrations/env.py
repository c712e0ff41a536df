"""Alembic environment of the social_insurance service."""

from social_insurance.models import metadata
from hrss_shared.migrations import run_env

run_env(metadata)
