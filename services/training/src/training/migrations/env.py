"""Alembic environment of the training service."""

from hrss_shared.migrations import run_env
from training.models import metadata

run_env(metadata)
