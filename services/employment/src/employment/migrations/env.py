"""Alembic environment of the employment service."""

from employment.models import metadata
from hrss_shared.migrations import run_env

run_env(metadata)
