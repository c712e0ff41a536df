"""Rules of 欠薪案件. "Today" is the bureau's (``hrss_shared.clock``); working days follow ``workdays.current()``.

- Intake 登记 (status ``registered``); a case with ``group_case_workers`` (10) or more workers is a group case
  (群体性欠薪) and publishes ``arrears_case.escalated`` as well.
- 立案 → 调查 → 调解 → 处理完毕 (amount recovered, at most the amount owed) → 结案; or 移送仲裁 from 立案, 调查 or 调解.
  Any other transition is a 409 naming the current state.
- Deadline: the 60th working day after 立案 (policy/cases.toml, 劳动保障监察条例 art. 17), extendable once by 30
  working days with a reason, while the deadline has not passed. A deadline spanning a year without its State
  Council notice is ``provisional`` and recomputed (one event) by the daily job once that year's data is added.
- Overdue: running past its deadline; the daily job publishes ``arrears_case.overdue`` once per case.
- Corrections (更正) and cancellation (撤销) with a reason, each one event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, time
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts import labour_relations as contracts
from hrss_contracts.labour_relations import ArrearsCaseChanged
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.events import Contract
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.scheduler import Daily, Job, JobContext
from labour_relations import workdays
from labour_relations.cases.models import (
    CONCLUDED,
    RUNNING,
    STATUS_NAMES,
    Accept,
    ArrearsCase,
    Cancel,
    CaseCorrection,
    CaseCreate,
    CasePolicy,
    CaseStatus,
    Conclude,
    Extend,
    Resolve,
)
from labour_relations.common import Rate, not_before, not_future, rate
from labour_relations.projects.models import Project
from labour_relations.warnings import service as warnings
from labour_relations.warnings.models import SignalKind
from labour_relations.workdays import POLICY_DIR

POLICY: PolicyTable[CasePolicy] = PolicyTable.load(POLICY_DIR / "cases.toml", CasePolicy)
SORTS = ("filed_date", "accepted_date", "deadline_date", "concluded_date", "amount_owed", "workers_affected",
         "created_at")
OVERDUE_JOB = "arrears-case-overdue"
RECOMPUTE_JOB = "arrears-case-deadline-recompute"


def case_lock(case_id: str) -> str:
    return f"labour-case:{case_id}"


def policy(day: date) -> CasePolicy:
    """The case policy in force on the filing day (422 naming ``filed_date`` when there is none)."""
    try:
        return POLICY.at(day)
    except PolicyError as exc:
        raise InvalidField("filed_date", f"{day} 无适用的办案期限政策 (no case policy in force: {exc})") from exc


def unknown_project(project_id: str) -> InvalidField:
    return InvalidField("project_id", f"在建工程项目 {project_id} 不存在 (project not found)")


def changed_event(case: ArrearsCase, previous: str | None = None, reason: str | None = None,
                  changed: Iterable[str] = ()) -> ArrearsCaseChanged:
    """The data of every case event: the case after the change (the bulk path publishes the same)."""
    return ArrearsCaseChanged(
        id=case.id, credit_code=case.credit_code, employer_name=case.employer_name, county_code=case.county_code,
        project_id=case.project_id, complainant_id_numbers=[c["id_number"] for c in case.complainants],
        workers_affected=case.workers_affected, amount_owed=case.amount_owed, amount_recovered=case.amount_recovered,
        group_case=case.group_case, status=case.status, previous_status=previous, filed_date=case.filed_date,
        accepted_date=case.accepted_date, deadline_date=case.deadline_date,
        deadline_provisional=case.deadline_provisional, extended=case.extended, concluded_date=case.concluded_date,
        on_time=case.on_time, reason=reason, changed=list(changed))


async def _publish(session: AsyncSession, outbox: Outbox, contract: Contract[ArrearsCaseChanged], case: ArrearsCase,
                   previous: str | None = None, reason: str | None = None, changed: Iterable[str] = ()) -> None:
    await outbox.add(session, contract, changed_event(case, previous, reason, changed))


async def _save(session: AsyncSession, case: ArrearsCase) -> None:
    case.updated_at = clock.now()
    session.add(case)
    await session.flush()


async def _escalate_if_group(session: AsyncSession, outbox: Outbox, case: ArrearsCase) -> None:
    """群体性欠薪: publish the escalation (and its warning signal) the first time the case qualifies."""
    rules = policy(case.filed_date)
    if case.group_case or case.workers_affected < rules.group_case_workers:
        return
    case.group_case, case.group_case_illustrative = True, rules.group_case_illustrative
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_ESCALATED, case, previous=case.status)
    await warnings.add_signal(session=session, outbox=outbox, credit_code=case.credit_code,
                              county_code=case.county_code, kind=SignalKind.group_case, reference=case.id,
                              occurred_date=case.filed_date)


async def register(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: CaseCreate) -> ArrearsCase:
    """投诉登记; a group case is escalated at once."""
    principal.check_county(data.county_code)
    not_future("filed_date", data.filed_date)
    if data.project_id is not None:
        if await session.get(Project, data.project_id) is None:
            raise unknown_project(data.project_id)
    case = ArrearsCase(
        credit_code=data.credit_code, employer_name=data.employer_name, county_code=data.county_code,
        project_id=data.project_id, complainants=[c.model_dump(mode="json") for c in data.complainants],
        workers_affected=data.workers_affected, amount_owed=data.amount_owed, evidence_notes=data.evidence_notes,
        filed_date=data.filed_date, policy_source=policy(data.filed_date).source,
    )
    session.add(case)
    await session.flush()
    await _publish(session, outbox, contracts.ARREARS_CASE_REGISTERED, case)
    await warnings.add_signal(session=session, outbox=outbox, credit_code=case.credit_code,
                              county_code=case.county_code, kind=SignalKind.complaint, reference=case.id,
                              occurred_date=case.filed_date)
    await _escalate_if_group(session, outbox, case)
    return case


async def get_or_404(*, session: AsyncSession, case_id: str) -> ArrearsCase:
    return await fetch_or_404(session, ArrearsCase, case_id, f"欠薪案件 {case_id} 不存在 (case not found)")


async def _load(session: AsyncSession, principal: Principal, case_id: str) -> ArrearsCase:
    await lock_key(session, case_lock(case_id))
    case = await get_or_404(session=session, case_id=case_id)
    principal.check_county(case.county_code)
    return case


def _require(case: ArrearsCase, allowed: Iterable[CaseStatus], action: str) -> str:
    """The case's status if ``action`` may follow it; else a 409 naming the current state."""
    allowed = list(allowed)
    if case.status not in allowed:
        names = "、".join(f"{STATUS_NAMES[s]}（{s}）" for s in allowed)
        raise Conflict(f"案件当前状态为{STATUS_NAMES[CaseStatus(case.status)]}（{case.status}），不能{action}；"
                       f"仅{names}状态可以 (case {case.id} is {case.status}; {action} needs {', '.join(allowed)})",
                       field_name="status", current_status=case.status, case_id=case.id)
    return case.status


