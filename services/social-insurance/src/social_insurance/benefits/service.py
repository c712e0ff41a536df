"""Rules of 失业保险金. "Today" is the bureau's (``hrss_shared.clock``); numbers from policy/unemployment_benefit.toml.

- Decided once per unemployment registration (from ``hrss.employment``). Eligible (失业保险条例 art. 14) when the
  separation was not of the person's own will (a coded reason; 本人辞职 and a missing reason are not), the person is
  below the statutory retirement age (shared reference rule) and has at least 12 months of unemployment-insurance
  contributions. Duration (art. 17) from those months: under 12 not eligible, 12–59 → 12, 60–119 → 18, 120 and
  more → 24. For a new spell the months count afresh from the end of the previous benefit (its stop date, or the
  day after its period ended) and the months of the previous benefit not drawn are added, up to 24.
- The benefit runs from the registration date for its months, ending no later than the day before the statutory
  retirement age. It stops from the start date of a new employment registration, at the retirement age (daily job)
  or by hand (pension started, other art. 15 reasons).
- A correction or cancellation of the person's contributions decides again each decision that has paid nothing
  yet and is running or was refused for too few contributions (``revision`` counts; one event each).
- It follows its unemployment registration (events of ``hrss.employment``). A cancellation (撤销: the registration
  never held) stops a running benefit from its start date (stop reason ``registration_cancelled``), flags every
  month already paid for recovery (追回: ``unemployment_benefit.recovery_required`` once, with the months and the
  amount) and refuses further payments; a redelivered cancellation changes nothing. A correction of the
  registration decides again a benefit that has paid nothing; on one that has paid, a new registration date moves
  the start (and the end, keeping the months entitled) and flags the months paid before the new start month for
  recovery; other corrected fields of a paid benefit are recorded, not re-decided.
- Payments are a monthly ledger: one per month, from the start month, at most the months entitled, within the
  period. A payment for a month on or after the stop date is still recorded, flagged ``after_stop`` and published
  for policy supervision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, time, timedelta
from decimal import Decimal

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import (
    SEPARATION_REASON_NAMES,
    EmploymentRegistered,
    SeparationReason,
    UnemploymentCancelled,
    UnemploymentCorrected,
    UnemploymentRegistered,
)
from hrss_contracts.social_insurance import (
    BENEFIT_PAYMENT_POSTED,
    UNEMPLOYMENT_BENEFIT_DECIDED,
    UNEMPLOYMENT_BENEFIT_RECOVERY_REQUIRED,
    UNEMPLOYMENT_BENEFIT_STOPPED,
    BenefitPaymentPosted,
    UnemploymentBenefitDecided,
    UnemploymentBenefitRecoveryRequired,
    UnemploymentBenefitStopped,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.consumer import PermanentEventError
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key, lock_keys
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.logs import correlation_id
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, InvalidField
from hrss_shared.reference.retirement import add_months, category_for, retirement_date, sex_of
from hrss_shared.scheduler import Job, daily_job
from hrss_shared.validators import birth_date_of
from social_insurance.benefits.models import (
    STOP_NAMES,
    BenefitPayment,
    BenefitPolicy,
    BenefitStatus,
    Ineligibility,
    PaymentCreate,
    RecoveryCause,
    Stop,
    StopReason,
    UnemploymentBenefit,
)
from social_insurance.common import POLICY_DIR, InsuranceType, first_day, month_of
from social_insurance.contributions.models import Contribution, ContributionStatus
from social_insurance.enrolments.service import person_lock

POLICY: PolicyTable[BenefitPolicy] = PolicyTable.load(POLICY_DIR / "unemployment_benefit.toml", BenefitPolicy)
SORTS = ("registered_date", "created_at", "months_entitled")
RETIREMENT_JOB = "benefit-retirement-stop"
PAID_STATUSES = (BenefitStatus.active, BenefitStatus.stopped)


def entitled_months(contribution_months: int, rules: BenefitPolicy) -> int:
    """失业保险条例 art. 17: the longest duration whose contribution threshold is reached (0: not eligible)."""
    return max((d.months for d in rules.durations if contribution_months >= d.min_contribution_months), default=0)


def duration(contribution_months: int, carried_over: int, rules: BenefitPolicy) -> int:
    """Months of a spell: art. 17's duration plus the earlier spell's undrawn months, at most ``max_months``."""
    months = entitled_months(contribution_months, rules)
    return min(rules.max_months, months + carried_over) if months else 0


def retirement_of(id_number: str, rules: BenefitPolicy) -> date:
    """The day the person reaches the statutory retirement age (shared reference rule)."""
    sex = sex_of(id_number)
    category = category_for(sex, rules.female_original_retirement_age if sex == "female" else None)
    return retirement_date(birth_date_of(id_number), category)


def status_on(benefit: UnemploymentBenefit, day: date) -> BenefitStatus:
    """The status as of ``day``: an active benefit past its period answers ``ended``."""
    if benefit.status == BenefitStatus.active and benefit.end_date is not None and day > benefit.end_date:
        return BenefitStatus.ended
    return BenefitStatus(benefit.status)


async def _contribution_months(session: AsyncSession, id_number: str, since: str | None, until: str) -> int:
    query = select(func.count(func.distinct(Contribution.month))).where(
        Contribution.id_number == id_number, Contribution.insurance_type == InsuranceType.unemployment,
        Contribution.status == ContributionStatus.posted, col(Contribution.month) <= until)
    if since is not None:
        query = query.where(col(Contribution.month) >= since)
    return int(await session.scalar(query) or 0)


async def _previous(session: AsyncSession, id_number: str, registration_id: str,
                    registered: date) -> UnemploymentBenefit | None:
    """The person's latest earlier benefit that was paid (active or stopped)."""
    return (await session.exec(select(UnemploymentBenefit).where(
        UnemploymentBenefit.id_number == id_number, col(UnemploymentBenefit.status).in_(PAID_STATUSES),
        UnemploymentBenefit.unemployment_registration_id != registration_id,
        UnemploymentBenefit.registration_cancelled == False,  # noqa: E712 - a cancelled registration never held
        col(UnemploymentBenefit.registered_date) <= registered,
    ).order_by(col(UnemploymentBenefit.registered_date).desc(), col(UnemploymentBenefit.created_at).desc()))).first()


