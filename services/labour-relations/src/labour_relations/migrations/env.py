"""Alembic environment of the labour_relations service."""

from hrss_shared.migrations import run_env

run_env("labour_relations.models")