def _apply_deadline(case: ArrearsCase, accepted: date) -> None:
    rules = policy(accepted)
    calendar = workdays.current()
    try:
        base = calendar.add_workdays(accepted, rules.deadline_workdays)
        final = calendar.add_workdays(base.date, rules.extension_workdays) if case.extended else base
    except PolicyError as exc:
        raise InvalidField("accepted_date", f"{accepted} 起的工作日无法计算 (no calendar data: {exc})") from exc
    case.base_deadline_date, case.deadline_date = base.date, final.date
    case.deadline_provisional = base.provisional or final.provisional
    case.provisional_years = sorted(set(base.provisional_years) | set(final.provisional_years))
    case.policy_source = rules.source


async def accept(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                 data: Accept) -> ArrearsCase:
    """立案: the deadline starts to run."""
    case = await _load(session, principal, case_id)
    previous = _require(case, [CaseStatus.registered], "立案")
    accepted = not_future("accepted_date", data.accepted_date or clock.today())
    not_before("accepted_date", accepted, case.filed_date, "投诉登记日期")
    case.status, case.accepted_date = CaseStatus.accepted, accepted
    _apply_deadline(case, accepted)
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_ACCEPTED, case, previous)
    return case


async def investigate(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str) -> ArrearsCase:
    """开始调查."""
    case = await _load(session, principal, case_id)
    previous = _require(case, [CaseStatus.accepted], "开始调查")
    case.status, case.investigation_date = CaseStatus.investigating, clock.today()
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_INVESTIGATION_STARTED, case, previous)
    return case