def _ineligible(registration: UnemploymentRegistered, rules: BenefitPolicy, months: int, retirement: date,
                previous: UnemploymentBenefit | None) -> tuple[Ineligibility, str] | None:
    day = registration.registered_date
    if previous is not None and status_on(previous, day) == BenefitStatus.active:
        return Ineligibility.benefit_active, (f"该人员正在领取失业保险金（核定 {previous.id}，至 {previous.end_date}） "
                                              "(a benefit is being paid)")
    reason = registration.separation_reason
    if reason is None:
        return Ineligibility.separation_reason_missing, ("失业登记未注明失业原因代码，无法认定是否非因本人意愿中断就业"
                                                         "（失业保险条例第十四条），请补充后重新登记 "
                                                         "(the registration carries no separation reason)")
    if reason not in rules.involuntary_reasons:
        return Ineligibility.voluntary_separation, (f"失业原因为{SEPARATION_REASON_NAMES[SeparationReason(reason)]}，"
                                                    "属本人意愿中断就业，不符合领取条件（失业保险条例第十四条） "
                                                    f"(separation {reason} is of the person's own will)")
    if day >= retirement:
        return Ineligibility.retirement_age, (f"已于 {retirement} 达到法定退休年龄，不领取失业保险金 "
                                              "(the statutory retirement age is reached)")
    if months < rules.min_contribution_months:
        return Ineligibility.insufficient_contributions, (
            f"失业保险累计缴费 {months} 个月，不满 {rules.min_contribution_months} 个月（失业保险条例第十四条） "
            f"(only {months} contribution months)")
    return None


