"""/v1/employers"""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.employers import service
from employment.employers.models import EmployerCreate, EmployerPublic
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode

router = APIRouter(prefix="/v1/employers", tags=["employers 用人单位"])


@router.post("", status_code=201, response_model=EmployerPublic, summary="用人单位登记 Register an employer")
async def create_employer(body: EmployerCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> Any:
    principal.check_county(body.county_code)
    return await service.create(session=session, outbox=outbox, data=body)


@router.get("", response_model=Page[EmployerPublic], summary="用人单位列表 List employers")
async def list_employers(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
) -> Any:
    rows, count = await service.list_employers(
        session=session, page=page, county_code=county_filter(principal, county_code)
    )
    return {"data": rows, "count": count, "limit": page.limit, "offset": page.offset}


@router.get("/{credit_code}", response_model=EmployerPublic, summary="查询用人单位 Get an employer")
async def get_employer(credit_code: CreditCode, session: SessionDep, principal: Reader) -> Any:
    employer = await service.get_or_404(session=session, credit_code=credit_code)
    principal.check_county(employer.county_code)
    return employer
