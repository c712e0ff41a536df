"""Rules of 缴费. "Today" is the bureau's (``hrss_shared.clock``).

- A contribution is one month (费款所属期, not after the current month) of one insurance type for a person, under
  the person's enrolment of that type with that employer (none for a 灵活就业人员 or 城乡居民养老) whose period
  covers the month; one posted contribution per person, type and month (409 naming it).
- The declared base is clamped to the floor and ceiling in force on the month's first day
  (policy/contribution_base.toml): below the floor → the floor, above the ceiling → the ceiling, the floor and
  ceiling themselves unchanged. Amounts not given are base × the policy's rates, rounded half up to the fen.
- The first contribution of a pending enrolment activates it (参保"一件事").
- An employer's month posts in bulk: each row in a savepoint of its own, accepted or rejected with its reasons.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CONTRIBUTION_CANCELLED,
    CONTRIBUTION_CORRECTED,
    CONTRIBUTION_POSTED,
    ContributionCancelled,
    ContributionCorrected,
    ContributionPosted,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyError, PolicyTable
from hrss_shared.problems import Conflict, Forbidden, InvalidField, ProblemError
from social_insurance.common import (
    POLICY_DIR,
    TYPE_NAMES,
    InsuranceType,
    first_day,
    month_at,
    month_index,
    month_of,
    months_from,
    round_fen,
)
from social_insurance.contributions.models import (
    BaseAdjustment,
    BasePolicy,
    BulkPosting,
    BulkReport,
    BulkRowResult,
    Contribution,
    ContributionCancellation,
    ContributionCorrection,
    ContributionCreate,
    ContributionKind,
    ContributionStatus,
    RowError,
)
from social_insurance.enrolments import service as enrolments
from social_insurance.enrolments.models import Enrolment, EnrolmentStatus

BASE_POLICY: PolicyTable[BasePolicy] = PolicyTable.load(POLICY_DIR / "contribution_base.toml", BasePolicy)
SORTS = ("month", "paid_date", "created_at")
ZERO = Decimal("0.00")


def clamp_base(declared: Decimal, rules: BasePolicy) -> tuple[Decimal, BaseAdjustment | None]:
    """核定缴费基数: the declared base kept inside [floor, ceiling], and which limit applied."""
    if declared < rules.floor:
        return rules.floor, BaseAdjustment.floor
    if declared > rules.ceiling:
        return rules.ceiling, BaseAdjustment.ceiling
    return declared, None


def computed_amounts(insurance_type: InsuranceType, flexible: bool, base: Decimal,
                     rules: BasePolicy) -> tuple[Decimal, Decimal]:
    """(employer, personal) amounts of a month from the clamped base and the policy's rates."""
    if insurance_type == InsuranceType.employee_pension:
        if flexible:
            return ZERO, round_fen(base * rules.flexible_pension_rate)
        return (round_fen(base * rules.employee_pension_employer_rate),
                round_fen(base * rules.employee_pension_personal_rate))
    if insurance_type == InsuranceType.unemployment:
        return round_fen(base * rules.unemployment_employer_rate), round_fen(base * rules.unemployment_personal_rate)
    return round_fen(base * rules.work_injury_default_rate), ZERO


def base_rules(month: str) -> BasePolicy:
    """The base policy in force on the month's first day, or 422 naming ``month``."""
    try:
        return BASE_POLICY.at(first_day(month))
    except PolicyError as exc:
        raise InvalidField("month", f"{month} 无适用的缴费基数政策 (no contribution base policy in force: {exc})"
                           ) from exc