async def decide(*, session: AsyncSession, outbox: Outbox,
                 registration: UnemploymentRegistered) -> UnemploymentBenefit | None:
    """失业保险金核定 of an unemployment registration; None when it was already decided."""
    await lock_key(session, person_lock(registration.id_number))
    if await session.scalar(select(UnemploymentBenefit.id).where(
            UnemploymentBenefit.unemployment_registration_id == registration.id)) is not None:
        return None
    try:
        rules = POLICY.at(registration.registered_date)
    except PolicyError as exc:
        raise PermanentEventError(f"失业登记日期 {registration.registered_date} 无适用的失业保险金政策 ({exc})"
                                  ) from exc
    benefit = UnemploymentBenefit(
        unemployment_registration_id=registration.id, id_number=registration.id_number, name=registration.name[:50],
        county_code=registration.county_code, registered_date=registration.registered_date,
        separation_reason=registration.separation_reason, policy_source=rules.source,
        illustrative=rules.illustrative, status=BenefitStatus.not_eligible)
    await _apply_rules(session=session, benefit=benefit, registration=registration, rules=rules)
    session.add(benefit)
    await session.flush()
    await _publish(session=session, outbox=outbox, benefit=benefit)
    return benefit


async def _apply_rules(*, session: AsyncSession, benefit: UnemploymentBenefit, registration: UnemploymentRegistered,
                       rules: BenefitPolicy) -> None:
    """Set the decision's eligibility, months and period from the contributions and the previous spell."""
    previous = await _previous(session, registration.id_number, registration.id, registration.registered_date)
    since: str | None = None
    carried = 0
    if previous is not None and previous.start_date is not None and previous.end_date is not None:
        resumed = previous.stopped_date or (previous.end_date + timedelta(days=1))
        since = month_of(resumed)
        carried = max(0, previous.months_entitled - previous.months_paid)
    months = await _contribution_months(session, registration.id_number, since, month_of(registration.registered_date))
    retirement = retirement_of(registration.id_number, rules)
    refusal = _ineligible(registration, rules, months, retirement, previous)
    benefit.contribution_months, benefit.retirement_date = months, retirement
    if refusal is not None:
        benefit.status, (benefit.reason, benefit.reason_text) = BenefitStatus.not_eligible, refusal
        benefit.carried_over_months = benefit.months_entitled = 0
        benefit.monthly_amount = benefit.start_date = benefit.end_date = None
        return
    n = duration(months, carried, rules)
    start = registration.registered_date
    benefit.status, benefit.reason, benefit.reason_text = BenefitStatus.active, None, None
    benefit.carried_over_months, benefit.months_entitled = carried, n
    benefit.monthly_amount, benefit.start_date = rules.monthly_amount, start
    benefit.end_date = min(add_months(start, n) - timedelta(days=1), retirement - timedelta(days=1))


async def _publish(*, session: AsyncSession, outbox: Outbox, benefit: UnemploymentBenefit,
                   correction_reason: str | None = None) -> None:
    await outbox.add(session, UNEMPLOYMENT_BENEFIT_DECIDED, UnemploymentBenefitDecided(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code,
        unemployment_registration_id=benefit.unemployment_registration_id,
        eligible=benefit.status != BenefitStatus.not_eligible, status=benefit.status, reason=benefit.reason,
        reason_text=benefit.reason_text, separation_reason=benefit.separation_reason,
        contribution_months=benefit.contribution_months, carried_over_months=benefit.carried_over_months,
        months_entitled=benefit.months_entitled, monthly_amount=benefit.monthly_amount, start_date=benefit.start_date,
        end_date=benefit.end_date, policy_source=benefit.policy_source, illustrative=benefit.illustrative,
        revision=benefit.revision, correction_reason=correction_reason))


