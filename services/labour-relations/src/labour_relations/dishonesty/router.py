"""/v1/dishonest-employers — 拖欠农民工工资失信联合惩戒名单."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode
from labour_relations.deps import Reader, Writer, county_filter
from labour_relations.dishonesty import service
from labour_relations.dishonesty.models import ListingCreate, ListingPublic, ListingRemove, ListingStatus

router = APIRouter(prefix="/v1/dishonest-employers", tags=["dishonest-employers 失信联合惩戒名单"])
EVENT = "hrss.labour-relations.dishonest_employer"


@router.post("", status_code=201, summary="列入失信联合惩戒名单 Put an employer on the dishonesty list",
             description="须有列入决定文号和决定日期（不晚于今天）；同一单位在列期间不能重复列入（409 指明已有记录）。"
                         f"发布 {EVENT}.listed.v1。")
async def add_listing(body: ListingCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> ListingPublic:
    return ListingPublic.model_validate(await service.add(session=session, outbox=outbox, principal=principal,
                                                          data=body))


@router.get("", summary="失信联合惩戒名单 List the dishonesty list",
            description="按单位统一社会信用代码、县（市、区）、状态（listed 在列 / removed 已移出）和决定日期区间筛"
                        "选。")
async def list_listings(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[ListingStatus | None, Query(description="listed 在列 / removed 已移出")] = None,
    decided: DateRange = date_range_param("decision_date 决定日期"),
    sort: str = sort_param(*service.SORTS, default="-decision_date"),
) -> Page[ListingPublic]:
    rows, count = await service.list_listings(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, decided=decided, sort=sort)
    return page_of(ListingPublic, rows, count, page)


@router.get("/{listing_id}", summary="查询名单记录 Get a listing")
async def get_listing(listing_id: str, session: SessionDep, principal: Reader) -> ListingPublic:
    row = await service.get_or_404(session=session, listing_id=listing_id)
    principal.check_county(row.county_code)
    return ListingPublic.model_validate(row)


@router.post("/{listing_id}/remove", summary="移出名单 Remove when lifted",
             description="惩戒期满或信用修复后移出，须填写移出日期（默认今天，不早于决定日期）和原因；已移出的为 409。"
                         f"发布 {EVENT}.removed.v1。")
async def remove_listing(listing_id: str, body: ListingRemove, session: SessionDep, outbox: OutboxDep,
                         principal: Writer) -> ListingPublic:
    return ListingPublic.model_validate(await service.remove(session=session, outbox=outbox, principal=principal,
                                                             listing_id=listing_id, data=body))