async def covering_enrolment(*, session: AsyncSession, id_number: str, insurance_type: str,
                             credit_code: str | None, month: str) -> Enrolment:
    """The person's enrolment of the type with the employer whose period covers ``month``; else 409 naming month."""
    employer = (col(Enrolment.credit_code) == credit_code) if credit_code else col(Enrolment.credit_code).is_(None)
    rows = (await session.exec(select(Enrolment).where(
        Enrolment.id_number == id_number, Enrolment.insurance_type == insurance_type, employer,
    ).order_by(col(Enrolment.start_date).desc()))).all()
    for enrolment in rows:
        if enrolment.status == EnrolmentStatus.cancelled:
            continue
        if month_of(enrolment.start_date) <= month and (
                enrolment.end_date is None or month <= month_of(enrolment.end_date)):
            return enrolment
    who = f"单位 {credit_code} " if credit_code else "个人身份"
    raise Conflict(f"该人员在 {month} 没有以{who}参加{TYPE_NAMES[InsuranceType(insurance_type)]}的参保登记，不能缴费 "
                   f"(no {insurance_type} enrolment {'with ' + credit_code if credit_code else 'without an employer'} "
                   f"covers {month})", field_name="month")


def _amounts(data: ContributionCreate, enrolment: Enrolment) -> dict[str, Any]:
    """Base, its adjustment and the amounts of a contribution under the policy of its month."""
    kind = data.insurance_type
    no_employer = enrolment.credit_code is None
    if kind == InsuranceType.resident_pension:
        if data.declared_base is not None:
            raise InvalidField("declared_base", "城乡居民养老按缴费档次缴费，不填缴费工资 "
                                                "(resident pension has no base)")
        if data.personal_amount is None or data.personal_amount <= 0:
            raise InvalidField("personal_amount", "城乡居民养老须填写所选缴费档次的个人缴费金额 "
                                                  "(the grade paid is needed)")
        if data.employer_amount:
            raise InvalidField("employer_amount", "城乡居民养老无单位缴费 (resident pension has no employer part)")
        return {"declared_base": None, "base": None, "base_adjustment": None, "employer_amount": ZERO,
                "personal_amount": data.personal_amount, "policy_source": None, "illustrative": False}
    if data.declared_base is None:
        raise InvalidField("declared_base", "须填写申报缴费工资 (the declared base is needed)")
    rules = base_rules(data.month)
    base, adjustment = clamp_base(data.declared_base, rules)
    employer, personal = computed_amounts(kind, enrolment.flexible, base, rules)
    if data.employer_amount is not None:
        if no_employer and data.employer_amount:
            raise InvalidField("employer_amount", "个人缴费无单位缴费部分 (no employer part without an employer)")
        employer = data.employer_amount
    if data.personal_amount is not None:
        if kind == InsuranceType.work_injury and data.personal_amount:
            raise InvalidField("personal_amount", "工伤保险由用人单位缴纳，职工不缴纳（社会保险法第三十三条） "
                                                  "(the employee pays no work-injury contribution)")
        personal = data.personal_amount
    return {"declared_base": data.declared_base, "base": base, "base_adjustment": adjustment,
            "employer_amount": employer, "personal_amount": personal, "policy_source": rules.source,
            "illustrative": rules.illustrative}


def event_of(c: Contribution) -> ContributionPosted:
    """The contribution as its posted event's data."""
    return ContributionPosted(
        id=c.id, id_number=c.id_number, county_code=c.county_code, insurance_type=c.insurance_type,
        credit_code=c.credit_code, enrolment_id=c.enrolment_id, month=c.month, declared_base=c.declared_base,
        base=c.base, base_adjustment=c.base_adjustment, employer_amount=c.employer_amount,
        personal_amount=c.personal_amount, paid_date=c.paid_date, policy_source=c.policy_source,
        illustrative=c.illustrative, kind=c.kind)


