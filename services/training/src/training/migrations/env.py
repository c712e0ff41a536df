"""Alembic environment of the training service."""

from training.models import metadata
from hrss_shared.migrations import run_env

run_env(metadata)
