"""/v1/public-welfare-posts — public-welfare posts 公益性岗位 and their placements 安置."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from employment.deps import Reader, Writer, county_filter
from employment.public_welfare import service
from employment.public_welfare.models import (
    PlacementCreate,
    PlacementEnd,
    PlacementPublic,
    PlacementStatus,
    PostCreate,
    PostPublic,
    PublicWelfarePost,
)
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode

router = APIRouter(prefix="/v1/public-welfare-posts", tags=["public-welfare posts 公益性岗位"])


def _post(post: PublicWelfarePost, occupied: int) -> PostPublic:
    return PostPublic(**post.model_dump(), occupied_positions=occupied)


@router.post("", status_code=201, summary="公益性岗位开发 Create a public-welfare post",
             description="由已登记的用人单位（开发单位）申报公益性岗位：岗位名称、所在县（市、区）、岗位补贴（元/月）、"
                         "岗位数量和开发期。发布 hrss.employment.public_welfare_post.created.v1。")
async def create_post(body: PostCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> PostPublic:
    post = await service.create_post(session=session, outbox=outbox, principal=principal, data=body)
    return _post(post, 0)


@router.get("", summary="公益性岗位列表 List public-welfare posts",
            description="按县（市、区）、开发单位、开发起始日期区间和在开发期内的日期筛选，可排序。")
async def list_posts(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="开发单位统一社会信用代码")] = None,
    active_on: Annotated[date | None, Query(description="在开发期内的日期 programme covers this day")] = None,
    dates: DateRange = date_range_param("start_date 开发起始日期"),
    sort: str = sort_param(*service.POST_SORTS, default="-start_date"),
) -> Page[PostPublic]:
    rows, count = await service.list_posts(
        session=session, page=page, county_code=county_filter(principal, county_code), credit_code=credit_code,
        dates=dates, active_on=active_on, sort=sort,
    )
    taken = await service.occupied(session=session, post_ids=[r.id for r in rows])
    data = [_post(r, taken.get(r.id, 0)) for r in rows]
    return Page[PostPublic](data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{post_id}", summary="查询公益性岗位 Get a public-welfare post")
async def get_post(post_id: str, session: SessionDep, principal: Reader) -> PostPublic:
    post = await service.get_post_or_404(session=session, post_id=post_id)
    principal.check_county(post.county_code)
    taken = await service.occupied(session=session, post_ids=[post.id])
    return _post(post, taken.get(post.id, 0))


@router.post("/{post_id}/placements", status_code=201, summary="公益性岗位安置 Place a key-group member on the post",
             description="仅安置上岗日期在法定劳动年龄内、属于政策规定群体（policy/public_welfare.toml：就业困难人员，"
                         "含零就业家庭成员；高校毕业生须经认定为就业困难人员）的人员。安置期限自首次安置起累计不超过"
                         "36个月（各次安置天数之和不超过首次安置日至36个月后同日的天数）；首次安置时距法定退休年龄不足"
                         "5年的就业困难人员可安置至退休前一日；协议期满日期不得达到法定退休年龄（女性按 "
                         "female_original_age，缺省55周岁对照表）。每人同一时间只能在一个公益性岗位；在岗人数不超过岗位数量。")
async def place(
    post_id: str, body: PlacementCreate, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> PlacementPublic:
    row = await service.place(session=session, outbox=outbox, principal=principal, post_id=post_id, data=body)
    return PlacementPublic.model_validate(row)


@router.get("/{post_id}/placements", summary="岗位安置人员名单 Placements on the post")
async def list_placements(
    post_id: str, session: SessionDep, principal: Reader, page: PageDep,
    status: Annotated[PlacementStatus | None, Query(description="active 在岗 / ended 已退出")] = None,
    dates: DateRange = date_range_param("start_date 安置日期"),
    sort: str = sort_param(*service.PLACEMENT_SORTS, default="-start_date"),
) -> Page[PlacementPublic]:
    post = await service.get_post_or_404(session=session, post_id=post_id)
    principal.check_county(post.county_code)
    rows, count = await service.list_placements(
        session=session, page=page, post_id=post_id, status=status, dates=dates, sort=sort,
    )
    return page_of(PlacementPublic, rows, count, page)


@router.post("/{post_id}/placements/{placement_id}/end", summary="公益性岗位退出 End a placement")
async def end_placement(
    post_id: str, placement_id: str, body: PlacementEnd, session: SessionDep, outbox: OutboxDep, principal: Writer,
) -> PlacementPublic:
    row = await service.end_placement(session=session, outbox=outbox, principal=principal, post_id=post_id,
                                      placement_id=placement_id, data=body)
    return PlacementPublic.model_validate(row)