async def redecide(*, session: AsyncSession, outbox: Outbox, id_number: str, reason: str) -> int:
    """After a correction or cancellation of the person's contributions: decisions that are still open (running,
    or refused for too few contributions) and have not paid anything are decided again; one event per decision that
    changes. The number changed."""
    rows = (await session.exec(select(UnemploymentBenefit).where(
        UnemploymentBenefit.id_number == id_number, UnemploymentBenefit.months_paid == 0,
        UnemploymentBenefit.registration_cancelled == False,  # noqa: E712
        (col(UnemploymentBenefit.status) == BenefitStatus.active)
        | (col(UnemploymentBenefit.reason) == Ineligibility.insufficient_contributions),
    ).order_by(col(UnemploymentBenefit.registered_date)))).all()
    changed = 0
    for benefit in rows:
        rules = POLICY.at(benefit.registered_date)
        registration = UnemploymentRegistered(
            id=benefit.unemployment_registration_id, id_number=benefit.id_number, name=benefit.name,
            county_code=benefit.county_code, registered_date=benefit.registered_date,
            separation_reason=benefit.separation_reason)
        before = (benefit.status, benefit.contribution_months, benefit.months_entitled, benefit.end_date)
        await _apply_rules(session=session, benefit=benefit, registration=registration, rules=rules)
        if (benefit.status, benefit.contribution_months, benefit.months_entitled, benefit.end_date) == before:
            continue
        benefit.revision += 1
        benefit.updated_at = clock.now()
        session.add(benefit)
        await session.flush()
        await _publish(session=session, outbox=outbox, benefit=benefit, correction_reason=reason)
        changed += 1
    return changed


async def _stop(*, session: AsyncSession, outbox: Outbox, benefit: UnemploymentBenefit, stopped: date,
                reason: StopReason, employment_registration_id: str | None = None) -> None:
    benefit.status, benefit.stopped_date, benefit.stop_reason = BenefitStatus.stopped, stopped, reason
    benefit.updated_at = clock.now()
    session.add(benefit)
    await session.flush()
    await outbox.add(session, UNEMPLOYMENT_BENEFIT_STOPPED, UnemploymentBenefitStopped(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code, stopped_date=stopped,
        stop_reason=reason, reason_text=STOP_NAMES[reason], months_paid=benefit.months_paid,
        months_remaining=max(0, benefit.months_entitled - benefit.months_paid),
        employment_registration_id=employment_registration_id))


async def stop_for_employment(
    *, session: AsyncSession, outbox: Outbox, registrations: Sequence[tuple[str | None, EmploymentRegistered]],
) -> int:
    """重新就业: each person's running benefit stops from the employment's start date (a run of registrations, in
    order; each with the correlation id its event carries); the number stopped. The running benefits of the run's
    persons are read in one query."""
    await lock_keys(session, (person_lock(registration.id_number) for _, registration in registrations))
    running: dict[str, list[UnemploymentBenefit]] = {}
    for benefit in (await session.exec(select(UnemploymentBenefit).where(
            col(UnemploymentBenefit.id_number).in_({registration.id_number for _, registration in registrations}),
            UnemploymentBenefit.status == BenefitStatus.active))).all():
        running.setdefault(benefit.id_number, []).append(benefit)
    stopped = 0
    for correlation, registration in registrations:
        for benefit in running.get(registration.id_number, []):
            assert benefit.start_date is not None and benefit.end_date is not None
            if benefit.status != BenefitStatus.active or registration.start_date > benefit.end_date:
                continue  # stopped by an earlier registration of the run, or ended before the new job started
            token = correlation_id.set(correlation)
            try:
                await _stop(session=session, outbox=outbox, benefit=benefit,
                            stopped=max(registration.start_date, benefit.start_date), reason=StopReason.reemployed,
                            employment_registration_id=registration.id)
            finally:
                correlation_id.reset(token)
            stopped += 1
    return stopped


# ---- following the unemployment registration (撤销 and 更正) ----------------------------------------------


async def _by_registration(session: AsyncSession, id_number: str, registration_id: str) -> UnemploymentBenefit | None:
    await lock_key(session, person_lock(id_number))
    return (await session.exec(select(UnemploymentBenefit).where(
        UnemploymentBenefit.unemployment_registration_id == registration_id))).first()


