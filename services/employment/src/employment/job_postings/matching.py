"""人岗匹配: rank job seekers for a posting, and open postings for a job seeker.

Criteria (weights are policy data, ``policy/matching.toml``, by effective date):
occupation (求职意向 or a skill certificate in the posting's occupation), skill level (the best
certified level in that occupation meets the posting's required level — a smaller number is a
higher skill — plus a step for each level above it), same county, and key-group priority (the
highest-weighted group the person belongs to on the day; 就业困难人员 first).

Cost, for N job seekers, C candidates and a limit k: one SQL query selects the candidates
(seekers with a wish or a certificate in the occupation, no active employment registration,
optionally one county) together with their best level and their key groups on the day — the
certificate side uses the index on ``job_seeker_skills.occupation``, the wish side scans the
wishes JSON of the N seekers (O(N); a GIN index on PostgreSQL would make it an index probe);
Python then scores the C candidates in O(C) and keeps the best k in O(C log k). The reverse
direction reads the seeker's skills and groups (two indexed queries) and the open postings in
the seeker's occupations (index on ``job_postings.occupation``), then scores them the same way.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator
from sqlalchemy import and_, exists, func, literal, or_
from sqlalchemy import select as sql_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_postings.models import (
    JobPosting,
    MatchCriterion,
    MatchReason,
    PostingMatch,
    PostingMatches,
    PostingStatus,
    SeekerMatch,
    SeekerMatches,
)
from employment.job_seekers.models import JobSeeker, JobSeekerSkill
from employment.key_groups.models import KEY_GROUP_NAMES, KeyGroup, KeyGroupMembership
from employment.key_groups.service import groups_on
from employment.registrations.models import EmploymentRegistration, EmploymentStatus
from hrss_shared.policy import PolicyTable, PolicyVersion
from hrss_shared.problems import Conflict

POLICY_FILE = Path(__file__).resolve().parents[1] / "policy" / "matching.toml"

# National numbering of skill levels (国家职业资格等级), not a policy number.
LOWEST_LEVEL = 5
LEVEL_NAMES = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}


class MatchingWeights(PolicyVersion):
    """Points per criterion in one version of the matching policy."""

    occupation_wish: int = Field(ge=0, description="求职意向工种相符")
    occupation_certified: int = Field(ge=0, description="持有该工种技能等级证书")
    skill_level_met: int = Field(ge=0, description="技能等级达到岗位要求")
    skill_level_step: int = Field(ge=0, description="每高出要求一级的加分")
    same_county: int = Field(ge=0, description="同一县（市、区）")
    key_groups: dict[KeyGroup, int] = Field(description="重点群体优先权重 by group (a group not listed weighs 0)")

    @model_validator(mode="after")
    def _non_negative(self) -> MatchingWeights:
        if any(v < 0 for v in self.key_groups.values()):
            raise ValueError("key_groups weights must not be negative")
        return self

    def group_weight(self, group: KeyGroup) -> int:
        return self.key_groups.get(group, 0)


@functools.cache
def policy_table() -> PolicyTable[MatchingWeights]:
    """The matching policy file, read once."""
    return PolicyTable.load(POLICY_FILE, MatchingWeights)


policy_table()  # a malformed policy file stops the service at start-up, not at the first match


@dataclass
class Candidate:
    """What matching knows about one person."""

    id_number: str
    name: str
    county_code: str
    registered_date: date
    wishes: Collection[str]
    best_levels: dict[str, int]  # occupation → best (smallest) certified level
    groups: set[KeyGroup] = field(default_factory=set)


@dataclass
class Scored:
    score: int
    reasons: list[MatchReason]


def score(
    weights: MatchingWeights, *, occupation: str, required_level: int | None, county_code: str, person: Candidate
) -> Scored:
    """Points and reasons of one person for one posting (the posting's occupation, level and county)."""
    reasons: list[MatchReason] = []
    if occupation in person.wishes:
        reasons.append(MatchReason(criterion=MatchCriterion.occupation_wish, points=weights.occupation_wish,
                                   detail=f"求职意向 {occupation} (occupation wish)"))
    best = person.best_levels.get(occupation)
    if best is not None:
        reasons.append(MatchReason(criterion=MatchCriterion.occupation_certified, points=weights.occupation_certified,
                                   detail=f"持有{occupation}{LEVEL_NAMES[best]}证书 (certified, level {best})"))
        required = required_level or LOWEST_LEVEL
        if best <= required:
            points = weights.skill_level_met + weights.skill_level_step * (required - best)
            reasons.append(MatchReason(
                criterion=MatchCriterion.skill_level, points=points,
                detail=f"技能等级{LEVEL_NAMES[best]}达到要求{LEVEL_NAMES[required]} (level {best} meets {required})",
            ))
    if person.county_code == county_code:
        reasons.append(MatchReason(criterion=MatchCriterion.same_county, points=weights.same_county,
                                   detail=f"同在 {county_code} (same county)"))
    if person.groups:
        top = max(person.groups, key=lambda g: (weights.group_weight(g), g.value))
        names = "、".join(KEY_GROUP_NAMES[g] for g in sorted(person.groups, key=lambda g: -weights.group_weight(g)))
        reasons.append(MatchReason(criterion=MatchCriterion.key_group, points=weights.group_weight(top),
                                   detail=f"重点群体 {names} (priority of {top.value})"))
    return Scored(score=sum(r.points for r in reasons), reasons=reasons)


def _wishes_include(dialect: str, occupation: str) -> Any:
    """SQL: the seeker's occupation_wishes JSON list contains ``occupation``."""
    if dialect == "postgresql":
        elements = func.json_array_elements_text(JobSeeker.occupation_wishes).table_valued("value")
    else:
        elements = func.json_each(JobSeeker.occupation_wishes).table_valued("value")
    return exists(select(literal(1)).select_from(elements).where(elements.c.value == occupation))


def _active_on(on: date) -> Any:
    return and_(
        col(KeyGroupMembership.start_date) <= on,
        or_(col(KeyGroupMembership.end_date).is_(None), col(KeyGroupMembership.end_date) >= on),
    )


async def _candidates(
    *, session: AsyncSession, occupation: str, on: date, county_code: str | None
) -> list[Candidate]:
    """Seekers with a wish or certificate in ``occupation`` and no active employment registration."""
    best = (
        select(col(JobSeekerSkill.id_number).label("id_number"), func.min(JobSeekerSkill.level).label("best_level"))
        .where(JobSeekerSkill.occupation == occupation)
        .group_by(col(JobSeekerSkill.id_number))
        .subquery()
    )
    employed = exists().where(
        col(EmploymentRegistration.id_number) == col(JobSeeker.id_number),
        col(EmploymentRegistration.status) == EmploymentStatus.active,
    )
    dialect = session.get_bind().dialect.name
    query = (
        sql_select(col(JobSeeker.id_number), col(JobSeeker.name), col(JobSeeker.county_code),
                   col(JobSeeker.registered_date), col(JobSeeker.occupation_wishes), best.c.best_level,
                   col(KeyGroupMembership.group))
        .outerjoin(best, best.c.id_number == col(JobSeeker.id_number))
        .outerjoin(KeyGroupMembership,
                   and_(col(KeyGroupMembership.id_number) == col(JobSeeker.id_number), _active_on(on)))
        .where(or_(best.c.best_level.is_not(None), _wishes_include(dialect, occupation)), ~employed)
    )
    if county_code:
        query = query.where(col(JobSeeker.county_code) == county_code)
    people: dict[str, Candidate] = {}
    for id_number, name, county, registered, wishes, best_level, group in (await session.execute(query)).all():
        person = people.get(id_number)
        if person is None:
            levels = {occupation: best_level} if best_level is not None else {}
            person = people[id_number] = Candidate(
                id_number=id_number, name=name, county_code=county, registered_date=registered,
                wishes=frozenset(wishes or ()), best_levels=levels,
            )
        if group is not None:
            person.groups.add(KeyGroup(group))
    return list(people.values())


async def match_seekers(
    *, session: AsyncSession, posting: JobPosting, on: date, limit: int, county_code: str | None = None,
    table: PolicyTable[MatchingWeights] | None = None,
) -> SeekerMatches:
    """The best ``limit`` job seekers for an open posting; ties go to the longest registered, then by ID number."""
    if posting.status != PostingStatus.open or posting.closing_date < on:
        raise Conflict(
            f"岗位已关闭或已过截止日期 {posting.closing_date} (posting is {posting.status}, "
            f"closing {posting.closing_date}; only open postings are matched)",
            field_name="posting_id", posting_status=posting.status,
        )
    weights = (table or policy_table()).at(on)
    people = await _candidates(session=session, occupation=posting.occupation, on=on, county_code=county_code)
    scored = [
        (score(weights, occupation=posting.occupation, required_level=posting.required_level,
               county_code=posting.county_code, person=p), p)
        for p in people
    ]
    top = heapq.nsmallest(limit, scored, key=lambda sp: (-sp[0].score, sp[1].registered_date, sp[1].id_number))
    data = [
        SeekerMatch(
            id_number=p.id_number, name=p.name, county_code=p.county_code, score=s.score, reasons=s.reasons,
            skill_level=p.best_levels.get(posting.occupation), key_groups=sorted(p.groups),
        )
        for s, p in top
    ]
    return SeekerMatches(posting_id=posting.id, as_of=on, policy_effective_from=weights.effective_from,
                         count=len(people), limit=limit, data=data)


async def match_postings(
    *, session: AsyncSession, seeker: JobSeeker, on: date, limit: int, county_code: str | None = None,
    table: PolicyTable[MatchingWeights] | None = None,
) -> PostingMatches:
    """The best ``limit`` open postings (closing on or after ``on``) for a job seeker, by the same criteria."""
    weights = (table or policy_table()).at(on)
    levels = await session.execute(
        select(JobSeekerSkill.occupation, func.min(JobSeekerSkill.level))
        .where(JobSeekerSkill.id_number == seeker.id_number)
        .group_by(col(JobSeekerSkill.occupation))
    )
    person = Candidate(
        id_number=seeker.id_number, name=seeker.name, county_code=seeker.county_code,
        registered_date=seeker.registered_date, wishes=frozenset(seeker.occupation_wishes or ()),
        best_levels={row[0]: row[1] for row in levels.all()},
        groups=await groups_on(session=session, id_number=seeker.id_number, on=on),
    )
    occupations = set(person.wishes) | set(person.best_levels)
    postings: list[JobPosting] = []
    if occupations:
        query = select(JobPosting).where(
            JobPosting.status == PostingStatus.open, col(JobPosting.closing_date) >= on,
            col(JobPosting.occupation).in_(sorted(occupations)),
        )
        if county_code:
            query = query.where(JobPosting.county_code == county_code)
        postings = list((await session.exec(query)).all())
    scored = [
        (score(weights, occupation=p.occupation, required_level=p.required_level, county_code=p.county_code,
               person=person), p)
        for p in postings
    ]
    top = heapq.nsmallest(
        limit, scored, key=lambda sp: (-sp[0].score, -sp[1].max_monthly_wage, sp[1].closing_date, sp[1].id)
    )
    data = [
        PostingMatch(
            id=p.id, credit_code=p.credit_code, employer_name=p.employer_name, title=p.title,
            occupation=p.occupation, county_code=p.county_code, min_monthly_wage=p.min_monthly_wage,
            max_monthly_wage=p.max_monthly_wage, required_level=p.required_level, closing_date=p.closing_date,
            score=s.score, reasons=s.reasons,
        )
        for s, p in top
    ]
    return PostingMatches(id_number=seeker.id_number, as_of=on, policy_effective_from=weights.effective_from,
                          count=len(postings), limit=limit, data=data)
