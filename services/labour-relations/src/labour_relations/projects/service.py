"""Rules of 在建工程项目 and 农民工工资发放.

- A project has a general contractor, a county and a dedicated wage account (农民工工资专用账户); it is active until
  completed (竣工, not before it started).
- Payroll: one recorded payroll per project and wage month (409 naming the one recorded), for a month from the
  project's start month, of an active project (or up to the completion month), paid on or after the month's first
  day and not after today. ``online`` is payment through the dedicated account (在线发薪). Each line below the
  monthly minimum wage of the project's county in force on the month's first day (policy/minimum_wage.toml) is
  flagged, with one ``payroll.below_minimum_wage`` event and a warning signal per payroll.
- Missed payroll: the daily job finds each month of an active project, from its start month, whose pay-by day (the
  policy's day of the next month) has passed with no payroll recorded; each is published once.
- A payroll recorded wrongly is cancelled (撤销) with a reason; its warning signal is withdrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts import labour_relations as contracts
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField, NotFound
from hrss_shared.scheduler import Job, daily_job
from labour_relations.common import Rate, first_of, month_of, next_month, not_before, not_future, rate
from labour_relations.projects.models import (
    MinimumWagePolicy,
    MissedPayroll,
    Payroll,
    PayrollCancel,
    PayrollCreate,
    PayrollPolicy,
    PayrollStatus,
    Project,
    ProjectComplete,
    ProjectCreate,
    ProjectStatus,
)
from labour_relations.warnings import service as warnings
from labour_relations.warnings.models import SignalKind
from labour_relations.workdays import POLICY_DIR

MINIMUM_WAGE: PolicyTable[MinimumWagePolicy] = PolicyTable.load(POLICY_DIR / "minimum_wage.toml", MinimumWagePolicy)
PAY_DAY: PolicyTable[PayrollPolicy] = PolicyTable.load(POLICY_DIR / "payroll.toml", PayrollPolicy)
SORTS = ("start_date", "name", "created_at")
PAYROLL_SORTS = ("month", "paid_date", "total_amount", "created_at")
MISSED_JOB = "missed-payroll-check"


def project_lock(project_id: str) -> str:
    return f"labour-project:{project_id}"


async def register(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: ProjectCreate) -> Project:
    """在建工程项目登记."""
    principal.check_county(data.county_code)
    project = Project(**data.model_dump())
    session.add(project)
    await session.flush()
    await outbox.add(session, contracts.PROJECT_REGISTERED, registered_event(project))
    return project


def registered_event(project: Project) -> contracts.ProjectRegistered:
    """The data of ``project.registered`` (the bulk path publishes the same)."""
    return contracts.ProjectRegistered(
        id=project.id, name=project.name, credit_code=project.credit_code, contractor_name=project.contractor_name,
        county_code=project.county_code, start_date=project.start_date, completion_date=project.completion_date,
        has_wage_account=True, status=project.status)


async def get_or_404(*, session: AsyncSession, project_id: str) -> Project:
    return await fetch_or_404(session, Project, project_id, f"在建工程项目 {project_id} 不存在 (project not found)")


async def _load(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    await lock_key(session, project_lock(project_id))
    project = await get_or_404(session=session, project_id=project_id)
    principal.check_county(project.county_code)
    return project


async def complete(*, session: AsyncSession, outbox: Outbox, principal: Principal, project_id: str,
                   data: ProjectComplete) -> Project:
    """竣工."""
    project = await _load(session, principal, project_id)
    if project.status != ProjectStatus.active:
        raise Conflict(f"项目已于 {project.completed_date} 竣工 (the project is already completed)",
                       field_name="status", current_status=project.status)
    done = not_future("completed_date", data.completed_date or clock.today())
    not_before("completed_date", done, project.start_date, "开工日期")
    project.status, project.completed_date, project.updated_at = ProjectStatus.completed, done, clock.now()
    session.add(project)
    await session.flush()
    await outbox.add(session, contracts.PROJECT_COMPLETED, contracts.ProjectCompleted(
        id=project.id, credit_code=project.credit_code, county_code=project.county_code, completed_date=done))
    return project


def minimum_wage(county_code: str, month: str) -> MinimumWagePolicy:
    """The minimum-wage version in force on the month's first day (it must name the county)."""
    try:
        rules = MINIMUM_WAGE.at(first_of(month))
    except PolicyError as exc:
        raise InvalidField("month", f"{month} 无适用的最低工资标准 (no minimum wage in force: {exc})") from exc
    if county_code not in rules.monthly:
        raise InvalidField("month", f"{month} 的最低工资标准未列出县 {county_code} (no standard for the county)")
    return rules