async def _recover(*, session: AsyncSession, outbox: Outbox, benefit: UnemploymentBenefit,
                   payments: list[BenefitPayment], cause: RecoveryCause, reason_text: str) -> None:
    """Flag ``payments`` for recovery (追回) and publish recovery_required once for them (nothing when empty)."""
    if not payments:
        return
    amount = sum((p.amount for p in payments), Decimal("0.00"))
    for payment in payments:
        payment.recovery_required = True
        session.add(payment)
        benefit.months_paid -= 0 if payment.after_stop else 1  # a recovered month was not drawn
    benefit.recovery_months += len(payments)
    benefit.recovery_amount = benefit.recovery_amount + amount
    await session.flush()
    await outbox.add(session, UNEMPLOYMENT_BENEFIT_RECOVERY_REQUIRED, UnemploymentBenefitRecoveryRequired(
        id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code,
        unemployment_registration_id=benefit.unemployment_registration_id, cause=cause,
        reason_text=reason_text[:500], months=[p.month for p in payments], amount=amount,
        decided_date=clock.today()))


async def _unrecovered(session: AsyncSession, benefit_id: str) -> list[BenefitPayment]:
    return [p for p in await payments_of(session=session, benefit_id=benefit_id) if not p.recovery_required]


async def follow_cancellation(*, session: AsyncSession, outbox: Outbox,
                              cancellation: UnemploymentCancelled) -> UnemploymentBenefit | None:
    """失业登记撤销: the benefit on it stops from its start, its paid months are to be recovered; once."""
    benefit = await _by_registration(session, cancellation.id_number, cancellation.id)
    if benefit is None or benefit.registration_cancelled:
        return None
    benefit.registration_cancelled, benefit.registration_cancel_reason = True, cancellation.reason[:200]
    benefit.updated_at = clock.now()
    if benefit.status == BenefitStatus.active:
        assert benefit.start_date is not None
        await _stop(session=session, outbox=outbox, benefit=benefit, stopped=benefit.start_date,
                    reason=StopReason.registration_cancelled)
    session.add(benefit)
    await _recover(session=session, outbox=outbox, benefit=benefit,
                   payments=await _unrecovered(session, benefit.id), cause=RecoveryCause.registration_cancelled,
                   reason_text=f"失业登记 {cancellation.id} 已撤销（{cancellation.reason}），该登记自始不成立，"
                               "已发放的失业保险金应追回 (the registration never held)")
    await session.flush()
    return benefit


async def follow_correction(*, session: AsyncSession, outbox: Outbox,
                            correction: UnemploymentCorrected) -> UnemploymentBenefit | None:
    """失业登记更正: a benefit that paid nothing is decided again; a paid one moves its start to the corrected date
    and the months paid before the new start month are to be recovered. None when nothing changes."""
    benefit = await _by_registration(session, correction.id_number, correction.id)
    if benefit is None or benefit.registration_cancelled:
        return None
    new_date = correction.registered_date
    if (benefit.registered_date, benefit.separation_reason, benefit.name, benefit.county_code) == (
            new_date, correction.separation_reason, correction.name[:50], correction.county_code):
        return None
    benefit.name, benefit.county_code = correction.name[:50], correction.county_code
    benefit.separation_reason = correction.separation_reason
    moved = benefit.registered_date != new_date
    benefit.registered_date = new_date
    reason = f"失业登记更正：{correction.correction_reason}"[:200]
    if benefit.amount_paid == 0 and benefit.status != BenefitStatus.stopped:
        rules = POLICY.at(new_date)
        benefit.policy_source, benefit.illustrative = rules.source, rules.illustrative
        await _apply_rules(session=session, benefit=benefit, rules=rules, registration=UnemploymentRegistered(
            id=benefit.unemployment_registration_id, id_number=benefit.id_number, name=benefit.name,
            county_code=benefit.county_code, registered_date=new_date, separation_reason=benefit.separation_reason))
    elif moved and benefit.start_date is not None:
        assert benefit.retirement_date is not None
        benefit.start_date = new_date
        benefit.end_date = min(add_months(new_date, benefit.months_entitled) - timedelta(days=1),
                               benefit.retirement_date - timedelta(days=1))
        if benefit.stopped_date is not None and benefit.stopped_date < new_date:
            benefit.stopped_date = new_date
        early = [p for p in await _unrecovered(session, benefit.id) if p.month < month_of(new_date)]
        await _recover(session=session, outbox=outbox, benefit=benefit, payments=early,
                       cause=RecoveryCause.registration_date_corrected,
                       reason_text=f"失业登记日期更正为 {new_date}（{correction.correction_reason}），"
                                   f"{month_of(new_date)} 之前月份的发放应追回 (months before the corrected start)")
    benefit.revision += 1
    benefit.updated_at = clock.now()
    session.add(benefit)
    await session.flush()
    await _publish(session=session, outbox=outbox, benefit=benefit, correction_reason=reason)
    return benefit


