"""/v1/employment-registrations and /v1/unemployment-registrations"""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.registrations import service
from employment.registrations.models import (
    Closure,
    EmploymentRegistrationCreate,
    EmploymentRegistrationPublic,
    EmploymentStatus,
    Termination,
    UnemploymentCorrection,
    UnemploymentRegistrationCreate,
    UnemploymentRegistrationPublic,
    UnemploymentStatus,
)
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.corrections import Cancellation
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode, IdNumber

employment_router = APIRouter(prefix="/v1/employment-registrations", tags=["employment registrations 就业登记"])
unemployment_router = APIRouter(prefix="/v1/unemployment-registrations", tags=["unemployment registrations 失业登记"])


@employment_router.post("", status_code=201, summary="就业登记")
async def register_employment(
    body: EmploymentRegistrationCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EmploymentRegistrationPublic:
    row = await service.register_employment(session=session, outbox=outbox, principal=principal, data=body)
    return EmploymentRegistrationPublic.model_validate(row)


@employment_router.post("/{registration_id}/terminate", summary="终止就业登记 Terminate")
async def terminate_employment(
    registration_id: str, body: Termination, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EmploymentRegistrationPublic:
    row = await service.terminate_employment(
        session=session, outbox=outbox, principal=principal, registration_id=registration_id, data=body
    )
    return EmploymentRegistrationPublic.model_validate(row)


@employment_router.get("", summary="就业登记列表")
async def list_employment_registrations(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query()] = None,
    credit_code: Annotated[CreditCode | None, Query()] = None,
    county_code: Annotated[CountyCode | None, Query()] = None,
    status: Annotated[EmploymentStatus | None, Query()] = None,
    started: DateRange = date_range_param("start_date 用工起始日期"),
    sort: str = sort_param("start_date", "created_at", default="-start_date"),
) -> Page[EmploymentRegistrationPublic]:
    rows, count = await service.list_employments(
        session=session, page=page, id_number=id_number, credit_code=credit_code,
        county_code=county_filter(principal, county_code), status=status, started=started, sort=sort,
    )
    return page_of(EmploymentRegistrationPublic, rows, count, page)


@employment_router.get("/{registration_id}", summary="查询就业登记")
async def get_employment_registration(
    registration_id: str, session: SessionDep, principal: Reader
) -> EmploymentRegistrationPublic:
    row = await service.get_employment_or_404(session=session, registration_id=registration_id)
    principal.check_county(row.county_code)
    return EmploymentRegistrationPublic.model_validate(row)


@unemployment_router.post("", status_code=201, summary="失业登记")
async def register_unemployment(
    body: UnemploymentRegistrationCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> UnemploymentRegistrationPublic:
    row = await service.register_unemployment(session=session, outbox=outbox, principal=principal, data=body)
    return UnemploymentRegistrationPublic.model_validate(row)


@unemployment_router.post("/{registration_id}/close", summary="失业登记注销 Close")
async def close_unemployment(
    registration_id: str, body: Closure, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> UnemploymentRegistrationPublic:
    row = await service.close_unemployment(
        session=session, outbox=outbox, principal=principal, registration_id=registration_id, data=body
    )
    return UnemploymentRegistrationPublic.model_validate(row)


@unemployment_router.post("/{registration_id}/correct", summary="失业登记更正 Correct")
async def correct_unemployment(
    registration_id: str, body: UnemploymentCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> UnemploymentRegistrationPublic:
    """更正 the fields recorded wrongly, with a reason (unemployment.corrected names the fields changed)."""
    row = await service.correct_unemployment(
        session=session, outbox=outbox, principal=principal, registration_id=registration_id, data=body
    )
    return UnemploymentRegistrationPublic.model_validate(row)


@unemployment_router.post("/{registration_id}/cancel", summary="失业登记撤销 Cancel")
async def cancel_unemployment(
    registration_id: str, body: Cancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> UnemploymentRegistrationPublic:
    """撤销 a registration recorded wrongly: it never held; 就业困难人员认定 resting on it end (key_group.ended)."""
    row = await service.cancel_unemployment(
        session=session, outbox=outbox, principal=principal, registration_id=registration_id, data=body
    )
    return UnemploymentRegistrationPublic.model_validate(row)


@unemployment_router.get("", summary="失业登记列表")
async def list_unemployment_registrations(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query()] = None,
    county_code: Annotated[CountyCode | None, Query()] = None,
    status: Annotated[UnemploymentStatus | None, Query()] = None,
    registered: DateRange = date_range_param("registered_date 失业登记日期"),
    sort: str = sort_param("registered_date", "created_at", default="-registered_date"),
) -> Page[UnemploymentRegistrationPublic]:
    rows, count = await service.list_unemployments(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        status=status, registered=registered, sort=sort,
    )
    return page_of(UnemploymentRegistrationPublic, rows, count, page)


@unemployment_router.get("/{registration_id}", summary="查询失业登记")
async def get_unemployment_registration(
    registration_id: str, session: SessionDep, principal: Reader
) -> UnemploymentRegistrationPublic:
    row = await service.get_unemployment_or_404(session=session, registration_id=registration_id)
    principal.check_county(row.county_code)
    return UnemploymentRegistrationPublic.model_validate(row)
