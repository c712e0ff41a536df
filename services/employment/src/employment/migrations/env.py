"""Alembic environment of the employment service."""

from hrss_shared.migrations import run_env

run_env("employment.models")
