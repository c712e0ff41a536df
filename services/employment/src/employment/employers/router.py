"""/v1/employers"""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.employers import service
from employment.employers.models import Deactivation, EmployerCreate, EmployerPublic, EmployerStatus, EmployerUpdate
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.text import short_text
from hrss_shared.validators import CountyCode, CreditCode

router = APIRouter(prefix="/v1/employers", tags=["employers 用人单位"])


@router.post("", status_code=201, summary="用人单位登记 Register an employer")
async def create_employer(
    body: EmployerCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EmployerPublic:
    principal.check_county(body.county_code)
    return EmployerPublic.model_validate(await service.create(session=session, outbox=outbox, data=body))


@router.get("", summary="用人单位列表 List employers",
            description="按县（市、区）、行业、是否建筑施工企业、状态（active 存续 / inactive 已注销）和登记日期筛选。")
async def list_employers(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    industry: Annotated[Annotated[str, short_text(100)] | None, Query(description="行业")] = None,
    is_construction: Annotated[bool | None, Query(description="是否建筑施工企业")] = None,
    status: Annotated[EmployerStatus | None, Query(description="状态 active 存续 / inactive 已注销")] = None,
    created: DateRange = date_range_param("the date the employer was registered 登记日期"),
    sort: str = sort_param("created_at", "name", default="-created_at"),
) -> Page[EmployerPublic]:
    rows, count = await service.list_employers(
        session=session, page=page, county_code=county_filter(principal, county_code), industry=industry,
        is_construction=is_construction, status=status, created=created, sort=sort,
    )
    return page_of(EmployerPublic, rows, count, page)


@router.get("/{credit_code}", summary="查询用人单位 Get an employer")
async def get_employer(credit_code: CreditCode, session: SessionDep, principal: Reader) -> EmployerPublic:
    employer = await service.get_or_404(session=session, credit_code=credit_code)
    principal.check_county(employer.county_code)
    return EmployerPublic.model_validate(employer)


@router.patch("/{credit_code}", summary="用人单位信息变更 Update an employer",
              description="变更单位名称、行业、规模、是否建筑施工企业；变更所在县（市、区）仅限市局（无县域限制）客户端。")
async def update_employer(
    credit_code: CreditCode, body: EmployerUpdate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EmployerPublic:
    employer = await service.update(
        session=session, outbox=outbox, principal=principal, credit_code=credit_code, data=body
    )
    return EmployerPublic.model_validate(employer)


@router.post("/{credit_code}/deactivate", summary="用人单位注销 Deactivate an employer",
             description="注销后不能再办理就业登记；已注销的再次注销为 409；仍有有效就业登记的为 409。")
async def deactivate_employer(
    credit_code: CreditCode, body: Deactivation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EmployerPublic:
    employer = await service.deactivate(
        session=session, outbox=outbox, principal=principal, credit_code=credit_code, data=body
    )
    return EmployerPublic.model_validate(employer)
