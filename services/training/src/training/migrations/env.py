"""Alembic environment of the training service."""

from hrss_shared.migrations import run_env

run_env("training.models")
