"""/v1/disputes — 劳动纠纷调解."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode
from labour_relations.common import Rate
from labour_relations.deps import Reader, Writer, county_filter
from labour_relations.disputes import service
from labour_relations.disputes.models import (
    Channel,
    DisputeCancel,
    DisputeConclude,
    DisputeCorrection,
    DisputeCreate,
    DisputePublic,
    DisputeStatus,
    DisputeType,
)

router = APIRouter(prefix="/v1/disputes", tags=["disputes 劳动纠纷调解"])
EVENT = "hrss.labour-relations.dispute"


@router.post("", status_code=201, summary="受理劳动纠纷 File a labour dispute",
             description="申请人（公民身份号码、姓名）、用人单位、县（市、区）、纠纷类型（remuneration 劳动报酬 / co"
                         "ntract 劳动合同 / "
                         "social_insurance 社会保险 / work_injury 工伤 / other 其他）、处理渠道（grassroots_mediatio"
                         "n 基层调解 / "
                         f"arbitration 仲裁）、受理日期（不晚于今天）。发布 {EVENT}.filed.v1。")
async def file_dispute(body: DisputeCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> DisputePublic:
    return DisputePublic.model_validate(await service.file(session=session, outbox=outbox, principal=principal,
                                                           data=body))


@router.get("", summary="劳动纠纷列表 List disputes",
            description="按用人单位统一社会信用代码、县（市、区）、状态、类型、渠道和受理日期区间筛选，可排序、分页。")
async def list_disputes(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="用人单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[DisputeStatus | None, Query(description="open 受理中 / concluded 已办结 / cancelled 撤"
                                                              "销")] = None,
    type: Annotated[DisputeType | None, Query(description="纠纷类型")] = None,
    channel: Annotated[Channel | None, Query(description="处理渠道")] = None,
    filed: DateRange = date_range_param("filed_date 受理日期"),
    sort: str = sort_param(*service.SORTS, default="-filed_date"),
) -> Page[DisputePublic]:
    rows, count = await service.list_disputes(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, type=type, channel=channel, filed=filed, sort=sort)
    return page_of(DisputePublic, rows, count, page)


@router.get("/mediation-rate", summary="基层调解率 Grassroots mediation rate by county",
            description="基层调解率 = 期间内（按受理日期）经基层调解组织处理的劳动纠纷数 ÷ 受理的劳动纠纷总数（不含"
                        "撤销）× 100%；"
                        "按县（市、区）分列，最后一行（county_code 为 null）为合计。规划目标 ≥ 80%。")
async def mediation_rate(
    session: SessionDep, principal: Reader,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    period: DateRange = date_range_param("filed_date 受理日期"),
) -> list[Rate]:
    return await service.mediation_rates(session=session, county_code=county_filter(principal, county_code),
                                         period=period)


@router.get("/{dispute_id}", summary="查询劳动纠纷 Get a dispute")
async def get_dispute(dispute_id: str, session: SessionDep, principal: Reader) -> DisputePublic:
    row = await service.get_or_404(session=session, dispute_id=dispute_id)
    principal.check_county(row.county_code)
    return DisputePublic.model_validate(row)


@router.post("/{dispute_id}/conclude", summary="办结劳动纠纷 Conclude a dispute",
             description="受理中的纠纷办结一次：结果 mediated 调解成功 / awarded 仲裁裁决（仅仲裁渠道，否则 422）/ w"
                         "ithdrawn 撤回 / "
                         f"failed 调解不成；办结日期不早于受理日期。发布 {EVENT}.concluded.v1。")
async def conclude_dispute(dispute_id: str, body: DisputeConclude, session: SessionDep, outbox: OutboxDep,
                           principal: Writer) -> DisputePublic:
    return DisputePublic.model_validate(await service.conclude(
        session=session, outbox=outbox, principal=principal, dispute_id=dispute_id, data=body))


@router.post("/{dispute_id}/correct", summary="更正劳动纠纷 Correct a dispute recorded wrongly",
             description="更正用人单位名称、纠纷类型或处理渠道，须填写原因；已撤销的为 409，已仲裁裁决的渠道只能是仲"
                         "裁（422）。"
                         f"发布 {EVENT}.corrected.v1。")
async def correct_dispute(dispute_id: str, body: DisputeCorrection, session: SessionDep, outbox: OutboxDep,
                          principal: Writer) -> DisputePublic:
    return DisputePublic.model_validate(await service.correct(
        session=session, outbox=outbox, principal=principal, dispute_id=dispute_id, data=body))


@router.post("/{dispute_id}/cancel", summary="撤销劳动纠纷 Cancel a dispute recorded wrongly",
             description=f"须填写原因；已撤销的为 409。发布 {EVENT}.cancelled.v1。")
async def cancel_dispute(dispute_id: str, body: DisputeCancel, session: SessionDep, outbox: OutboxDep,
                         principal: Writer) -> DisputePublic:
    return DisputePublic.model_validate(await service.cancel(
        session=session, outbox=outbox, principal=principal, dispute_id=dispute_id, data=body))
