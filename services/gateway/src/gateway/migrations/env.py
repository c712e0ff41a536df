"""Alembic environment of the gateway service."""

from hrss_shared.migrations import run_env

run_env("gateway.models")