async def get_or_404(*, session: AsyncSession, benefit_id: str) -> UnemploymentBenefit:
    return await fetch_or_404(session, UnemploymentBenefit, benefit_id,
                              f"失业保险金核定 {benefit_id} 不存在 (benefit not found)")


async def _locked(session: AsyncSession, principal: Principal, benefit_id: str) -> UnemploymentBenefit:
    benefit = await get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    await lock_key(session, person_lock(benefit.id_number))
    await session.refresh(benefit)
    return benefit


async def stop(*, session: AsyncSession, outbox: Outbox, principal: Principal, benefit_id: str,
               data: Stop) -> UnemploymentBenefit:
    """停发 by hand (pension started and the other art. 15 reasons)."""
    if data.reason == StopReason.registration_cancelled:
        raise InvalidField("reason", "失业登记撤销由就业服务的撤销事件自动停发，不能手工选择 "
                                     "(registration_cancelled follows employment's cancellation event)")
    benefit = await _locked(session, principal, benefit_id)
    if benefit.status != BenefitStatus.active:
        raise Conflict(f"失业保险金核定 {benefit.id} 状态为 {benefit.status}，不能停发 (only an active benefit stops)",
                       field_name="status", current_status=benefit.status)
    assert benefit.start_date is not None
    if data.stopped_date < benefit.start_date or data.stopped_date > clock.today():
        raise InvalidField("stopped_date", f"停发日期应在领取起始日期 {benefit.start_date} 与今天之间 "
                                           "(stopped_date between the start date and today)")
    await _stop(session=session, outbox=outbox, benefit=benefit, stopped=data.stopped_date, reason=data.reason)
    return benefit


