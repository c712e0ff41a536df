"""Rules of 劳动纠纷: filed (受理) open, concluded once with an outcome (裁决 only through arbitration), or cancelled
as recorded wrongly; each change one event. 基层调解率 counts disputes filed in a period."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.labour_relations import (
    DISPUTE_CANCELLED,
    DISPUTE_CONCLUDED,
    DISPUTE_CORRECTED,
    DISPUTE_FILED,
    DisputeChanged,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import fetch_or_404, lock_key
from hrss_shared.events import Contract
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, InvalidField
from labour_relations.common import Rate, not_before, not_future, rate
from labour_relations.disputes.models import (
    Channel,
    Dispute,
    DisputeCancel,
    DisputeConclude,
    DisputeCorrection,
    DisputeCreate,
    DisputeStatus,
    DisputeType,
    Outcome,
)

SORTS = ("filed_date", "concluded_date", "created_at")


async def _publish(session: AsyncSession, outbox: Outbox, contract: Contract[DisputeChanged], row: Dispute,
                   reason: str | None = None, changed: list[str] | None = None) -> None:
    await outbox.add(session, contract, DisputeChanged(
        id=row.id, credit_code=row.credit_code, employer_name=row.employer_name, county_code=row.county_code,
        applicant_id_numbers=[a["id_number"] for a in row.applicants], type=row.type, channel=row.channel,
        status=row.status, outcome=row.outcome, filed_date=row.filed_date, concluded_date=row.concluded_date,
        reason=reason or row.cancel_reason, changed=changed or []))


async def file(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: DisputeCreate) -> Dispute:
    """受理劳动纠纷."""
    principal.check_county(data.county_code)
    not_future("filed_date", data.filed_date)
    row = Dispute(**data.model_dump(mode="json", exclude={"filed_date"}), filed_date=data.filed_date)
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISPUTE_FILED, row)
    return row


async def get_or_404(*, session: AsyncSession, dispute_id: str) -> Dispute:
    return await fetch_or_404(session, Dispute, dispute_id, f"劳动纠纷 {dispute_id} 不存在 (dispute not found)")


async def _open(session: AsyncSession, principal: Principal, dispute_id: str, action: str) -> Dispute:
    await lock_key(session, f"labour-dispute:{dispute_id}")
    row = await get_or_404(session=session, dispute_id=dispute_id)
    principal.check_county(row.county_code)
    if row.status != DisputeStatus.open:
        raise Conflict(f"纠纷当前状态为 {row.status}，不能{action} (the dispute is {row.status}, not open)",
                       field_name="status", current_status=row.status)
    return row


async def conclude(*, session: AsyncSession, outbox: Outbox, principal: Principal, dispute_id: str,
                   data: DisputeConclude) -> Dispute:
    """办结, with the outcome."""
    row = await _open(session, principal, dispute_id, "办结")
    if data.outcome == Outcome.awarded and row.channel != Channel.arbitration:
        raise InvalidField("outcome", "仅仲裁渠道的纠纷可以仲裁裁决办结 (only an arbitration dispute ends in an award)")
    done = not_future("concluded_date", data.concluded_date or clock.today())
    not_before("concluded_date", done, row.filed_date, "受理日期")
    row.status, row.outcome, row.concluded_date = DisputeStatus.concluded, data.outcome, done
    row.updated_at = clock.now()
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISPUTE_CONCLUDED, row)
    return row


async def correct(*, session: AsyncSession, outbox: Outbox, principal: Principal, dispute_id: str,
                  data: DisputeCorrection) -> Dispute:
    """更正 the employer name, type or channel of a dispute (not cancelled), with the reason."""
    await lock_key(session, f"labour-dispute:{dispute_id}")
    row = await get_or_404(session=session, dispute_id=dispute_id)
    principal.check_county(row.county_code)
    if row.status == DisputeStatus.cancelled:
        raise Conflict(f"纠纷已于 {row.cancelled_date} 撤销，不能更正 (the dispute was cancelled)", field_name="status",
                       current_status=row.status)
    values = {k: getattr(data, k) for k in data.model_fields_set - {"reason"} if getattr(data, k) is not None}
    if values.get("channel", row.channel) != Channel.arbitration and row.outcome == Outcome.awarded:
        raise InvalidField("channe"
                           "l", "已仲裁裁决办结的纠纷渠道只能是仲裁 (an awarded dispute went through arbitration)")
    changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
    if not changed:
        raise InvalidField("reason", "更正内容与现有记录相同 (nothing differs from the record)")
    for key in changed:
        setattr(row, key, str(values[key]))
    row.updated_at = clock.now()
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISPUTE_CORRECTED, row, reason=data.reason, changed=changed)
    return row


async def cancel(*, session: AsyncSession, outbox: Outbox, principal: Principal, dispute_id: str,
                 data: DisputeCancel) -> Dispute:
    """撤销 a dispute recorded wrongly (open or concluded)."""
    await lock_key(session, f"labour-dispute:{dispute_id}")
    row = await get_or_404(session=session, dispute_id=dispute_id)
    principal.check_county(row.county_code)
    if row.status == DisputeStatus.cancelled:
        raise Conflict(f"纠纷已于 {row.cancelled_date} 撤销 (already cancelled)", field_name="status",
                       current_status=row.status)
    row.status, row.cancelled_date, row.cancel_reason = DisputeStatus.cancelled, clock.today(), data.reason
    row.updated_at = clock.now()
    session.add(row)
    await session.flush()
    await _publish(session, outbox, DISPUTE_CANCELLED, row)
    return row


async def list_disputes(*, session: AsyncSession, page: PageParams, credit_code: str | None, county_code: str | None,
                        status: DisputeStatus | None, type: DisputeType | None, channel: Channel | None,
                        filed: DateRange, sort: str) -> tuple[list[Dispute], int]:
    query = select(Dispute).where(*equals(
        (Dispute.credit_code, credit_code), (Dispute.county_code, county_code), (Dispute.status, status),
        (Dispute.type, type), (Dispute.channel, channel)), *filed.clauses(col(Dispute.filed_date)))
    columns = {key: col(getattr(Dispute, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Dispute.id))), page)


async def mediation_rates(*, session: AsyncSession, county_code: str | None, period: DateRange) -> list[Rate]:
    """基层调解率 by county and in total: disputes filed in the period through grassroots mediation / all filed
    (cancelled ones not counted)."""
    rows = (await session.execute(select(Dispute.county_code, Dispute.channel).where(
        Dispute.status != DisputeStatus.cancelled, *period.clauses(col(Dispute.filed_date)),
        *equals((Dispute.county_code, county_code))))).all()
    counts: dict[str, list[int]] = {}
    for county, channel in rows:
        row = counts.setdefault(county, [0, 0])
        row[0] += channel == Channel.grassroots_mediation
        row[1] += 1
    result = [Rate(county_code=c, numerator=n, denominator=d, rate=rate(n, d)) for c, (n, d) in sorted(counts.items())]
    n, d = sum(r.numerator for r in result), sum(r.denominator for r in result)
    return [*result, Rate(county_code=None, numerator=n, denominator=d, rate=rate(n, d))]