async def post(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: ContributionCreate
) -> Contribution:
    """缴费记账 of one month; the first contribution of a pending enrolment activates it."""
    today = clock.today()
    if data.month > month_of(today):
        raise InvalidField("month", f"费款所属期 {data.month} 晚于本月 {month_of(today)} (month after the current one)")
    paid_date = data.paid_date or today
    if paid_date > today:
        raise InvalidField("paid_date", f"缴费记账日期 {paid_date} 晚于今天 {today} (paid_date in the future)")
    await lock_key(session, enrolments.person_lock(data.id_number))
    enrolment = await covering_enrolment(session=session, id_number=data.id_number,
                                         insurance_type=data.insurance_type, credit_code=data.credit_code,
                                         month=data.month)
    principal.check_county(enrolment.county_code)
    existing = await paid(session=session, id_number=data.id_number, insurance_type=data.insurance_type,
                          month=data.month)
    if existing is not None:
        raise Conflict(f"该人员 {data.month} 的{TYPE_NAMES[data.insurance_type]}已缴费（缴费记录 {existing.id}） "
                       f"(a contribution for {data.month} is already posted)", field_name="month",
                       existing_id=existing.id)
    contribution = Contribution(
        id_number=data.id_number, county_code=enrolment.county_code, insurance_type=data.insurance_type,
        credit_code=enrolment.credit_code, enrolment_id=enrolment.id, month=data.month, paid_date=paid_date,
        **_amounts(data, enrolment))
    session.add(contribution)
    await flush_or_conflict(session, Conflict(f"该人员 {data.month} 已缴费 (already posted)", field_name="month"))
    if enrolment.status == EnrolmentStatus.pending:
        await enrolments.activate(session=session, outbox=outbox, enrolment=enrolment,
                                  contribution_id=contribution.id, today=today)
    await outbox.add(session, CONTRIBUTION_POSTED, event_of(contribution))
    return contribution


async def paid(*, session: AsyncSession, id_number: str, insurance_type: str, month: str) -> Contribution | None:
    """The posted regular contribution of a person, type and month, if any."""
    return (await session.exec(select(Contribution).where(
        Contribution.id_number == id_number, Contribution.insurance_type == insurance_type,
        Contribution.month == month, Contribution.status == ContributionStatus.posted,
        Contribution.kind == ContributionKind.regular))).first()


def _row_errors(exc: ProblemError | ValidationError, county_field: str) -> list[RowError]:
    if isinstance(exc, ValidationError):
        return [RowError(field=".".join(str(p) for p in e["loc"]) or None,
                         reason=e["msg"].removeprefix("Value error, "))
                for e in exc.errors()]
    if isinstance(exc, Forbidden):
        return [RowError(field=county_field, reason=exc.detail)]
    return [RowError(field=e.field, reason=e.reason) for e in exc.errors] or [RowError(field=None, reason=exc.detail)]


def _echo(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    return value if isinstance(value, str) and len(value) <= 40 and "\x00" not in value else None


async def post_bulk(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: BulkPosting) -> BulkReport:
    """An employer's month in one request: each row posted in a savepoint of its own or rejected with its reasons."""
    results: list[BulkRowResult] = []
    for number, row in enumerate(data.rows, start=1):
        id_number = _echo(row, "id_number")
        kind = _echo(row, "insurance_type")
        try:
            item = ContributionCreate.model_validate({
                **{k: v for k, v in row.items() if k not in ("credit_code", "month", "paid_date")},
                "credit_code": data.credit_code, "month": data.month, "paid_date": data.paid_date})
            async with session.begin_nested():
                contribution = await post(session=session, outbox=outbox, principal=principal, data=item)
        except (ProblemError, ValidationError) as exc:
            results.append(BulkRowResult(row=number, id_number=id_number if _is_id(id_number) else None,
                                         insurance_type=kind, status="rejected", contribution_id=None,
                                         errors=_row_errors(exc, "id_number")))
            continue
        results.append(BulkRowResult(row=number, id_number=contribution.id_number,
                                     insurance_type=contribution.insurance_type, status="accepted",
                                     contribution_id=contribution.id, errors=[]))
    accepted = sum(1 for r in results if r.status == "accepted")
    return BulkReport(credit_code=data.credit_code, month=data.month, accepted=accepted,
                      rejected=len(results) - accepted, rows=results)


def _is_id(value: str | None) -> bool:
    return value is not None and len(value) == 18 and value[:17].isdigit()


async def get_or_404(*, session: AsyncSession, contribution_id: str) -> Contribution:
    return await fetch_or_404(session, Contribution, contribution_id,
                              f"缴费记录 {contribution_id} 不存在 (contribution not found)")


async def list_contributions(
    *, session: AsyncSession, page: PageParams, id_number: str | None, credit_code: str | None,
    county_code: str | None, insurance_type: InsuranceType | None, month_from: str | None, month_to: str | None,
    status: ContributionStatus | None, paid: DateRange, sort: str,
) -> tuple[list[Contribution], int]:
    """Contributions filtered by person, employer, county, type, month range, status and paid date range."""
    query = select(Contribution).where(*equals(
        (Contribution.id_number, id_number), (Contribution.credit_code, credit_code),
        (Contribution.county_code, county_code), (Contribution.insurance_type, insurance_type),
        (Contribution.status, status),
    ), *paid.clauses(col(Contribution.paid_date)))
    if month_from:
        query = query.where(col(Contribution.month) >= month_from)
    if month_to:
        query = query.where(col(Contribution.month) <= month_to)
    columns = {key: col(getattr(Contribution, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Contribution.id))), page)


