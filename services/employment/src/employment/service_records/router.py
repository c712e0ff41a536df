"""/v1/service-records — 131 service 失业人员131服务."""

from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.service_records import service
from employment.service_records.models import (
    SERVICE_KIND_NAMES,
    OverdueRow,
    PackageSummary,
    ServiceKind,
    ServiceRecord,
    ServiceRecordCreate,
    ServiceRecordPublic,
)
from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, SupportedDate, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber

router = APIRouter(prefix="/v1/service-records", tags=["131 service 失业人员131服务"])


def _public(row: ServiceRecord) -> ServiceRecordPublic:
    kind = ServiceKind(row.kind)
    return ServiceRecordPublic(**row.model_dump(exclude={"kind"}), kind=kind, kind_name=SERVICE_KIND_NAMES[kind])


@router.post("", status_code=201, summary="记录131服务 Record a 131 service",
             description="为登记失业人员记录一次职业指导、岗位推荐或培训推荐。服务日期须在失业登记期间："
                         "无有效失业登记为 409，早于失业登记日期为 422；同一岗位在同一次失业登记期间只推荐一次。")
async def record_service(
    body: ServiceRecordCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> ServiceRecordPublic:
    row = await service.record(session=session, outbox=outbox, principal=principal, data=body)
    return _public(row)


@router.get("", summary="131服务记录列表 List 131 service records")
async def list_service_records(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    kind: Annotated[ServiceKind | None, Query(description="服务类型")] = None,
    served: DateRange = date_range_param("service_date 服务日期"),
    sort: str = sort_param("service_date", "created_at", default="-service_date"),
) -> Page[ServiceRecordPublic]:
    rows, count = await service.list_records(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        kind=kind, served=served, sort=sort,
    )
    return Page[ServiceRecordPublic](data=[_public(r) for r in rows], count=count, limit=page.limit,
                                     offset=page.offset)


@router.get("/report", summary="131服务超期未完成名单 Overdue 131 packages",
            description="截至 as_of 仍在失业登记期间、登记已超过政策规定天数（按登记日适用的 service_131 政策版本），"
                        "且在截止日期前未获得完整“131”服务（1次职业指导、3次岗位推荐、1次培训推荐）的人员，"
                        "列明每人尚缺的服务和截止日期。")
async def overdue_report(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    as_of: Annotated[SupportedDate | None, Query(description="统计日期 (default today)")] = None,
    registered: DateRange = date_range_param("registered_date 失业登记日期"),
    sort: str = sort_param(*service.REPORT_SORTS, default="deadline_date"),
) -> Page[OverdueRow]:
    rows, count = await service.overdue_report(
        session=session, page=page, as_of=as_of or clock.today(), county_code=county_filter(principal, county_code),
        registered=registered, sort=sort,
    )
    return Page[OverdueRow](data=rows, count=count, limit=page.limit, offset=page.offset)


@router.get("/summary/{id_number}", summary="个人131服务进度 A person's 131 package progress",
            description="按 as_of 当日有效（否则最近一次）的失业登记，列出应提供、已提供和尚缺的服务及截止日期。")
async def package_summary(
    id_number: IdNumber, session: SessionDep, principal: Reader,
    as_of: Annotated[SupportedDate | None, Query(description="统计日期 (default today)")] = None,
) -> PackageSummary:
    return await service.summary(session=session, principal=principal, id_number=id_number,
                                 as_of=as_of or clock.today())


@router.get("/{record_id}", summary="查询131服务记录 Get a service record")
async def get_service_record(record_id: str, session: SessionDep, principal: Reader) -> ServiceRecordPublic:
    row = await service.get_or_404(session=session, record_id=record_id)
    principal.check_county(row.county_code)
    return _public(row)
