"""Alembic environment of the labour_relations service."""

from hrss_shared.migrations import run_env
from labour_relations.models import metadata

run_env(metadata)
