"""The rules' switches and thresholds, as data (alerts/policy.toml, loaded with hrss_shared.policy).

The version in force today (Beijing time) answers whether a rule is on and its thresholds; a rule switched off
raises nothing new and leaves the alerts it raised before as they are. A rule's ``applies_from`` keeps it off
facts dated before it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hrss_shared.clock import today as bureau_today
from hrss_shared.policy import PolicyTable, PolicyVersion

POLICY_FILE = Path(__file__).parent / "policy.toml"

# The rules the code knows, in the order (a rule of the file that is not here is refused when loading).
RULES = (
    "benefit_after_reemployment",
    "unemployed_while_contributing",
    "duplicate_subsidy_claim",
    "subsidy_paid_twice",
    "coverage_gap",
    "welfare_post_after_eligibility",
    "dishonest_employer_benefit",
    "below_minimum_wage",
    "talent_benefit_after_employment",
)


class Threshold(BaseModel):
    """A threshold's value and where it comes from (a document, or ``illustrative``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: int | str | list[str]
    source: str | None = None
    illustrative: bool = False

    @model_validator(mode="after")
    def _sourced(self) -> Threshold:
        if not self.source and not self.illustrative:
            raise ValueError("a threshold needs its source, or illustrative = true")
        return self


class RulePolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    enabled: bool = True
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)
    illustrative: bool = False
    applies_from: date | None = None
    thresholds: dict[str, Threshold] = Field(default_factory=dict)

    def number(self, key: str) -> int:
        value = self.thresholds[key].value
        if not isinstance(value, int):
            raise TypeError(f"threshold {key} is not a number")
        return value

    def names(self, key: str) -> list[str]:
        value = self.thresholds[key].value
        if not isinstance(value, list):
            raise TypeError(f"threshold {key} is not a list")
        return value

    def applies_to(self, day: date | None) -> bool:
        """On, and not kept off ``day``'s facts by ``applies_from``."""
        return self.enabled and (self.applies_from is None or day is None or day >= self.applies_from)


class AlertPolicy(PolicyVersion):
    """policy.toml: every rule of 政策监管 with its switch, thresholds and sources."""

    rules: dict[str, RulePolicy]

    @model_validator(mode="after")
    def _known(self) -> AlertPolicy:
        unknown = sorted(set(self.rules) - set(RULES))
        missing = sorted(set(RULES) - set(self.rules))
        if unknown or missing:
            raise ValueError(f"rules unknown: {unknown}, missing: {missing}")
        return self


class Policy:
    """The loaded table; tests and operators may point it at another file (``use``)."""

    def __init__(self, path: Path = POLICY_FILE) -> None:
        self.table: PolicyTable[AlertPolicy] = PolicyTable.load(path, AlertPolicy)

    def use(self, path: Path) -> None:
        self.table = PolicyTable.load(path, AlertPolicy)

    def today(self) -> AlertPolicy:
        return self.table.at(bureau_today())

    def rule(self, code: str) -> RulePolicy:
        return self.today().rules[code]


POLICY = Policy()


def describe(version: AlertPolicy) -> list[dict[str, Any]]:
    """The rules as GET /v1/alerts/rules shows them."""
    return [
        {"rule": code, "rule_name": r.name, "enabled": r.enabled, "description": r.description,
         "thresholds": {k: t.model_dump() for k, t in r.thresholds.items()}, "source": r.source,
         "illustrative": r.illustrative or any(t.illustrative for t in r.thresholds.values()),
         "effective_from": version.effective_from, "effective_to": version.effective_to,
         "applies_from": r.applies_from}
        for code, r in version.rules.items()
    ]
