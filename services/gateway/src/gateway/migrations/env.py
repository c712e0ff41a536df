"""Alembic environment of the gateway service."""

from gateway.models import metadata
from hrss_shared.migrations import run_env

run_env(metadata)
