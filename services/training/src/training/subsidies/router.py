"""/v1/subsidies — 职业技能培训补贴 and 技能提升补贴."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber
from training.common import OccupationCode
from training.deps import Reader, Writer, county_filter
from training.subsidies import service
from training.subsidies.models import (
    RefusalReason,
    SubsidyChannel,
    SubsidyClaim,
    SubsidyKind,
    SubsidyPublic,
    SubsidyRefusalPublic,
    SubsidyStatus,
)

router = APIRouter(prefix="/v1/subsidies", tags=["subsidies 培训补贴"])

RULES = ("补贴标准见 policy/subsidies.toml（按证书发证日期或结业日期适用的版本，每项金额列明政策依据，无官方文号的标明 "
         "illustrative）：技能提升补贴按证书等级，职业技能培训补贴按培训类型与目标等级。每人每职业每等级限享受一次；已享受"
         "同职业更高等级的，不再享受较低等级；使用电子培训券抵用的报名不再享受职业技能培训补贴（政策另有规定的除外）。")


@router.post("", status_code=201, summary="申领培训补贴 Claim a subsidy",
             description="技能提升补贴依据本人有效的职业技能等级证书（certificate_id），职业技能培训补贴依据本人合格结业"
                         "的报名记录（enrolment_id）；符合条件的当即核发。" + RULES +
                         "不予核发的为 409（reason: duplicate 重复申领 / higher_level_paid 已享受更高等级 / "
                         "voucher_paid 已使用培训券），并留存、发布 hrss.training.subsidy.refused.v1 供政策监管。"
                         "核发发布 hrss.training.subsidy.granted.v1。免申即享的补贴在发证或结业后自动核发，无需申请。")
async def claim_subsidy(
    body: SubsidyClaim, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> SubsidyPublic:
    subsidy = await service.claim(session=session, outbox=outbox, principal=principal, data=body)
    return SubsidyPublic.model_validate(subsidy)


@router.get("", summary="培训补贴列表 List subsidies",
            description="按公民身份号码、县（市、区）、职业编码、补贴类型、状态（granted 已核发 / revoked 已撤销）、"
                        "核发方式（automatic 免申即享 / application 申请）和核发日期区间筛选，可排序。" + RULES)
async def list_subsidies(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    occupation_code: Annotated[OccupationCode | None, Query(description="职业编码")] = None,
    kind: Annotated[SubsidyKind | None,
                    Query(description="training 职业技能培训补贴 / skill_upgrade 技能提升补贴")] = None,
    status: Annotated[SubsidyStatus | None, Query(description="granted 已核发 / revoked 已撤销")] = None,
    channel: Annotated[SubsidyChannel | None, Query(description="automatic 免申即享 / application 申请")] = None,
    granted: DateRange = date_range_param("granted_date 核发日期"),
    sort: str = sort_param(*service.SORTS, default="-granted_date"),
) -> Page[SubsidyPublic]:
    rows, count = await service.list_subsidies(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        occupation_code=occupation_code, kind=kind, status=status, channel=channel, granted=granted, sort=sort,
    )
    return Page[SubsidyPublic](data=[SubsidyPublic.model_validate(r) for r in rows], count=count, limit=page.limit,
                               offset=page.offset)


@router.get("/refusals", summary="不予核发记录 Refused claims (政策监管)",
            description="重复申领、已享受更高等级、已使用培训券而不予核发的记录（申请与免申即享），按公民身份号码、"
                        "县（市、区）、原因和日期区间筛选。")
async def list_refusals(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    reason: Annotated[RefusalReason | None, Query(description="duplicate / higher_level_paid / voucher_paid")] = None,
    refused: DateRange = date_range_param("refused_date 决定日期"),
    sort: str = sort_param(*service.REFUSAL_SORTS, default="-refused_date"),
) -> Page[SubsidyRefusalPublic]:
    rows, count = await service.list_refusals(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        reason=reason, refused=refused, sort=sort,
    )
    return Page[SubsidyRefusalPublic](data=[SubsidyRefusalPublic.model_validate(r) for r in rows], count=count,
                                      limit=page.limit, offset=page.offset)


@router.get("/{subsidy_id}", summary="查询培训补贴 Get a subsidy")
async def get_subsidy(subsidy_id: str, session: SessionDep, principal: Reader) -> SubsidyPublic:
    subsidy = await service.get_or_404(session=session, subsidy_id=subsidy_id)
    principal.check_county(subsidy.county_code)
    return SubsidyPublic.model_validate(subsidy)