async def stop_at_retirement(*, session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Active benefits whose holder reached the statutory retirement age within the period stop from that day."""
    rows = (await session.exec(select(UnemploymentBenefit).where(
        UnemploymentBenefit.status == BenefitStatus.active, col(UnemploymentBenefit.retirement_date) <= today,
    ).order_by(col(UnemploymentBenefit.id)))).all()
    stopped = 0
    for benefit in rows:
        assert benefit.retirement_date is not None and benefit.end_date is not None
        if benefit.retirement_date > benefit.end_date + timedelta(days=1):
            continue  # the period ended before the retirement age
        await lock_key(session, person_lock(benefit.id_number))
        await session.refresh(benefit)
        if benefit.status == BenefitStatus.active:
            await _stop(session=session, outbox=outbox, benefit=benefit, stopped=benefit.retirement_date,
                        reason=StopReason.retirement_age)
            stopped += 1
    return stopped


def retirement_job(outbox: Callable[[], Outbox]) -> Job:
    """Daily at 00:20 Beijing time: benefits of holders reaching the statutory retirement age stop."""
    return daily_job(RETIREMENT_JOB, time(0, 20), outbox,
                     lambda session, box, today: stop_at_retirement(session=session, outbox=box, today=today),
                     lambda n: f"benefits stopped at retirement age {n}")


async def pay(*, session: AsyncSession, outbox: Outbox, principal: Principal, benefit_id: str,
              data: PaymentCreate) -> BenefitPayment:
    """失业保险金发放 of one month; a month on or after the stop date is recorded, flagged and published."""
    today = clock.today()
    paid_date = data.paid_date or today
    if paid_date > today:
        raise InvalidField("paid_date", f"发放日期 {paid_date} 晚于今天 {today} (paid_date in the future)")
    benefit = await _locked(session, principal, benefit_id)
    if benefit.registration_cancelled:
        raise Conflict(f"失业保险金核定 {benefit.id} 所依据的失业登记已撤销（{benefit.registration_cancel_reason}），"
                       "不能发放 (the unemployment registration was cancelled)",
                       field_name="status", registration_cancelled=True)
    if benefit.status == BenefitStatus.not_eligible:
        raise Conflict(f"失业保险金核定 {benefit.id} 不符合领取条件，不能发放 (the person is not eligible)",
                       field_name="status", current_status=benefit.status)
    assert benefit.start_date is not None and benefit.end_date is not None and benefit.monthly_amount is not None
    if data.month < month_of(benefit.start_date):
        raise InvalidField("month", f"发放月份早于领取起始月份 {month_of(benefit.start_date)} (before the start month)")
    existing = (await session.exec(select(BenefitPayment).where(
        BenefitPayment.benefit_id == benefit.id, BenefitPayment.month == data.month))).first()
    if existing is not None:
        raise Conflict(f"{data.month} 的失业保险金已发放（发放记录 {existing.id}） (already paid for the month)",
                       field_name="month", existing_id=existing.id)
    after_stop = benefit.stopped_date is not None and first_day(data.month) >= benefit.stopped_date
    if not after_stop:
        if first_day(data.month) > benefit.end_date:
            raise Conflict(f"{data.month} 在领取期限（至 {benefit.end_date}）之后 (after the benefit period)",
                           field_name="month", end_date=str(benefit.end_date))
        if benefit.months_paid >= benefit.months_entitled:
            raise Conflict(f"领取期限 {benefit.months_entitled} 个月已发放完毕 (every month entitled is paid)",
                           field_name="month", months_entitled=benefit.months_entitled)
    amount: Decimal = data.amount if data.amount is not None else benefit.monthly_amount
    payment = BenefitPayment(benefit_id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code,
                             month=data.month, amount=amount, paid_date=paid_date, after_stop=after_stop)
    session.add(payment)
    await flush_or_conflict(session, Conflict(f"{data.month} 的失业保险金已发放 (already paid)", field_name="month"))
    benefit.months_paid += 0 if after_stop else 1
    benefit.amount_paid = benefit.amount_paid + amount
    benefit.updated_at = clock.now()
    session.add(benefit)
    await session.flush()
    await outbox.add(session, BENEFIT_PAYMENT_POSTED, BenefitPaymentPosted(
        id=payment.id, benefit_id=benefit.id, id_number=benefit.id_number, county_code=benefit.county_code,
        month=data.month, amount=amount, paid_date=paid_date, after_stop=after_stop,
        stopped_date=benefit.stopped_date, stop_reason=benefit.stop_reason))
    return payment


async def payments_of(*, session: AsyncSession, benefit_id: str) -> list[BenefitPayment]:
    return list((await session.exec(select(BenefitPayment).where(BenefitPayment.benefit_id == benefit_id)
                                    .order_by(col(BenefitPayment.month)))).all())


async def list_benefits(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    status: BenefitStatus | None, registered: DateRange, sort: str,
) -> tuple[list[UnemploymentBenefit], int]:
    """Benefit decisions filtered by person, county, status (as of today) and registration date range."""
    query = select(UnemploymentBenefit).where(*equals(
        (UnemploymentBenefit.id_number, id_number), (UnemploymentBenefit.county_code, county_code),
    ), *registered.clauses(col(UnemploymentBenefit.registered_date)))
    today = clock.today()
    if status == BenefitStatus.active:
        query = query.where(UnemploymentBenefit.status == BenefitStatus.active,
                            col(UnemploymentBenefit.end_date) >= today)
    elif status == BenefitStatus.ended:
        query = query.where(UnemploymentBenefit.status == BenefitStatus.active,
                            col(UnemploymentBenefit.end_date) < today)
    elif status is not None:
        query = query.where(UnemploymentBenefit.status == status)
    columns = {key: col(getattr(UnemploymentBenefit, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(UnemploymentBenefit.id))), page)