async def posted_months(*, session: AsyncSession, id_numbers: list[str] | None = None,
                        credit_code: str | None = None) -> dict[tuple[str, str], set[str]]:
    """Posted months by (person, type), for the given persons or an employer's contributions (any payer)."""
    query = select(Contribution.id_number, Contribution.insurance_type, Contribution.month).where(
        Contribution.status == ContributionStatus.posted)
    if id_numbers is not None:
        query = query.where(col(Contribution.id_number).in_(id_numbers))
    found: dict[tuple[str, str], set[str]] = {}
    for id_number, kind, month in (await session.exec(query)).all():
        found.setdefault((id_number, kind), set()).add(month)
    return found


def owed_months(enrolment: Enrolment, paid_months: set[str], last_due: str) -> list[str]:
    """The months of an enrolment's period up to ``last_due`` with no posted contribution (a pending one owes none;
    the months from a suspension to the resumption are not owed)."""
    if enrolment.status in (EnrolmentStatus.pending, EnrolmentStatus.cancelled):
        return []
    last = last_due
    if enrolment.end_date is not None:
        last = min(last, month_of(enrolment.end_date))
    if enrolment.status == EnrolmentStatus.suspended and enrolment.suspended_date is not None:
        last = min(last, _before(month_of(enrolment.suspended_date)))
    skipped: set[str] = set()
    if enrolment.suspended_date is not None and enrolment.resumed_date is not None:
        skipped = set(months_from(month_of(enrolment.suspended_date), _before(month_of(enrolment.resumed_date))))
    return [m for m in months_from(month_of(enrolment.start_date), last) if m not in paid_months and m not in skipped]


def _before(month: str) -> str:
    return month_at(month_index(month) - 1)


def last_due_month(today: date) -> str:
    """The latest month that has ended (its contributions are due): the month before today's."""
    return _before(month_of(today))


async def _posted_or_409(session: AsyncSession, principal: Principal, contribution_id: str,
                         action: str) -> Contribution:
    contribution = await get_or_404(session=session, contribution_id=contribution_id)
    principal.check_county(contribution.county_code)
    await lock_key(session, enrolments.person_lock(contribution.id_number))
    await session.refresh(contribution)
    if contribution.status != ContributionStatus.posted:
        raise Conflict(f"缴费记录 {contribution.id} 已于 {contribution.cancelled_date} 撤销，不能{action} "
                       "(the contribution was cancelled)", field_name="status", current_status=contribution.status)
    return contribution


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