async def record_payroll(*, session: AsyncSession, outbox: Outbox, principal: Principal, project_id: str,
                         data: PayrollCreate) -> Payroll:
    """月度工资发放登记, flagging lines below the minimum wage."""
    project = await _load(session, principal, project_id)
    if first_of(data.month) < first_of(month_of(project.start_date)):
        raise InvalidField("month", f"工资月份 {data.month} 早于项目开工月份 {month_of(project.start_date)} "
                                    "(month before the project started)")
    if project.completed_date is not None and first_of(data.month) > first_of(month_of(project.completed_date)):
        raise Conflict(f"项目已于 {project.completed_date} 竣工，不能登记 {data.month} 的工资 (the project was compl"
                       f"eted "
                       "before that month)", field_name="month", current_status=project.status)
    not_future("paid_date", data.paid_date)
    not_before("paid_date", data.paid_date, first_of(data.month), "工资月份首日")
    existing = (await session.exec(select(Payroll.id).where(
        Payroll.project_id == project.id, Payroll.month == data.month,
        Payroll.status == PayrollStatus.recorded))).first()
    if existing is not None:
        raise Conflict(f"项目 {data.month} 的工资已登记（{existing}），如有错误请先撤销 (a payroll for this month is "
                       "already recorded)", field_name="month", existing_id=existing)
    rules = minimum_wage(project.county_code, data.month)
    floor = rules.monthly[project.county_code]
    lines = [{**w.model_dump(mode="json"), "below_minimum": w.amount < floor} for w in data.workers]
    below = [w for w in data.workers if w.amount < floor]
    payroll = Payroll(
        project_id=project.id, credit_code=project.credit_code, county_code=project.county_code, month=data.month,
        paid_date=data.paid_date, online=data.online, workers=lines, worker_count=len(lines),
        total_amount=sum((w.amount for w in data.workers), Decimal("0")), minimum_wage=floor,
        minimum_wage_source=rules.source, illustrative=rules.illustrative, below_minimum_count=len(below))
    session.add(payroll)
    await session.flush()
    await outbox.add(session, contracts.PAYROLL_RECORDED, contracts.PayrollRecorded(
        id=payroll.id, project_id=project.id, credit_code=project.credit_code, county_code=project.county_code,
        month=data.month, paid_date=data.paid_date, online=data.online, worker_count=payroll.worker_count,
        total_amount=payroll.total_amount,
        workers=[contracts.WorkerPaid(id_number=w.id_number, amount=w.amount) for w in data.workers],
        below_minimum_count=len(below), minimum_wage=floor, minimum_wage_source=rules.source,
        illustrative=rules.illustrative))
    if below:
        await outbox.add(session, contracts.PAYROLL_BELOW_MINIMUM_WAGE, contracts.PayrollBelowMinimumWage(
            id=payroll.id, project_id=project.id, credit_code=project.credit_code, county_code=project.county_code,
            month=data.month, minimum_wage=floor,
            workers=[contracts.WorkerPaid(id_number=w.id_number, amount=w.amount) for w in below],
            minimum_wage_source=rules.source, illustrative=rules.illustrative))
        await warnings.add_signal(session=session, outbox=outbox, credit_code=project.credit_code,
                                  county_code=project.county_code, kind=SignalKind.below_minimum_wage,
                                  reference=payroll.id, occurred_date=data.paid_date)
    return payroll


async def payroll_or_404(*, session: AsyncSession, project_id: str, payroll_id: str) -> Payroll:
    payroll = await session.get(Payroll, payroll_id)
    if payroll is None or payroll.project_id != project_id:
        raise NotFound(f"工资发放记录 {payroll_id} 不存在 (payroll not found for project {project_id})")
    return payroll


async def cancel_payroll(*, session: AsyncSession, outbox: Outbox, principal: Principal, project_id: str,
                         payroll_id: str, data: PayrollCancel) -> Payroll:
    """撤销 a payroll recorded wrongly."""
    project = await _load(session, principal, project_id)
    payroll = await payroll_or_404(session=session, project_id=project.id, payroll_id=payroll_id)
    if payroll.status == PayrollStatus.cancelled:
        raise Conflict(f"工资发放记录已于 {payroll.cancelled_date} 撤销 (the payroll is already cancelled)",
                       field_name="status", current_status=payroll.status)
    today = clock.today()
    payroll.status, payroll.cancelled_date, payroll.cancel_reason = PayrollStatus.cancelled, today, data.reason
    payroll.updated_at = clock.now()
    session.add(payroll)
    await session.flush()
    await outbox.add(session, contracts.PAYROLL_CANCELLED, contracts.PayrollCancelled(
        id=payroll.id, project_id=project.id, credit_code=payroll.credit_code, county_code=payroll.county_code,
        month=payroll.month, cancelled_date=today, reason=data.reason))
    await warnings.withdraw_signals(session=session, outbox=outbox, credit_code=payroll.credit_code,
                                    reference=payroll.id)
    return payroll


