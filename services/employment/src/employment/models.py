"""Every table of the employment service (imported by migrations so autogenerate sees them all).

Each domain folder's ``models.py`` is imported here so a new table is seen by autogenerate.
"""

import importlib

from employment.db import metadata

DOMAINS = [
    "employers", "job_seekers", "key_groups", "registrations", "service_records", "job_postings",
    "public_welfare", "startup", "imports", "statistics",
]
for _domain in DOMAINS:
    try:
        importlib.import_module(f"employment.{_domain}.models")
    except ModuleNotFoundError as exc:
        if exc.name != f"employment.{_domain}.models":
            raise

__all__ = ["metadata"]