async def mediate(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str) -> ArrearsCase:
    """开始调解."""
    case = await _load(session, principal, case_id)
    previous = _require(case, [CaseStatus.accepted, CaseStatus.investigating], "开始调解")
    case.status, case.mediation_date = CaseStatus.mediating, clock.today()
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_MEDIATION_STARTED, case, previous)
    return case


async def resolve(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                  data: Resolve) -> ArrearsCase:
    """处理完毕, with the amount recovered."""
    case = await _load(session, principal, case_id)
    previous = _require(case, [CaseStatus.investigating, CaseStatus.mediating], "处理完毕")
    resolved = not_future("resolved_date", data.resolved_date or clock.today())
    not_before("resolved_date", resolved, case.accepted_date, "立案日期")
    if data.amount_recovered > case.amount_owed:
        raise InvalidField("amount_recovered", f"追回金额 {data.amount_recovered} 超过欠薪金额 {case.amount_owed} "
                                               "(amount recovered exceeds the amount owed)")
    case.status, case.resolved_date, case.amount_recovered = CaseStatus.resolved, resolved, data.amount_recovered
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_RESOLVED, case, previous)
    return case


async def _conclude(session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str, data: Conclude, *,
                    allowed: list[CaseStatus], to: CaseStatus, action: str,
                    contract: Contract[ArrearsCaseChanged]) -> ArrearsCase:
    case = await _load(session, principal, case_id)
    previous = _require(case, allowed, action)
    concluded = not_future("concluded_date", data.concluded_date or clock.today())
    not_before("concluded_date", concluded, case.resolved_date or case.accepted_date,
               "处理完毕日期" if case.resolved_date else "立案日期")
    case.status, case.concluded_date = to, concluded
    case.on_time = case.deadline_date is not None and concluded <= case.deadline_date
    await _save(session, case)
    await _publish(session, outbox, contract, case, previous, reason=data.note)
    return case


async def close(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                data: Conclude) -> ArrearsCase:
    """结案 a resolved case; on time when closed on or before the deadline."""
    return await _conclude(session, outbox, principal, case_id, data, allowed=[CaseStatus.resolved],
                           to=CaseStatus.closed, action="结案", contract=contracts.ARREARS_CASE_CLOSED)


async def transfer(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                   data: Conclude) -> ArrearsCase:
    """移送劳动人事争议仲裁."""
    return await _conclude(session, outbox, principal, case_id, data,
                           allowed=[CaseStatus.accepted, CaseStatus.investigating, CaseStatus.mediating],
                           to=CaseStatus.transferred, action="移送仲裁", contract=contracts.ARREARS_CASE_TRANSFERRED)


async def extend(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                 data: Extend) -> ArrearsCase:
    """延长30个工作日, once, before the deadline has passed."""
    case = await _load(session, principal, case_id)
    _require(case, sorted(RUNNING), "延长期限")
    if case.extended:
        raise Conflict(f"案件已于 {case.extended_date} 延长过期限，只能延长一次 (the deadline was already extended "
                       "once; 劳动保障监察条例 art. 17)", field_name="extended", extended_date=str(case.extended_date),
                       deadline_date=str(case.deadline_date))
    today = clock.today()
    assert case.deadline_date is not None and case.accepted_date is not None  # set by 立案
    if today > case.deadline_date:
        raise Conflict(f"办案期限已于 {case.deadline_date} 届满，不能再延长 (the deadline {case.deadline_date} has "
                       "passed)", field_name="deadline_date", deadline_date=str(case.deadline_date))
    case.extended, case.extension_reason, case.extended_date = True, data.reason, today
    _apply_deadline(case, case.accepted_date)
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_EXTENDED, case, case.status, reason=data.reason)
    return case


