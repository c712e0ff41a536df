"""/v1/arrears-cases — 欠薪案件（举报投诉）, "欠薪处置一件事"."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from labour_relations import workdays
from labour_relations.cases import service
from labour_relations.cases.models import (
    RUNNING,
    Accept,
    ArrearsCase,
    Cancel,
    CaseCorrection,
    CaseCreate,
    CasePublic,
    CaseStatus,
    Conclude,
    Extend,
    Resolve,
)
from labour_relations.common import Rate
from labour_relations.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/arrears-cases", tags=["arrears-cases 欠薪案件"])
EVENT = "hrss.labour-relations.arrears_case"


def public(case: ArrearsCase) -> CasePublic:
    """The case as of today: overdue and the working days left are computed on the bureau's calendar."""
    today = clock.today()
    left = None
    if case.status in RUNNING and case.deadline_date is not None:
        left = workdays.current().workdays_between(today, case.deadline_date)
    return CasePublic.model_validate(case).model_copy(update={
        "overdue": case.is_overdue(today), "working_days_left": left})


@router.post("", status_code=201, summary="欠薪投诉登记 Register a wage-arrears complaint",
             description="登记投诉人（公民身份号码、姓名）、被投诉单位统一社会信用代码与名称、县（市、区）、可选的在建工程项目、"
                         "涉及人数（不少于投诉人数）、欠薪金额（字符串，元，精确到分）、证据材料说明、登记日期（不晚于今天）。"
                         "涉及人数达到政策标准（policy/cases.toml，10人）的为群体性欠薪，同时发布 escalated 升级事件。"
                         f"发布 {EVENT}.registered.v1（群体性欠薪另发 {EVENT}.escalated.v1）。")
