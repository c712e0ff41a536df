"""Rules of 职称: a certificate number is recorded once; the date is not after today; correction and
cancellation (撤销) with a reason, each an event. A cancelled title no longer counts toward recognition."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.training import (
    PROFESSIONAL_TITLE_CANCELLED,
    PROFESSIONAL_TITLE_CORRECTED,
    PROFESSIONAL_TITLE_GRANTED,
    ProfessionalTitleCancelled,
    ProfessionalTitleCorrected,
    ProfessionalTitleGranted,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.corrections import apply_changes
from hrss_shared.db import fetch_or_404, flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict
from training.titles.models import (
    ProfessionalTitle,
    TitleCancellation,
    TitleCorrection,
    TitleCreate,
    TitleLevel,
    TitleSeries,
    TitleStatus,
)

SORTS = ("issued_date", "created_at")


def _granted(title: ProfessionalTitle) -> ProfessionalTitleGranted:
    return ProfessionalTitleGranted(
        id=title.id, id_number=title.id_number, county_code=title.county_code, series=title.series, level=title.level,
        name=title.name, specialty=title.specialty, certificate_number=title.certificate_number,
        issuing_body=title.issuing_body, issued_date=title.issued_date)


async def grant(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: TitleCreate) -> ProfessionalTitle:
    principal.check_county(data.county_code)
    await lock_key(session, f"training-title-number:{data.certificate_number}")
    existing = (await session.exec(select(ProfessionalTitle).where(
        ProfessionalTitle.certificate_number == data.certificate_number))).first()
    if existing is not None:
        raise Conflict(f"职称证书编号 {data.certificate_number} 已登记（职称记录 {existing.id}）(certificate number "
                       "already recorded)", field_name="certificate_number", existing_id=existing.id)
    title = ProfessionalTitle(**data.model_dump())
    session.add(title)
    await flush_or_conflict(session, Conflict("职称证书编号已登记 (certificate number already recorded)",
                                              field_name="certificate_number"))
    await outbox.add(session, PROFESSIONAL_TITLE_GRANTED, _granted(title))
    return title


async def get_or_404(*, session: AsyncSession, title_id: str) -> ProfessionalTitle:
    return await fetch_or_404(session, ProfessionalTitle, title_id, f"职称记录 {title_id} 不存在 (title not found)")


async def _valid(*, session: AsyncSession, principal: Principal, title_id: str, action: str) -> ProfessionalTitle:
    await lock_key(session, f"training-title:{title_id}")
    title = await get_or_404(session=session, title_id=title_id)
    principal.check_county(title.county_code)
    if title.status == TitleStatus.cancelled:
        raise Conflict(f"职称记录 {title.id} 已于 {title.cancelled_date} 撤销，不能{action} (the title was cancelled)",
                       field_name="status", current_status=title.status)
    return title


async def correct(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, title_id: str, data: TitleCorrection
) -> ProfessionalTitle:
    title = await _valid(session=session, principal=principal, title_id=title_id, action="更正")
    sent = data.sent()
    if "county_code" in sent:
        principal.check_county(sent["county_code"])
    changed = apply_changes(title, sent)
    title.updated_at = clock.now()
    session.add(title)
    await session.flush()
    await outbox.add(session, PROFESSIONAL_TITLE_CORRECTED, ProfessionalTitleCorrected(
        **_granted(title).model_dump(), changed=changed, reason=data.reason))
    return title


async def cancel(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, title_id: str, data: TitleCancellation
) -> ProfessionalTitle:
    title = await _valid(session=session, principal=principal, title_id=title_id, action="撤销")
    today = clock.today()
    title.status, title.cancelled_date, title.cancel_reason = TitleStatus.cancelled, today, data.reason
    title.updated_at = clock.now()
    session.add(title)
    await session.flush()
    await outbox.add(session, PROFESSIONAL_TITLE_CANCELLED, ProfessionalTitleCancelled(
        id=title.id, id_number=title.id_number, county_code=title.county_code, series=title.series, level=title.level,
        cancelled_date=today, reason=data.reason))
    return title


async def valid_titles(*, session: AsyncSession, id_number: str) -> list[ProfessionalTitle]:
    return list((await session.exec(select(ProfessionalTitle).where(
        ProfessionalTitle.id_number == id_number, ProfessionalTitle.status == TitleStatus.valid))).all())


async def list_titles(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    series: TitleSeries | None, level: TitleLevel | None, status: TitleStatus | None, issued: DateRange, sort: str,
) -> tuple[list[ProfessionalTitle], int]:
    query = select(ProfessionalTitle).where(*equals(
        (ProfessionalTitle.id_number, id_number), (ProfessionalTitle.county_code, county_code),
        (ProfessionalTitle.series, series), (ProfessionalTitle.level, level), (ProfessionalTitle.status, status),
    ), *issued.clauses(col(ProfessionalTitle.issued_date)))
    columns = {key: col(getattr(ProfessionalTitle, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(ProfessionalTitle.id))), page)
