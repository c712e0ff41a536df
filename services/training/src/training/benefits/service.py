"""Rules of 人才政策兑现 (policy/talent_benefits.toml, the version in force on the application date).

- Facts come from events, not calls: employment registrations and their ends from ``hrss.employment``, paid
  contribution months (posted, corrected, cancelled) from ``hrss.social-insurance``.
- Applying needs an employment registration with a Quzhou employer in force today and at least the policy's
  paid contribution months (any insurance type, counted as distinct months); a graduate allowance needs the
  degree and graduation within the policy's years; a rental or housing subsidy needs a valid talent recognition,
  whose tier sets the amount. One benefit of a kind per person (a second is a 409 naming the first).
- Periods are months from the application month; one payment per period, within the benefit's periods.
- Stopping: from the month the person's Quzhou employment ends (a new Quzhou registration from the next day
  continues it), or when contributions lapse: counting the months after the last paid month up to the month
  before the current one (whose contribution may still come), more than the policy's ``lapse_months`` stops
  the benefit from the month after the tolerated ones. A stop is found by the consumer when the facts change,
  by the daily job, and before each payment; it publishes ``talent_benefit.stopped`` once, listing periods
  already paid at or after it. A payment for a period at or after the stop is recorded with ``after_stop`` and
  published so the gateway raises a supervision alert. A stopped benefit stays stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import Table, delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    TALENT_BENEFIT_GRANTED,
    TALENT_BENEFIT_PAID,
    TALENT_BENEFIT_STOPPED,
    TalentBenefitGranted,
    TalentBenefitPaid,
    TalentBenefitStopped,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import Upsert, fetch_or_404, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.reference.retirement import add_months
from hrss_shared.scheduler import Daily, Job, JobContext
from hrss_shared.validators import QUZHOU_COUNTIES
from training.benefits.models import (
    KIND_NAMES,
    BenefitApply,
    BenefitKind,
    BenefitPolicy,
    BenefitStatus,
    Cancellation,
    KnownEmployment,
    KnownPaidMonth,
    PaymentCreate,
    StopReason,
    TalentBenefit,
    TalentBenefitPayment,
    month_at,
    month_index,
    month_of,
)
from training.common import POLICY_DIR
from training.recognitions import service as recognitions

POLICY: PolicyTable[BenefitPolicy] = PolicyTable.load(POLICY_DIR / "talent_benefits.toml", BenefitPolicy)
SORTS = ("granted_date", "created_at")
STOP_JOB = "talent-benefit-stops"


def person_lock(id_number: str) -> str:
    return f"training-talent-benefit:{id_number}"


# ---- facts learnt from events ----------------------------------------------------------------------------


async def employment_registered(*, session: AsyncSession, registration_id: str, id_number: str, credit_code: str,
                                county_code: str, start_date: date) -> None:
    if await session.get(KnownEmployment, registration_id) is None:
        session.add(KnownEmployment(registration_id=registration_id, id_number=id_number, credit_code=credit_code,
                                    county_code=county_code, start_date=start_date))
        await session.flush()


async def employment_ended(*, session: AsyncSession, outbox: Outbox, registration_id: str, id_number: str,
                           end_date: date) -> None:
    known = await session.get(KnownEmployment, registration_id)
    if known is not None and known.end_date != end_date:
        known.end_date = end_date
        session.add(known)
        await session.flush()
    await check_stops(session=session, outbox=outbox, id_number=id_number, today=clock.today())


async def month_paid(*, session: AsyncSession, outbox: Outbox, contribution_id: str, id_number: str, month: str,
                     insurance_type: str) -> None:
    known = await session.get(KnownPaidMonth, contribution_id)
    if known is None:
        session.add(KnownPaidMonth(contribution_id=contribution_id, id_number=id_number, month=month,
                                   insurance_type=insurance_type))
    else:
        known.month, known.insurance_type = month, insurance_type
        session.add(known)
    await session.flush()


_paid_months_table: Table = KnownPaidMonth.__table__  # type: ignore[attr-defined]
_PAID_COLUMNS = ("contribution_id", "id_number", "month", "insurance_type")
_PAID_UPSERT = Upsert(_paid_months_table, ("contribution_id",), _PAID_COLUMNS)


async def months_paid(*, session: AsyncSession, paid: Sequence[tuple[str, str, str, str]]) -> None:
    """Many paid contributions at once, as :func:`month_paid` records each one: (contribution id, ID number, month,
    insurance type) rows of a bulk posting (an employer's month naming its persons), in one upsert."""
    await session.flush()  # this session's pending rows first, so the upsert sees them
    await _PAID_UPSERT.execute(session, list(paid))


async def month_unpaid(*, session: AsyncSession, outbox: Outbox, contribution_id: str, id_number: str) -> None:
    await session.execute(delete(KnownPaidMonth).where(col(KnownPaidMonth.contribution_id) == contribution_id))
    await check_stops(session=session, outbox=outbox, id_number=id_number, today=clock.today())


async def _employment_in_force(session: AsyncSession, id_number: str, on: date) -> KnownEmployment | None:
    rows = (await session.exec(select(KnownEmployment).where(
        KnownEmployment.id_number == id_number, col(KnownEmployment.start_date) <= on))).all()
    return next((e for e in rows if e.county_code in QUZHOU_COUNTIES and (e.end_date is None or e.end_date >= on)),
                None)


async def _paid_months(session: AsyncSession, id_number: str) -> list[str]:
    return sorted(set((await session.exec(select(KnownPaidMonth.month).where(
        KnownPaidMonth.id_number == id_number))).all()))


# ---- stops -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    period: str
    reason: StopReason
    detail: str


async def due_stop(session: AsyncSession, benefit: TalentBenefit, today: date) -> Stop | None:
    """The earliest stop the facts call for, if any."""
    rows = sorted((await session.exec(select(KnownEmployment).where(
        KnownEmployment.id_number == benefit.id_number))).all(), key=lambda e: e.start_date)
    spells = [e for e in rows if e.county_code in QUZHOU_COUNTIES]
    stops: list[Stop] = []
    current = next((e for e in spells if e.start_date <= benefit.granted_date
                    and (e.end_date is None or e.end_date >= benefit.granted_date)), None)
    end = current.end_date if current else None
    while end is not None:  # a registration starting by the next day continues the employment
        following = [e for e in spells if end < (e.end_date or date.max) and e.start_date <= end + timedelta(days=1)]
        if not following:
            break
        end = None if any(e.end_date is None for e in following) else max(e.end_date for e in following if e.end_date)
    if current is not None and end is not None:
        stops.append(Stop(month_of(end), StopReason.employment_ended,
                          f"在衢就业于 {end} 结束，自 {month_of(end)} 起停发 (Quzhou employment ended on {end})"))
    rules = POLICY.at(benefit.granted_date)
    paid = [m for m in await _paid_months(session, benefit.id_number) if m <= month_of(today)]
    if paid:
        last = month_index(paid[-1])
        unpaid = month_index(month_of(today)) - 1 - last
        if unpaid > rules.lapse_months:
            period = month_at(last + rules.lapse_months + 1)
            stops.append(Stop(period, StopReason.contributions_lapsed,
                              f"社保自 {paid[-1]} 后断缴超过 {rules.lapse_months} 个月，自 {period} 起停发 "
                              f"(contributions lapsed after {paid[-1]})"))
    return min(stops, key=lambda s: s.period) if stops else None


async def _stop(session: AsyncSession, outbox: Outbox, benefit: TalentBenefit, stop: Stop) -> None:
    overpaid = sorted((await session.exec(select(TalentBenefitPayment.period).where(
        TalentBenefitPayment.benefit_id == benefit.id, col(TalentBenefitPayment.period) >= stop.period))).all())
    benefit.status, benefit.stop_period, benefit.stop_reason = BenefitStatus.stopped, stop.period, stop.reason
    benefit.updated_at = clock.now()
    session.add(benefit)
    await session.flush()
    await outbox.add(session, TALENT_BENEFIT_STOPPED, TalentBenefitStopped(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code, kind=benefit.kind,
        stop_period=stop.period, reason=stop.reason, detail=stop.detail[:300], overpaid_periods=list(overpaid)))


async def check_stops(*, session: AsyncSession, outbox: Outbox, id_number: str, today: date) -> int:
    """Stop the person's active benefits the facts call for; the number stopped."""
    await lock_key(session, person_lock(id_number))
    active = (await session.exec(select(TalentBenefit).where(
        TalentBenefit.id_number == id_number, TalentBenefit.status == BenefitStatus.active))).all()
    stopped = 0
    for benefit in active:
        stop = await due_stop(session, benefit, today)
        if stop is not None:
            await _stop(session, outbox, benefit, stop)
            stopped += 1
    return stopped


def stop_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 01:20 Beijing time: benefits whose contributions lapsed (or whose employment ended) stop."""

    async def run(context: JobContext) -> str:
        async with context.maker() as session:
            people = (await session.exec(select(TalentBenefit.id_number).where(
                TalentBenefit.status == BenefitStatus.active).distinct())).all()
        stopped = 0
        for id_number in people:
            async with context.maker() as session, session.begin():
                stopped += await check_stops(session=session, outbox=outbox(), id_number=id_number,
                                             today=clock.today())
        return f"stopped {stopped} talent benefits"

    return Job(name=STOP_JOB, schedule=Daily(time(1, 20)), run=run)


# ---- applications and payments -------------------------------------------------------------------------


async def apply(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: BenefitApply) -> TalentBenefit:
    """人才政策兑现申请: granted at once when eligible."""
    today = clock.today()
    try:
        rules = POLICY.at(today)
    except PolicyError:
        raise Conflict(f"{today} 无适用的人才政策兑现标准 (no benefit policy in force)", field_name="kind") from None
    await lock_key(session, person_lock(data.id_number))
    first = (await session.exec(select(TalentBenefit).where(
        TalentBenefit.id_number == data.id_number, TalentBenefit.kind == data.kind,
        TalentBenefit.status != BenefitStatus.cancelled))).first()
    if first is not None:
        raise Conflict(f"该人员已于 {first.granted_date} 享受{KIND_NAMES[BenefitKind(first.kind)]}（记录 {first.id}），"
                       "每人限享受一次 (one benefit of a kind per person)", field_name="kind", existing_id=first.id)
    job = await _employment_in_force(session, data.id_number, today)
    if job is None:
        raise Conflict("未查到该人员在衢州市用人单位的有效就业登记（据 hrss.employment 事件）"
                       "(no employment registration with a Quzhou employer in force today)", field_name="id_number")
    principal.check_county(job.county_code)
    paid = [m for m in await _paid_months(session, data.id_number) if m <= month_of(today)]
    if len(paid) < rules.min_paid_months:
        raise Conflict(f"已缴纳社会保险 {len(paid)} 个月，须至少 {rules.min_paid_months} 个月（{rules.source}）"
                       f"(paid contribution months {len(paid)} < {rules.min_paid_months})", field_name="id_number",
                       paid_months=len(paid), required_months=rules.min_paid_months)
    tier = recognition_id = None
    if data.kind == BenefitKind.graduate_living_allowance:
        assert data.degree is not None and data.graduation_date is not None
        if data.graduation_date > today:
            raise InvalidField("graduation_date", "毕业日期晚于今天 (graduation date in the future)")
        if add_months(data.graduation_date, 12 * rules.graduate_years) < today:
            raise Conflict(f"毕业已超过 {rules.graduate_years} 年 (graduated more than {rules.graduate_years} years "
                           "ago)", field_name="graduation_date")
        entry = next((a for a in rules.graduate_living_allowance if a.degree == data.degree), None)
    else:
        recognition = await recognitions.valid_recognition(session=session, id_number=data.id_number, on=today)
        if recognition is None:
            raise Conflict("该人员无有效的人才认定 (no valid talent recognition)", field_name="id_number")
        tier, recognition_id = recognition.tier, recognition.id
        table = rules.rental_subsidy if data.kind == BenefitKind.rental_subsidy else rules.housing_subsidy
        entry = next((a for a in table if a.tier == tier), None)  # type: ignore[assignment]
    if entry is None:
        raise Conflict(f"{KIND_NAMES[data.kind]}无对应标准（学历 {data.degree}，层次 {tier}）(the policy pays nothing "
                       "for this degree or tier)", field_name="kind")
    benefit = TalentBenefit(
        id_number=data.id_number, name=data.name, county_code=job.county_code, credit_code=job.credit_code,
        kind=data.kind, degree=data.degree, graduation_date=data.graduation_date, tier=tier,
        recognition_id=recognition_id, amount_per_period=entry.amount, periods=entry.months,
        first_period=month_of(today), granted_date=today, policy_source=entry.source,
        illustrative=entry.illustrative or rules.illustrative,
    )
    session.add(benefit)
    await session.flush()
    await outbox.add(session, TALENT_BENEFIT_GRANTED, TalentBenefitGranted(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code, kind=benefit.kind,
        name=benefit.name, credit_code=benefit.credit_code, degree=benefit.degree, tier=tier,
        amount_per_period=benefit.amount_per_period, periods=benefit.periods, first_period=benefit.first_period,
        granted_date=today, policy_source=benefit.policy_source, illustrative=benefit.illustrative))
    return benefit


async def get_or_404(*, session: AsyncSession, benefit_id: str) -> TalentBenefit:
    return await fetch_or_404(session, TalentBenefit, benefit_id,
                              f"人才政策兑现记录 {benefit_id} 不存在 (benefit not found)")


async def payments_of(session: AsyncSession, benefit_ids: list[str]) -> dict[str, list[TalentBenefitPayment]]:
    found: dict[str, list[TalentBenefitPayment]] = {i: [] for i in benefit_ids}
    if benefit_ids:
        for p in (await session.exec(select(TalentBenefitPayment).where(
                col(TalentBenefitPayment.benefit_id).in_(benefit_ids)).order_by(
                col(TalentBenefitPayment.period)))).all():
            found[p.benefit_id].append(p)
    return found


async def pay(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, benefit_id: str, data: PaymentCreate
) -> TalentBenefitPayment:
    """发放 one period; a period at or after the stop is recorded and published as paid after the stop."""
    benefit = await get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    await lock_key(session, person_lock(benefit.id_number))
    await session.refresh(benefit)
    if benefit.status == BenefitStatus.cancelled:
        raise Conflict("该兑现记录已撤销 (the benefit was cancelled)", field_name="status",
                       current_status=benefit.status)
    if not benefit.first_period <= data.period <= benefit.last_period:
        raise InvalidField("period", f"所属期应在 {benefit.first_period}～{benefit.last_period} 之内 "
                                     "(outside the benefit's periods)")
    if data.paid_date > clock.today():
        raise InvalidField("paid_date", "发放日期晚于今天 (paid date in the future)")
    taken = (await session.exec(select(TalentBenefitPayment.id).where(
        TalentBenefitPayment.benefit_id == benefit.id, TalentBenefitPayment.period == data.period))).first()
    if taken is not None:
        raise Conflict(f"所属期 {data.period} 已发放（记录 {taken}）(this period was paid already)",
                       field_name="period", existing_id=taken)
    if benefit.status == BenefitStatus.active:
        stop = await due_stop(session, benefit, clock.today())
        if stop is not None:
            await _stop(session, outbox, benefit, stop)
    after = benefit.stop_period is not None and data.period >= benefit.stop_period
    payment = TalentBenefitPayment(benefit_id=benefit.id, id_number=benefit.id_number,
                                   county_code=benefit.county_code, period=data.period,
                                   amount=benefit.amount_per_period, paid_date=data.paid_date, after_stop=after)
    session.add(payment)
    await session.flush()
    await outbox.add(session, TALENT_BENEFIT_PAID, TalentBenefitPaid(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code, kind=benefit.kind,
        payment_id=payment.id, period=payment.period, amount=payment.amount, paid_date=payment.paid_date,
        after_stop=after, stop_period=benefit.stop_period))
    return payment


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, benefit_id: str, data: Cancellation
) -> TalentBenefit:
    """撤销 a benefit recorded in error: nothing more is due from the next period."""
    benefit = await get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    await lock_key(session, person_lock(benefit.id_number))
    await session.refresh(benefit)
    if benefit.status == BenefitStatus.cancelled:
        raise Conflict("该兑现记录已撤销 (already cancelled)", field_name="status", current_status=benefit.status)
    period = benefit.stop_period or benefit.first_period
    await _stop(session, outbox, benefit, Stop(period, StopReason.cancelled, f"撤销：{data.reason}"))
    benefit.status = BenefitStatus.cancelled
    session.add(benefit)
    await session.flush()
    return benefit


async def list_benefits(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    credit_code: str | None, kind: BenefitKind | None, status: BenefitStatus | None, granted: DateRange, sort: str,
) -> tuple[list[TalentBenefit], int]:
    query = select(TalentBenefit).where(*equals(
        (TalentBenefit.id_number, id_number), (TalentBenefit.county_code, county_code),
        (TalentBenefit.credit_code, credit_code), (TalentBenefit.kind, kind), (TalentBenefit.status, status),
    ), *granted.clauses(col(TalentBenefit.granted_date)))
    columns = {key: col(getattr(TalentBenefit, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(TalentBenefit.id))), page)