async def cancel(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                 data: Cancel) -> ArrearsCase:
    """撤销 a case recorded wrongly."""
    case = await _load(session, principal, case_id)
    previous = _require(case, [s for s in CaseStatus if s != CaseStatus.cancelled], "撤销")
    case.status, case.cancelled_date, case.cancel_reason = CaseStatus.cancelled, clock.today(), data.reason
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_CANCELLED, case, previous, reason=data.reason)
    await warnings.withdraw_signals(session=session, outbox=outbox, credit_code=case.credit_code, reference=case.id)
    return case


async def correct(*, session: AsyncSession, outbox: Outbox, principal: Principal, case_id: str,
                  data: CaseCorrection) -> ArrearsCase:
    """更正: the fields given change, with the reason; a correction that makes a group case escalates it."""
    case = await _load(session, principal, case_id)
    _require(case, [s for s in CaseStatus if s != CaseStatus.cancelled], "更正")
    values = {k: getattr(data, k) for k in data.model_fields_set - {"reason"} if getattr(data, k) is not None}
    if "workers_affected" in values and values["workers_affected"] < len(case.complainants):
        raise InvalidField("workers_affected", f"涉及人数少于投诉人数 {len(case.complainants)} "
                                               "(workers affected must be at least the number of complainants)")
    if "amount_owed" in values and case.amount_recovered is not None and values["amount_owed"] < case.amount_recovered:
        raise InvalidField("amount_owed", f"欠薪金额少于已追回金额 {case.amount_recovered} "
                                          "(amount owed below the amount recovered)")
    changed = sorted(k for k, v in values.items() if getattr(case, k) != v)
    if not changed:
        raise InvalidField("reason", "更正内容与现有记录相同 (nothing differs from the record)")
    for key in changed:
        setattr(case, key, values[key])
    await _save(session, case)
    await _publish(session, outbox, contracts.ARREARS_CASE_CORRECTED, case, case.status, reason=data.reason,
                   changed=changed)
    await _escalate_if_group(session, outbox, case)
    return case


