"""Rules of 重点人群乡村创业一次性补贴.

- Only members of an eligible key group (policy/startup_subsidies.toml in force on the application date) on the day
  before the business was registered (创办日期的前一日): key-group status is judged before the person became an
  owner, so a certification ending with the business's start (e.g. 就业困难人员, ended by re-employment) still counts.
- Once per person, ever; a second claim is refused, and the refusal is recorded and published for 政策监管.
- For a business registered (and active) in a Quzhou county, started on or before the application date.
- The amount is the policy's, in force on the application date; granted on application when eligible.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers import service as employers
from employment.employers.models import EmployerStatus
from employment.job_seekers import service as job_seekers
from employment.key_groups import service as key_groups
from employment.key_groups.models import KEY_GROUP_NAMES
from employment.startup.common import POLICY_DIR
from employment.startup.subsidies.models import StartupSubsidy, StartupSubsidyRefusal, SubsidyApply, SubsidyPolicy
from hrss_contracts.employment import (
    STARTUP_SUBSIDY_GRANTED,
    STARTUP_SUBSIDY_REFUSED,
    StartupSubsidyGranted,
    StartupSubsidyRefused,
)
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField, recorded
from hrss_shared.validators import QUZHOU_COUNTIES

POLICY = PolicyTable.load(POLICY_DIR / "startup_subsidies.toml", SubsidyPolicy)
SORTS = ("applied_date", "amount")


def policy_on(day: date) -> SubsidyPolicy:
    """The subsidy standard in force on ``day`` (422 naming applied_date when none is)."""
    return POLICY.in_force(day, field="applied_date", label="乡村创业一次性补贴")


async def earlier_grant(*, session: AsyncSession, id_number: str) -> StartupSubsidy | None:
    return (await session.exec(select(StartupSubsidy).where(StartupSubsidy.id_number == id_number))).first()


async def apply(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: SubsidyApply
) -> StartupSubsidy:
    """申请即核发: granted at once when the applicant is eligible."""
    if data.business_start_date > data.applied_date:
        raise InvalidField("business_start_date",
                           f"创办日期晚于申请日期 {data.applied_date} (after the application date)")
    rules = policy_on(data.applied_date)
    business = await employers.get_by_credit_code(session=session, credit_code=data.credit_code)
    if business is None or business.status != EmployerStatus.active or business.county_code not in QUZHOU_COUNTIES:
        raise InvalidField("credit_code", "经营主体未在衢州市各县（市、区）登记或已注销 "
                                          "(business not registered in a Quzhou county, or inactive)")
    principal.check_county(business.county_code)
    seeker = await job_seekers.get_by_id_number(session=session, id_number=data.id_number)
    if seeker is None:
        raise InvalidField("id_number", "该人员未办理求职登记，无重点群体认定 (not a registered job seeker)")
    await lock_key(session, data.id_number)
    earlier = await earlier_grant(session=session, id_number=data.id_number)
    if earlier is not None:
        await _record_refusal(session=session, outbox=outbox, principal=principal, data=data, earlier=earlier,
                              county_code=business.county_code)
        raise recorded(Conflict(
            f"该人员已于 {earlier.applied_date} 享受乡村创业一次性补贴 {earlier.id}（{earlier.amount} 元），"
            "每人限享受一次 (granted once already)",
            field_name="id_number", existing_id=earlier.id, applied_date=earlier.applied_date.isoformat()))
    judged_on = data.business_start_date - timedelta(days=1)
    groups = await key_groups.groups_on(session=session, id_number=data.id_number, on=judged_on)
    eligible = [g for g in rules.eligible_groups if g in groups]
    if not eligible:
        names = "、".join(KEY_GROUP_NAMES[g] for g in rules.eligible_groups)
        raise InvalidField("id_number", f"该人员在经营主体创办前一日 {judged_on} 不属于重点群体（{names}）"
                                        "(not a member of an eligible key group on the day before the business "
                                        "was registered)")
    grant = StartupSubsidy(
        **data.model_dump(), name=seeker.name, business_name=business.name, county_code=business.county_code,
        groups=[str(g) for g in eligible], amount=rules.amount, policy_source=rules.source,
        illustrative=rules.illustrative,
    )
    session.add(grant)
    await flush_or_conflict(
        session, Conflict("该人员已享受乡村创业一次性补贴 (granted once already)", field_name="id_number")
    )
    await outbox.add(
        session, STARTUP_SUBSIDY_GRANTED, StartupSubsidyGranted.model_validate(grant, from_attributes=True)
    )
    return grant


async def _record_refusal(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: SubsidyApply, earlier: StartupSubsidy,
    county_code: str,
) -> None:
    """重复申领: keep the refused claim and publish it, so 政策监管 sees every attempt."""
    refusal = StartupSubsidyRefusal(
        id_number=data.id_number, credit_code=data.credit_code, county_code=county_code,
        applied_date=data.applied_date, reason="duplicate_claim 重复申领", earlier_grant_id=earlier.id,
        submitted_by=principal.client_id,
    )
    session.add(refusal)
    await session.flush()
    await outbox.add(session, STARTUP_SUBSIDY_REFUSED, StartupSubsidyRefused(
        id=refusal.id, id_number=refusal.id_number, credit_code=refusal.credit_code, county_code=county_code,
        applied_date=refusal.applied_date, reason=refusal.reason, earlier_grant_id=earlier.id,
    ))


async def get_or_404(*, session: AsyncSession, subsidy_id: str) -> StartupSubsidy:
    return await fetch_or_404(
        session, StartupSubsidy, subsidy_id, f"乡村创业一次性补贴 {subsidy_id} 不存在 (start-up subsidy not found)"
    )


async def list_grants(
    *, session: AsyncSession, page: PageParams, county_code: str | None, id_number: str | None,
    credit_code: str | None, dates: DateRange, sort: str,
) -> tuple[list[StartupSubsidy], int]:
    """Grants filtered by county, person, business and application date range."""
    query = select(StartupSubsidy).where(*dates.clauses(col(StartupSubsidy.applied_date)))
    for column, value in ((StartupSubsidy.county_code, county_code), (StartupSubsidy.id_number, id_number),
                          (StartupSubsidy.credit_code, credit_code)):
        if value is not None:
            query = query.where(column == value)
    columns = {key: col(getattr(StartupSubsidy, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(StartupSubsidy.id))), page)
