"""/v1/professional-titles — 职称."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber
from training.deps import Reader, Writer, county_filter
from training.titles import service
from training.titles.models import (
    TitleCancellation,
    TitleCorrection,
    TitleCreate,
    TitleLevel,
    TitlePublic,
    TitleSeries,
    TitleStatus,
)

router = APIRouter(prefix="/v1/professional-titles", tags=["professional titles 职称"])


@router.post("", status_code=201, summary="职称登记 Record a professional title",
             description="系列、专业、级别（初级/中级/副高级/正高级）、评审（发证）机构与取得日期（不晚于今天）；职称证书"
                         "编号唯一（重复为 409）。职称计入人才认定条件，并在统计中计为专业技术人才。发布 "
                         "hrss.training.professional_title.granted.v1。")
async def grant_title(body: TitleCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> TitlePublic:
    return TitlePublic.model_validate(
        await service.grant(session=session, outbox=outbox, principal=principal, data=body))


@router.get("", summary="职称列表 List professional titles",
            description="按公民身份号码、县（市、区）、系列、级别、状态和取得日期区间筛选，可排序。")
async def list_titles(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    series: Annotated[TitleSeries | None, Query(description="职称系列")] = None,
    level: Annotated[TitleLevel | None, Query(description="级别")] = None,
    status: Annotated[TitleStatus | None, Query(description="valid 有效 / cancelled 已撤销")] = None,
    issued: DateRange = date_range_param("issued_date 取得日期"),
    sort: str = sort_param(*service.SORTS, default="-issued_date"),
) -> Page[TitlePublic]:
    rows, count = await service.list_titles(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        series=series, level=level, status=status, issued=issued, sort=sort)
    return Page[TitlePublic](data=[TitlePublic.model_validate(r) for r in rows], count=count, limit=page.limit,
                             offset=page.offset)


@router.get("/{title_id}", summary="查询职称 Get a professional title")
async def get_title(title_id: str, session: SessionDep, principal: Reader) -> TitlePublic:
    title = await service.get_or_404(session=session, title_id=title_id)
    principal.check_county(title.county_code)
    return TitlePublic.model_validate(title)


@router.post("/{title_id}/correct", summary="更正职称 Correct a professional title",
             description="更正所填字段（须填写原因）；已撤销的为 409。"
                         "发布 hrss.training.professional_title.corrected.v1。")
async def correct_title(
    title_id: str, body: TitleCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> TitlePublic:
    return TitlePublic.model_validate(await service.correct(session=session, outbox=outbox, principal=principal,
                                                            title_id=title_id, data=body))


@router.post("/{title_id}/cancel", summary="撤销职称 Cancel a professional title",
             description="撤销（须填写原因），不可恢复；已撤销的为 409。"
                         "发布 hrss.training.professional_title.cancelled.v1。")
async def cancel_title(
    title_id: str, body: TitleCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> TitlePublic:
    return TitlePublic.model_validate(await service.cancel(session=session, outbox=outbox, principal=principal,
                                                           title_id=title_id, data=body))