async def correct(*, session: AsyncSession, outbox: Outbox, principal: Principal, contribution_id: str,
                  data: ContributionCorrection) -> Contribution:
    """更正 a contribution: month, base, amounts or paid date; the base and amounts follow the month's policy."""
    contribution = await _posted_or_409(session, principal, contribution_id, "更正")
    given = data.model_dump(exclude={"reason"}, exclude_unset=True, exclude_none=True)
    current = {"month": contribution.month, "declared_base": contribution.declared_base,
               "employer_amount": contribution.employer_amount, "personal_amount": contribution.personal_amount,
               "paid_date": contribution.paid_date}
    changed = [k for k, v in given.items() if v != current[k]]
    if not changed:
        raise InvalidField("reason", "没有需要更正的字段 (no field differs from the recorded contribution)")
    today = clock.today()
    month = given.get("month", contribution.month)
    if month > month_of(today):
        raise InvalidField("month", f"费款所属期 {month} 晚于本月 (month after the current one)")
    if given.get("paid_date") and given["paid_date"] > today:
        raise InvalidField("paid_date", f"缴费记账日期晚于今天 {today} (paid_date in the future)")
    enrolment = await covering_enrolment(session=session, id_number=contribution.id_number,
                                         insurance_type=contribution.insurance_type,
                                         credit_code=contribution.credit_code, month=month)
    if month != contribution.month:
        other = await paid(session=session, id_number=contribution.id_number,
                           insurance_type=contribution.insurance_type, month=month)
        if other is not None:
            raise Conflict(f"该人员 {month} 已缴费（缴费记录 {other.id}） (a contribution for the month exists)",
                           field_name="month", existing_id=other.id)
    # Amounts not given again follow the (new) base; amounts given are kept as given.
    request = ContributionCreate(
        id_number=contribution.id_number, insurance_type=InsuranceType(contribution.insurance_type), month=month,
        credit_code=contribution.credit_code, declared_base=given.get("declared_base", contribution.declared_base),
        employer_amount=given.get("employer_amount"),
        personal_amount=given.get("personal_amount", contribution.personal_amount
                                  if contribution.insurance_type == InsuranceType.resident_pension else None),
        paid_date=given.get("paid_date", contribution.paid_date))
    values = _amounts(request, enrolment)
    before = {"month": contribution.month, "base": _money(contribution.base),
              "employer_amount": _money(contribution.employer_amount),
              "personal_amount": _money(contribution.personal_amount), "paid_date": str(contribution.paid_date)}
    for key, value in values.items():
        setattr(contribution, key, value)
    contribution.month, contribution.enrolment_id = month, enrolment.id
    contribution.paid_date = request.paid_date or contribution.paid_date
    contribution.correction_reason, contribution.updated_at = data.reason, clock.now()
    session.add(contribution)
    await flush_or_conflict(session, Conflict(f"该人员 {month} 已缴费 (already posted)", field_name="month"))
    await outbox.add(session, CONTRIBUTION_CORRECTED, ContributionCorrected(
        **event_of(contribution).model_dump(), reason=data.reason, changed=changed, previous=before))
    return contribution


async def cancel(*, session: AsyncSession, outbox: Outbox, principal: Principal, contribution_id: str,
                 data: ContributionCancellation) -> Contribution:
    """撤销 a contribution recorded wrongly: its month counts as unpaid again."""
    contribution = await _posted_or_409(session, principal, contribution_id, "撤销")
    today = clock.today()
    contribution.status, contribution.cancelled_date = ContributionStatus.cancelled, today
    contribution.correction_reason, contribution.updated_at = data.reason, clock.now()
    session.add(contribution)
    await session.flush()
    await outbox.add(session, CONTRIBUTION_CANCELLED, ContributionCancelled(
        id=contribution.id, id_number=contribution.id_number, county_code=contribution.county_code,
        insurance_type=contribution.insurance_type, credit_code=contribution.credit_code,
        enrolment_id=contribution.enrolment_id, month=contribution.month, cancelled_date=today, reason=data.reason))
    return contribution
