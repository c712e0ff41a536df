"""Policy data with effective dates, loaded from TOML files kept beside each service's code.

A file holds one table of versions; each version has ``effective_from`` (and optionally
``effective_to``), a ``source`` naming the rule it comes from, and the values, validated by a
pydantic model of the owning service::

    [[version]]
    effective_from = 2021-01-01
    source = "失业保险条例 art. 17"
    months_1_to_5_years = 12

``PolicyTable.at(day)`` answers the version in force on that day, so a change of policy date
changes the answer without a code change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class PolicyVersion(BaseModel):
    """Fields every policy version carries; a service's policy model subclasses it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    effective_from: date
    effective_to: date | None = None
    source: str
    # A value whose official source could not be found is marked so in the file, and the answers that use it say so.
    illustrative: bool = False


M = TypeVar("M", bound=PolicyVersion)


class PolicyError(Exception):
    """A policy file is malformed, or no version is in force on the asked day."""


@dataclass(frozen=True)
class PolicyTable(Generic[M]):
    name: str
    versions: tuple[M, ...]

    @classmethod
    def load(cls, path: Path, model: type[M]) -> PolicyTable[M]:
        """Read and validate ``path``; versions must not overlap."""
        try:
            raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PolicyError(f"{path}: {exc}") from exc
        items = raw.get("version")
        if not isinstance(items, list) or not items:
            raise PolicyError(f"{path}: expected one or more [[version]] tables")
        try:
            versions = sorted((model.model_validate(v) for v in items), key=lambda v: v.effective_from)
        except ValidationError as exc:
            raise PolicyError(f"{path}: {exc}") from exc
        for earlier, later in zip(versions, versions[1:], strict=False):
            if earlier.effective_to is not None and earlier.effective_to >= later.effective_from:
                raise PolicyError(f"{path}: versions from {earlier.effective_from} and "
                                  f"{later.effective_from} overlap")
        return cls(name=path.stem, versions=tuple(versions))

    def at(self, day: date) -> M:
        """The version in force on ``day`` (the latest one that started on or before it)."""
        current: M | None = None
        for version in self.versions:
            if version.effective_from <= day and (version.effective_to is None or day <= version.effective_to):
                current = version
        if current is None:
            raise PolicyError(f"no {self.name} policy in force on {day.isoformat()}")
        return current

    def in_force(self, day: date, *, field: str, label: str) -> M:
        """:meth:`at` for a day a client gave: 422 naming ``field`` when no version is in force (never a 500)."""
        try:
            return self.at(day)
        except PolicyError:
            from hrss_shared.problems import InvalidField

            raise InvalidField(field, f"{day.isoformat()} 无适用的{label}政策 (no {self.name} policy in force on "
                                      f"{day.isoformat()})") from None