async def notify_overdue(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Publish ``arrears_case.overdue`` once for every running case past its deadline; the number published."""
    ids = (await session.exec(select(ArrearsCase.id).where(
        col(ArrearsCase.status).in_(list(RUNNING)), col(ArrearsCase.deadline_date) < today,
        col(ArrearsCase.overdue_notified_date).is_(None)).order_by(col(ArrearsCase.id)))).all()
    n = 0
    for case_id in ids:
        await lock_key(session, case_lock(case_id))
        case = await session.get(ArrearsCase, case_id, populate_existing=True)
        if case is None or not case.is_overdue(today) or case.overdue_notified_date is not None:
            continue
        case.overdue_notified_date = today
        await _save(session, case)
        await _publish(session, outbox, contracts.ARREARS_CASE_OVERDUE, case, case.status)
        n += 1
    return n


async def recompute_provisional(*, session: AsyncSession, outbox: Outbox) -> int:
    """Recompute every running case's provisional deadline on the current calendar; one event per case changed."""
    ids = (await session.exec(select(ArrearsCase.id).where(
        col(ArrearsCase.status).in_(list(RUNNING)), col(ArrearsCase.deadline_provisional).is_(True))
        .order_by(col(ArrearsCase.id)))).all()
    n = 0
    for case_id in ids:
        await lock_key(session, case_lock(case_id))
        case = await session.get(ArrearsCase, case_id, populate_existing=True)
        if case is None or case.accepted_date is None or case.status not in RUNNING:
            continue
        before = (case.base_deadline_date, case.deadline_date, case.deadline_provisional, list(case.provisional_years))
        _apply_deadline(case, case.accepted_date)
        if before == (case.base_deadline_date, case.deadline_date, case.deadline_provisional,
                      list(case.provisional_years)):
            continue
        await _save(session, case)
        await _publish(session, outbox, contracts.ARREARS_CASE_DEADLINE_RECOMPUTED, case, case.status,
                       reason=f"期限由 {before[1]} 重算为 {case.deadline_date} (deadline recomputed on the calendar "
                              f"data)")
        n += 1
    return n


def jobs(outbox: Callable[[], Outbox]) -> list[Job]:
    """Daily: provisional deadlines recomputed (00:05), overdue cases published (00:20), Beijing time."""

    async def overdue(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            n = await notify_overdue(session=session, outbox=outbox(), today=clock.today())
        return f"{n} cases became overdue"

    async def recompute(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            n = await recompute_provisional(session=session, outbox=outbox())
        return f"{n} provisional deadlines recomputed"

    return [Job(name=RECOMPUTE_JOB, schedule=Daily(time(0, 5)), run=recompute),
            Job(name=OVERDUE_JOB, schedule=Daily(time(0, 20)), run=overdue)]


async def list_cases(
    *, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
    status: CaseStatus | None, project_id: str | None, group_case: bool | None, overdue: bool | None,
    filed: DateRange, sort: str, complainant: str | None = None,
) -> tuple[list[ArrearsCase], int]:
    """Cases filtered by employer, county, status, project, group case, overdue (as of today), complainant and
    filing date."""
    query = select(ArrearsCase).where(*equals(
        (ArrearsCase.credit_code, credit_code), (ArrearsCase.county_code, county_code), (ArrearsCase.status, status),
        (ArrearsCase.project_id, project_id), (ArrearsCase.group_case, group_case),
    ), *filed.clauses(col(ArrearsCase.filed_date)))
    if overdue is not None:
        late = (col(ArrearsCase.status).in_(list(RUNNING))) & (col(ArrearsCase.deadline_date) < clock.today())
        query = query.where(late if overdue else ~late)
    if complainant is not None:
        # The complainants are a JSON list of {"id_number", "name"}: a validated 18-character ID number in quotes
        # matches only that complainant (no other field of the list holds an ID number).
        query = query.where(cast(col(ArrearsCase.complainants), String).like(f'%"{complainant}"%'))
    columns = {key: col(getattr(ArrearsCase, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(ArrearsCase.id))), page)


async def on_time_rates(*, session: AsyncSession, county_code: str | None, period: DateRange) -> list[Rate]:
    """按期结案率 by county and in total: concluded on time / (concluded + running cases whose deadline passed),
    counting cases concluded, or falling due unconcluded, within the period."""
    today = clock.today()
    concluded = select(ArrearsCase.county_code, ArrearsCase.on_time).where(
        col(ArrearsCase.status).in_(list(CONCLUDED)), *period.clauses(col(ArrearsCase.concluded_date)),
        *equals((ArrearsCase.county_code, county_code)))
    late = select(ArrearsCase.county_code, ArrearsCase.on_time).where(
        col(ArrearsCase.status).in_(list(RUNNING)), col(ArrearsCase.deadline_date) < today,
        *period.clauses(col(ArrearsCase.deadline_date)), *equals((ArrearsCase.county_code, county_code)))
    counts: dict[str, list[int]] = {}
    for query in (concluded, late):
        for county, on_time in (await session.execute(query)).all():
            row = counts.setdefault(county, [0, 0])
            row[0] += bool(on_time)
            row[1] += 1
    rows = [Rate(county_code=c, numerator=n, denominator=d, rate=rate(n, d)) for c, (n, d) in sorted(counts.items())]
    total_n, total_d = sum(r.numerator for r in rows), sum(r.denominator for r in rows)
    return [*rows, Rate(county_code=None, numerator=total_n, denominator=total_d, rate=rate(total_n, total_d))]


def status_counts(cases: Iterable[Any]) -> dict[str, int]:
    found = {str(s): 0 for s in CaseStatus}
    for status in cases:
        found[str(status)] += 1
    return found
