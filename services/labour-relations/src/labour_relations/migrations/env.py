"""Alembic environment of the labour_relations service."""

from labour_relations.models import metadata
from hrss_shared.migrations import run_env

run_env(metadata)
