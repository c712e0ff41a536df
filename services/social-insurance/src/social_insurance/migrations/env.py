"""Alembic environment of the social_insurance service."""

from hrss_shared.migrations import run_env

run_env("social_insurance.models")
