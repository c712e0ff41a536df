"""Rules of 人才认定 (policy/talent_tiers.toml, the version in force on the application date).

- Evidence: the highest degree and institution and the awards the applicant cites; the professional title
  (highest valid) and the skill level (highest valid certificate) are read from the person's records here, and
  the age from the ID number on the application date. The highest tier whose criterion holds applies, with
  that criterion; none holding is a 422 naming the evidence.
- A person holds one valid recognition at a time: an application while a valid recognition of the same or a
  higher tier stands, or while another application is pending, is a 409 naming it. Approving a higher tier
  supersedes the lower one (its own event).
- Review: approve (a number QZRC<year><6 digits>, valid from the approval day for the policy's years), refuse
  with a reason; an approved recognition can be revoked with a reason; any not yet cancelled can be cancelled
  (撤销) when it was recorded in error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    TALENT_RECOGNITION_APPLIED,
    TALENT_RECOGNITION_APPROVED,
    TALENT_RECOGNITION_CANCELLED,
    TALENT_RECOGNITION_CORRECTED,
    TALENT_RECOGNITION_REFUSED,
    TALENT_RECOGNITION_REVOKED,
    TALENT_RECOGNITION_SUPERSEDED,
    TalentRecognitionApplied,
    TalentRecognitionApproved,
    TalentRecognitionClosed,
    TalentRecognitionCorrected,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.corrections import apply_changes
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.events import Contract
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.reference.retirement import add_months, age_on
from hrss_shared.validators import birth_date_of
from training.certificates.models import Certificate, CertificateStatus
from training.common import POLICY_DIR
from training.recognitions.models import (
    DEGREE_RANK,
    Criterion,
    Decision,
    Degree,
    RecognitionApply,
    RecognitionCorrection,
    RecognitionStatus,
    TalentRecognition,
    TierPolicy,
    tier_rank,
)
from training.titles.models import LEVEL_NAMES as TITLE_LEVEL_NAMES
from training.titles.models import LEVEL_RANK, ProfessionalTitle, TitleLevel, TitleStatus

POLICY: PolicyTable[TierPolicy] = PolicyTable.load(POLICY_DIR / "talent_tiers.toml", TierPolicy)
SORTS = ("applied_date", "valid_from", "created_at")


@dataclass(frozen=True)
class Evidence:
    degree: Degree | None
    awards: frozenset[str]
    title_level: TitleLevel | None
    skill_level: int | None
    age: int

    def meets(self, c: Criterion) -> bool:
        if c.awards and not self.awards.intersection(c.awards):
            return False
        if c.title_level_at_least is not None and (
                self.title_level is None or LEVEL_RANK[self.title_level] < LEVEL_RANK[c.title_level_at_least]):
            return False
        if c.skill_level_at_most is not None and (self.skill_level is None or self.skill_level > c.skill_level_at_most):
            return False
        if c.degree_at_least is not None and (
                self.degree is None or DEGREE_RANK[self.degree] < DEGREE_RANK[c.degree_at_least]):
            return False
        return c.age_at_most is None or self.age <= c.age_at_most


def place(rules: TierPolicy, evidence: Evidence) -> tuple[str, str, str] | None:
    """(tier, tier name, criterion text) of the highest tier reached, or None."""
    for tier in rules.tiers:
        for criterion in tier.criteria:
            if evidence.meets(criterion):
                return tier.tier, tier.name, f"{criterion.id} {criterion.text}"
    return None


async def evidence_of(session: AsyncSession, data: RecognitionApply, on: date) -> Evidence:
    titles = (await session.exec(select(ProfessionalTitle.level).where(
        ProfessionalTitle.id_number == data.id_number, ProfessionalTitle.status == TitleStatus.valid,
        col(ProfessionalTitle.issued_date) <= on))).all()
    title = max((TitleLevel(t) for t in titles), key=lambda t: LEVEL_RANK[t], default=None)
    skill = (await session.exec(select(func.min(Certificate.level)).where(
        Certificate.id_number == data.id_number, Certificate.status == CertificateStatus.valid,
        col(Certificate.issued_date) <= on))).one()
    return Evidence(degree=data.highest_degree, awards=frozenset(data.awards), title_level=title,
                    skill_level=int(skill) if skill is not None else None,
                    age=age_on(birth_date_of(data.id_number), on))


def _closed(r: TalentRecognition, day: date, reason: str) -> TalentRecognitionClosed:
    return TalentRecognitionClosed(id=r.id, id_number=r.id_number, county_code=r.county_code, tier=r.tier,
                                   status=r.status, closed_date=day, reason=reason)


def person_lock(id_number: str) -> str:
    return f"training-talent:{id_number}"


async def _standing(session: AsyncSession, id_number: str, today: date) -> list[TalentRecognition]:
    rows = (await session.exec(select(TalentRecognition).where(
        TalentRecognition.id_number == id_number,
        col(TalentRecognition.status).in_([RecognitionStatus.applied, RecognitionStatus.approved])))).all()
    return [r for r in rows if r.status == RecognitionStatus.applied or r.valid_on(today)]


async def apply(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: RecognitionApply
) -> TalentRecognition:
    """人才认定申请: placed in a tier at once; reviewed afterwards."""
    principal.check_county(data.county_code)
    today = clock.today()
    try:
        rules = POLICY.at(today)
    except PolicyError:
        raise Conflict(f"{today} 无适用的人才分类目录 (no talent catalogue in force)", field_name="id_number") from None
    known = {a.code for a in rules.awards}
    unknown = [a for a in data.awards if a not in known]
    if unknown:
        raise InvalidField("awards", f"未知的荣誉代码 {', '.join(unknown)}；可选：{', '.join(sorted(known))} "
                                     "(unknown award codes)")
    evidence = await evidence_of(session, data, today)
    placed = place(rules, evidence)
    if placed is None:
        title = TITLE_LEVEL_NAMES[evidence.title_level] if evidence.title_level else "无"
        raise InvalidField("awards", f"未达到人才分类目录任何层次的条件（学历 {data.highest_degree or '未填'}，"
                                     f"职称 {title}，技能等级 {evidence.skill_level or '无'}，年龄 {evidence.age}，"
                                     f"荣誉 {len(data.awards)} 项）(no tier criterion is met)")
    tier, tier_name, criterion = placed
    await lock_key(session, person_lock(data.id_number))
    for other in await _standing(session, data.id_number, today):
        if other.status == RecognitionStatus.applied:
            raise Conflict(f"该人员已有待审核的人才认定申请 {other.id}（{other.applied_date}）(an application is "
                           "pending)", field_name="id_number", existing_id=other.id)
        if tier_rank(other.tier) <= tier_rank(tier):
            raise Conflict(f"该人员已有有效的 {other.tier} 类人才认定 {other.recognition_number}（有效期至 "
                           f"{other.valid_until}），申请层次 {tier} 不高于现有层次 (a valid recognition of the "
                           "same or a higher tier stands)", field_name="id_number", existing_id=other.id,
                           existing_tier=other.tier)
    recognition = TalentRecognition(
        **data.model_dump(exclude={"highest_degree"}), highest_degree=data.highest_degree,
        title_level=evidence.title_level, skill_level=evidence.skill_level, age=evidence.age, tier=tier,
        tier_name=tier_name, criterion=criterion, applied_date=today, policy_source=rules.source,
        illustrative=rules.illustrative,
    )
    session.add(recognition)
    await session.flush()
    await outbox.add(session, TALENT_RECOGNITION_APPLIED, TalentRecognitionApplied(
        id=recognition.id, id_number=recognition.id_number, county_code=recognition.county_code, tier=tier,
        status=recognition.status, name=recognition.name, credit_code=recognition.credit_code, criterion=criterion,
        applied_date=today, policy_source=rules.source, illustrative=rules.illustrative))
    return recognition


async def get_or_404(*, session: AsyncSession, recognition_id: str) -> TalentRecognition:
    return await fetch_or_404(session, TalentRecognition, recognition_id,
                              f"人才认定记录 {recognition_id} 不存在 (recognition not found)")


async def _locked(
    *, session: AsyncSession, principal: Principal, recognition_id: str, allowed: set[RecognitionStatus], action: str
) -> TalentRecognition:
    recognition = await get_or_404(session=session, recognition_id=recognition_id)
    principal.check_county(recognition.county_code)
    await lock_key(session, person_lock(recognition.id_number))
    await session.refresh(recognition)
    if recognition.status not in allowed:
        raise Conflict(f"人才认定记录 {recognition.id} 状态为 {recognition.status}，不能{action} "
                       f"(the recognition is {recognition.status})", field_name="status",
                       current_status=recognition.status)
    return recognition


async def _number(session: AsyncSession, year: int) -> str:
    await lock_key(session, f"training-talent-number:{year}")
    prefix = f"QZRC{year}"
    last = (await session.exec(select(func.max(TalentRecognition.recognition_number)).where(
        col(TalentRecognition.recognition_number).startswith(prefix)))).one()
    seq = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{seq:06d}"


async def _close(
    session: AsyncSession, outbox: Outbox, r: TalentRecognition, status: RecognitionStatus,
    contract: Contract[TalentRecognitionClosed],
    reason: str, today: date,
) -> None:
    r.status, r.decided_date, r.reason, r.updated_at = status, today, reason, clock.now()
    session.add(r)
    await session.flush()
    await outbox.add(session, contract, _closed(r, today, reason))


async def approve(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, recognition_id: str
) -> TalentRecognition:
    """认定: a number and validity; a valid lower tier is superseded."""
    r = await _locked(session=session, principal=principal, recognition_id=recognition_id,
                      allowed={RecognitionStatus.applied}, action="认定")
    today = clock.today()
    rules = POLICY.at(r.applied_date)
    superseded = None
    for other in await _standing(session, r.id_number, today):
        if other.id == r.id or other.status != RecognitionStatus.approved:
            continue
        if tier_rank(other.tier) <= tier_rank(r.tier):
            raise Conflict(f"该人员已有有效的 {other.tier} 类人才认定 {other.recognition_number} (a valid recognition "
                           "of the same or a higher tier stands)", field_name="status", existing_id=other.id)
        await _close(session, outbox, other, RecognitionStatus.superseded, TALENT_RECOGNITION_SUPERSEDED,
                     f"被更高层次（{r.tier} 类）认定取代", today)
        superseded = other.id
    r.status = RecognitionStatus.approved
    r.recognition_number = await _number(session, today.year)
    r.valid_from = today
    r.valid_until = add_months(today, 12 * rules.validity_years) - timedelta(days=1)
    r.decided_date, r.superseded_id, r.updated_at = today, superseded, clock.now()
    session.add(r)
    await session.flush()
    await outbox.add(session, TALENT_RECOGNITION_APPROVED, TalentRecognitionApproved(
        id=r.id, id_number=r.id_number, county_code=r.county_code, tier=r.tier, status=r.status, name=r.name,
        credit_code=r.credit_code, recognition_number=r.recognition_number, valid_from=r.valid_from,
        valid_until=r.valid_until, superseded_id=superseded))
    return r


async def refuse(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, recognition_id: str, data: Decision
) -> TalentRecognition:
    r = await _locked(session=session, principal=principal, recognition_id=recognition_id,
                      allowed={RecognitionStatus.applied}, action="不予认定")
    await _close(session, outbox, r, RecognitionStatus.refused, TALENT_RECOGNITION_REFUSED, data.reason, clock.today())
    return r


async def revoke(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, recognition_id: str, data: Decision
) -> TalentRecognition:
    r = await _locked(session=session, principal=principal, recognition_id=recognition_id,
                      allowed={RecognitionStatus.approved}, action="撤销认定")
    await _close(session, outbox, r, RecognitionStatus.revoked, TALENT_RECOGNITION_REVOKED, data.reason, clock.today())
    return r


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, recognition_id: str, data: Decision
) -> TalentRecognition:
    r = await _locked(session=session, principal=principal, recognition_id=recognition_id,
                      allowed=set(RecognitionStatus) - {RecognitionStatus.cancelled}, action="撤销")
    await _close(session, outbox, r, RecognitionStatus.cancelled, TALENT_RECOGNITION_CANCELLED, data.reason,
                 clock.today())
    return r


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, recognition_id: str, data: RecognitionCorrection
) -> TalentRecognition:
    """更正 the name, county or employer (the tier follows the evidence, not a correction)."""
    r = await _locked(session=session, principal=principal, recognition_id=recognition_id,
                      allowed=set(RecognitionStatus) - {RecognitionStatus.cancelled}, action="更正")
    sent = data.sent()
    if "county_code" in sent:
        principal.check_county(sent["county_code"])
    changed = apply_changes(r, sent)
    r.updated_at = clock.now()
    session.add(r)
    await session.flush()
    await outbox.add(session, TALENT_RECOGNITION_CORRECTED, TalentRecognitionCorrected(
        id=r.id, id_number=r.id_number, county_code=r.county_code, tier=r.tier, status=r.status, name=r.name,
        credit_code=r.credit_code, changed=changed, reason=data.reason))
    return r


async def valid_recognition(*, session: AsyncSession, id_number: str, on: date) -> TalentRecognition | None:
    rows = (await session.exec(select(TalentRecognition).where(
        TalentRecognition.id_number == id_number, TalentRecognition.status == RecognitionStatus.approved))).all()
    return next((r for r in rows if r.valid_on(on)), None)


async def list_recognitions(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    credit_code: str | None, tier: str | None, status: RecognitionStatus | None, applied: DateRange, sort: str,
) -> tuple[list[TalentRecognition], int]:
    query = select(TalentRecognition).where(*equals(
        (TalentRecognition.id_number, id_number), (TalentRecognition.county_code, county_code),
        (TalentRecognition.credit_code, credit_code), (TalentRecognition.tier, tier),
        (TalentRecognition.status, status),
    ), *applied.clauses(col(TalentRecognition.applied_date)))
    columns = {key: col(getattr(TalentRecognition, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(TalentRecognition.id))), page)
