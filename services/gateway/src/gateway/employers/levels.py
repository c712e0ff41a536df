"""欠薪预警等级: a warning's level from its score and threshold, by the bands of policy/warning_levels.toml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from hrss_shared.policy import PolicyError, PolicyTable, PolicyVersion

POLICY_FILE = Path(__file__).resolve().parent.parent / "policy" / "warning_levels.toml"


class Band(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    level: str = Field(pattern=r"^[a-z_]+$")
    name: str
    min_ratio: float = Field(gt=0)


class LevelPolicy(PolicyVersion):
    """policy/warning_levels.toml."""

    illustrative: bool = False
    levels: tuple[Band, ...] = Field(min_length=1)


POLICY: PolicyTable[LevelPolicy] = PolicyTable.load(POLICY_FILE, LevelPolicy)
LEVELS = tuple(dict.fromkeys(band.level for version in POLICY.versions for band in version.levels))
NAMES = {band.level: band.name for version in POLICY.versions for band in version.levels}


@dataclass(frozen=True)
class Level:
    level: str | None
    source: str | None
    illustrative: bool


def level_of(score: float, threshold: float, day: date) -> Level:
    """The highest band whose ratio ``score / threshold`` reaches on ``day``; none below the lowest band or when
    no version is in force that day."""
    try:
        rules = POLICY.at(day)
    except PolicyError:
        return Level(None, None, False)
    ratio = score / threshold if threshold > 0 else 0.0
    reached = [band for band in rules.levels if ratio >= band.min_ratio]
    best = max(reached, key=lambda band: band.min_ratio, default=None)
    return Level(best.level if best else None, rules.source, rules.illustrative)