def pay_by(month: str) -> tuple[date, PayrollPolicy]:
    """The last day a month's payroll may be recorded, and the policy that says so."""
    following = first_of(next_month(month))
    rules = PAY_DAY.at(following)
    return following.replace(day=rules.pay_day), rules


async def find_missed(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Record and publish each month of an active project past its pay-by day with no payroll; the number found."""
    projects = (await session.exec(select(Project).where(Project.status == ProjectStatus.active)
                                   .order_by(col(Project.id)))).all()
    found = 0
    for project in projects:
        await lock_key(session, project_lock(project.id))
        paid = set((await session.exec(select(Payroll.month).where(
            Payroll.project_id == project.id, Payroll.status == PayrollStatus.recorded))).all())
        known = set((await session.exec(select(MissedPayroll.month).where(
            MissedPayroll.project_id == project.id))).all())
        # from the start month, or the first month a pay-day policy covers
        month = max(month_of(project.start_date), month_of(PAY_DAY.versions[0].effective_from))
        while True:
            due, rules = pay_by(month)
            if due >= today:
                break
            if month not in paid and month not in known:
                missed = MissedPayroll(project_id=project.id, credit_code=project.credit_code,
                                       county_code=project.county_code, month=month, pay_by_date=due,
                                       detected_date=today, policy_source=rules.source, illustrative=rules.illustrative)
                session.add(missed)
                await session.flush()
                await outbox.add(session, contracts.PAYROLL_MISSED, contracts.PayrollMissed(
                    id=missed.id, project_id=project.id, credit_code=project.credit_code,
                    county_code=project.county_code, month=month, pay_by_date=due))
                await warnings.add_signal(session=session, outbox=outbox, credit_code=project.credit_code,
                                          county_code=project.county_code, kind=SignalKind.missed_payroll,
                                          reference=missed.id, occurred_date=today)
                found += 1
            month = next_month(month)
    return found


def missed_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:15 Beijing time: missed payrolls of active projects."""
    return daily_job(MISSED_JOB, time(0, 15), outbox,
                     lambda session, box, today: find_missed(session=session, outbox=box, today=today),
                     lambda n: f"{n} missed payrolls")


async def list_projects(*, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
                        status: ProjectStatus | None, started: DateRange, sort: str) -> tuple[list[Project], int]:
    query = select(Project).where(*equals(
        (Project.credit_code, credit_code), (Project.county_code, county_code), (Project.status, status),
    ), *started.clauses(col(Project.start_date)))
    columns = {key: col(getattr(Project, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Project.id))), page)


async def list_payrolls(*, session: AsyncSession, page: PageParams, project_id: str, status: PayrollStatus | None,
                        online: bool | None, paid: DateRange, sort: str) -> tuple[list[Payroll], int]:
    query = select(Payroll).where(Payroll.project_id == project_id, *equals(
        (Payroll.status, status), (Payroll.online, online)), *paid.clauses(col(Payroll.paid_date)))
    columns = {key: col(getattr(Payroll, key)) for key in PAYROLL_SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Payroll.id))), page)


async def list_missed(*, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
                      detected: DateRange) -> tuple[list[MissedPayroll], int]:
    query = select(MissedPayroll).where(*equals(
        (MissedPayroll.credit_code, credit_code), (MissedPayroll.county_code, county_code),
    ), *detected.clauses(col(MissedPayroll.detected_date)))
    return await fetch_page(session, query.order_by(col(MissedPayroll.detected_date).desc(),
                                                    col(MissedPayroll.id)), page)


async def online_rates(*, session: AsyncSession, county_code: str | None, period: DateRange) -> list[Rate]:
    """在线发薪率 by county and in total: recorded payrolls paid through the dedicated account / all recorded."""
    rows = (await session.execute(select(Payroll.county_code, Payroll.online).where(
        Payroll.status == PayrollStatus.recorded, *period.clauses(col(Payroll.paid_date)),
        *equals((Payroll.county_code, county_code))))).all()
    counts: dict[str, list[int]] = {}
    for county, online in rows:
        row = counts.setdefault(county, [0, 0])
        row[0] += bool(online)
        row[1] += 1
    result = [Rate(county_code=c, numerator=n, denominator=d, rate=rate(n, d)) for c, (n, d) in sorted(counts.items())]
    n, d = sum(r.numerator for r in result), sum(r.denominator for r in result)
    return [*result, Rate(county_code=None, numerator=n, denominator=d, rate=rate(n, d))]