async def register_case(body: CaseCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> CasePublic:
    return public(await service.register(session=session, outbox=outbox, principal=principal, data=body))


@router.get("", summary="欠薪案件列表 List wage-arrears cases",
            description="按被投诉单位统一社会信用代码、县（市、区）、状态、项目、群体性欠薪、超期（按今天计）、投诉人和登记日期区间筛选，"
                        "可排序、分页。")
async def list_cases(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="被投诉单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[CaseStatus | None, Query(description="状态")] = None,
    project_id: Annotated[str | None, Query(max_length=36, description="在建工程项目 id")] = None,
    group_case: Annotated[bool | None, Query(description="群体性欠薪")] = None,
    overdue: Annotated[bool | None, Query(description="超期未办结（今天晚于期限）")] = None,
    complainant_id_number: Annotated[IdNumber | None, Query(description="投诉人公民身份号码")] = None,
    filed: DateRange = date_range_param("filed_date 登记日期"),
    sort: str = sort_param(*service.SORTS, default="-filed_date"),
) -> Page[CasePublic]:
    rows, count = await service.list_cases(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, project_id=project_id, group_case=group_case, overdue=overdue, filed=filed, sort=sort,
        complainant=complainant_id_number)
    return Page[CasePublic](data=[public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/overdue", summary="超期案件 Overdue cases",
            description="已立案、未结案且今天晚于办结期限的案件（按期限升序）。每个案件超期时由每日任务发布一次 "
                        f"{EVENT}.overdue.v1。")
async def list_overdue(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="被投诉单位统一社会信用代码")] = None,
) -> Page[CasePublic]:
    rows, count = await service.list_cases(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=None, project_id=None, group_case=None, overdue=True, filed=DateRange(), sort="deadline_date")
    return Page[CasePublic](data=[public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/on-time-rate", summary="按期结案率 On-time closure rate by county",
            description="按期结案率 = 期间内按期结案（结案或移送仲裁日期不晚于办结期限）的案件数 ÷（期间内结案或移送"
                        "仲裁的案件数 + "
                        "办结期限在期间内且已超期仍未结案的案件数）× 100%；按县（市、区）分列，最后一行（county_cod"
                        "e 为 null）"
                        "为合计。规划目标 100%。")
async def on_time_rate(
    session: SessionDep, principal: Reader,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    period: DateRange = date_range_param("concluded_date 结案日期 / deadline_date 期限"),
) -> list[Rate]:
    return await service.on_time_rates(session=session, county_code=county_filter(principal, county_code),
                                       period=period)


@router.get("/{case_id}", summary="查询欠薪案件 Get a case")
async def get_case(case_id: str, session: SessionDep, principal: Reader) -> CasePublic:
    case = await service.get_or_404(session=session, case_id=case_id)
    principal.check_county(case.county_code)
    return public(case)


@router.post("/{case_id}/accept", summary="立案 Accept the case",
             description="仅登记状态可立案；立案日期默认今天，不早于登记日期、不晚于今天。办结期限为立案后第60个工作日"
                         "（劳动保障监察条例第十七条），按国务院节假日安排（含调休上班日）计算；所跨年度尚无安排的，按周末和法定"
                         f"节假日暂计（deadline_provisional），数据补充后重算。发布 {EVENT}.accepted.v1。")
async def accept_case(case_id: str, body: Accept, session: SessionDep, outbox: OutboxDep,
                      principal: Writer) -> CasePublic:
    return public(await service.accept(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                       data=body))


@router.post("/{case_id}/investigate", summary="开始调查 Start investigation",
             description=f"仅立案状态可开始调查，否则 409 指明当前状态。发布 {EVENT}.investigation_started.v1。")
async def investigate_case(case_id: str, session: SessionDep, outbox: OutboxDep, principal: Writer) -> CasePublic:
    return public(await service.investigate(session=session, outbox=outbox, principal=principal, case_id=case_id))


@router.post("/{case_id}/mediate", summary="开始调解 Start mediation",
             description=f"立案或调查状态可开始调解。发布 {EVENT}.mediation_started.v1。")
async def mediate_case(case_id: str, session: SessionDep, outbox: OutboxDep, principal: Writer) -> CasePublic:
    return public(await service.mediate(session=session, outbox=outbox, principal=principal, case_id=case_id))


@router.post("/{case_id}/resolve", summary="处理完毕 Resolve, with the amount recovered",
             description="调查或调解状态可处理完毕；追回金额不超过欠薪金额（422）。发布 "
                         f"{EVENT}.resolved.v1。")
async def resolve_case(case_id: str, body: Resolve, session: SessionDep, outbox: OutboxDep,
                       principal: Writer) -> CasePublic:
    return public(await service.resolve(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                        data=body))


@router.post("/{case_id}/close", summary="结案 Close",
             description="处理完毕的案件可结案；结案日期不晚于办结期限为按期结案（on_time）。发布 "
                         f"{EVENT}.closed.v1。")
async def close_case(case_id: str, body: Conclude, session: SessionDep, outbox: OutboxDep,
                     principal: Writer) -> CasePublic:
    return public(await service.close(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                      data=body))


@router.post("/{case_id}/transfer", summary="移送仲裁 Transfer to arbitration",
             description="立案、调查或调解状态可移送劳动人事争议仲裁，视为办结（按期与否同结案）。发布 "
                         f"{EVENT}.transferred.v1。")
async def transfer_case(case_id: str, body: Conclude, session: SessionDep, outbox: OutboxDep,
                        principal: Writer) -> CasePublic:
    return public(await service.transfer(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                         data=body))


@router.post("/{case_id}/extend", summary="延长办案期限 Extend the deadline by 30 working days",
             description="情况复杂的，经负责人批准可延长30个工作日（劳动保障监察条例第十七条），只能延长一次、须在期限届满前"
                         f"（含当日），须填写理由；否则 409。发布 {EVENT}.extended.v1。")
async def extend_case(case_id: str, body: Extend, session: SessionDep, outbox: OutboxDep,
                      principal: Writer) -> CasePublic:
    return public(await service.extend(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                       data=body))


@router.post("/{case_id}/correct", summary="更正案件信息 Correct a case recorded wrongly",
             description="更正被投诉单位名称、涉及人数、欠薪金额或证据说明，须填写原因；更正后达到群体性欠薪标准的同时升级。"
                         f"发布 {EVENT}.corrected.v1。")
async def correct_case(case_id: str, body: CaseCorrection, session: SessionDep, outbox: OutboxDep,
                       principal: Writer) -> CasePublic:
    return public(await service.correct(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                        data=body))


@router.post("/{case_id}/cancel", summary="撤销案件 Cancel a case recorded wrongly",
             description=f"撤销登记错误的案件，须填写原因；其预警信号随之撤回。发布 {EVENT}.cancelled.v1。")
async def cancel_case(case_id: str, body: Cancel, session: SessionDep, outbox: OutboxDep,
                      principal: Writer) -> CasePublic:
    return public(await service.cancel(session=session, outbox=outbox, principal=principal, case_id=case_id,
                                       data=body))
