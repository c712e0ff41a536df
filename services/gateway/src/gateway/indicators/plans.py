"""规划目标 plan targets as data: one TOML file per plan under ``plans/`` (see quzhou-2021-2025.toml).

A plan is in force for the years of its period; a year no plan covers has no targets ("no target in force"). The
next five-year plan is a new file with its own period, so no code changes when it is adopted.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gateway.indicators.models import Comparison, Period

PLANS_DIR = Path(__file__).parent / "plans"


class PlanError(Exception):
    """A plan file is malformed, or two plans overlap."""


class Target(BaseModel):
    """One target of a plan: what is measured, the figure, how it compares and where the plan says so."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    measure: str
    name: str
    unit: str
    group: str
    period: Period
    target: Decimal | None = None
    comparison: Comparison | None = None
    target_scope: str | None = None
    source: str
    reason: str | None = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if (self.target is None) != (self.comparison is None):
            raise ValueError(f"{self.code}: target and comparison go together")
        if (self.measure == "none") != (self.reason is not None):
            raise ValueError(f"{self.code}: a target not measured (measure = \"none\") needs a reason, and only it")
        return self


class PlanHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title: str
    source: str
    period_start: int = Field(ge=2000, le=2100)
    period_end: int = Field(ge=2000, le=2100)


class Plan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: PlanHeader
    target: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _valid(self) -> Plan:
        if self.plan.period_end < self.plan.period_start:
            raise ValueError("period_end is before period_start")
        codes = [t.code for t in self.target]
        if len(codes) != len(set(codes)):
            raise ValueError("target codes repeat")
        return self

    def covers(self, year: int) -> bool:
        return self.plan.period_start <= year <= self.plan.period_end

    def find(self, code: str) -> Target | None:
        return next((t for t in self.target if t.code == code), None)


def load_plans(folder: Path = PLANS_DIR) -> tuple[Plan, ...]:
    """Every plan of ``folder``, by period; periods must not overlap."""
    plans: list[Plan] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            plans.append(Plan.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))))
        except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
            raise PlanError(f"{path}: {exc}") from exc
    plans.sort(key=lambda p: p.plan.period_start)
    for earlier, later in zip(plans, plans[1:], strict=False):
        if later.plan.period_start <= earlier.plan.period_end:
            raise PlanError(f"plans {earlier.plan.id} and {later.plan.id} overlap")
    return tuple(plans)


def plan_for(plans: tuple[Plan, ...], year: int) -> Plan | None:
    """The plan in force in ``year``, if any."""
    return next((p for p in plans if p.covers(year)), None)


PLANS = load_plans()
