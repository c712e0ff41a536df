"""/v1/projects — 在建工程项目 and their payrolls 农民工工资在线发薪."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode
from labour_relations.common import Rate
from labour_relations.deps import Reader, Writer, county_filter
from labour_relations.projects import service
from labour_relations.projects.models import (
    MissedPayrollPublic,
    PayrollCancel,
    PayrollCreate,
    PayrollPublic,
    PayrollStatus,
    ProjectComplete,
    ProjectCreate,
    ProjectPublic,
    ProjectStatus,
)

router = APIRouter(prefix="/v1/projects", tags=["projects 在建工程项目与在线发薪"])
EVENT = "hrss.labour-relations"


@router.post("", status_code=201, summary="在建工程项目登记 Register a construction project",
             description="项目名称、施工总承包单位统一社会信用代码与名称、县（市、区）、农民工工资专用账户（8至32位"
                         "数字，无 "
                         f"pii:read 时脱敏）及开户行、开工与计划竣工日期。发布 {EVENT}.project.registered.v1。")
async def register_project(body: ProjectCreate, session: SessionDep, outbox: OutboxDep,
                           principal: Writer) -> ProjectPublic:
    project = await service.register(session=session, outbox=outbox, principal=principal, data=body)
    return ProjectPublic.model_validate(project)


@router.get("", summary="在建工程项目列表 List projects",
            description="按施工总承包单位统一社会信用代码、县（市、区）、状态和开工日期区间筛选，可排序、分页。")
async def list_projects(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="施工总承包单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[ProjectStatus | None, Query(description="active 在建 / completed 竣工")] = None,
    started: DateRange = date_range_param("start_date 开工日期"),
    sort: str = sort_param(*service.SORTS, default="-start_date"),
) -> Page[ProjectPublic]:
    rows, count = await service.list_projects(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, started=started, sort=sort)
    return page_of(ProjectPublic, rows, count, page)


@router.get("/online-payment-rate", summary="在线发薪率 Online-payment rate by county",
            description="在线发薪率 = 期间内（按发放日期）通过农民工工资专用账户发放的工资记录数 ÷ 已登记（未撤销）"
                        "的工资记录数 × "
                        "100%；按县（市、区）分列，最后一行（county_code 为 null）为合计。规划目标 100%。")
async def online_payment_rate(
    session: SessionDep, principal: Reader,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    period: DateRange = date_range_param("paid_date 发放日期"),
) -> list[Rate]:
    return await service.online_rates(session=session, county_code=county_filter(principal, county_code),
                                      period=period)


@router.get("/missed-payrolls", summary="未按月发薪记录 Missed payrolls",
            description="在建项目某月过了政策规定的发放日（policy/payroll.toml，次月15日）仍无工资发放记录的，由每日任务"
                        f"记录并发布一次 {EVENT}.payroll.missed.v1。按单位、县和发现日期筛选。")
async def list_missed(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="施工总承包单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    detected: DateRange = date_range_param("detected_date 发现日期"),
) -> Page[MissedPayrollPublic]:
    rows, count = await service.list_missed(session=session, page=page, credit_code=credit_code,
                                            county_code=county_filter(principal, county_code), detected=detected)
    return page_of(MissedPayrollPublic, rows, count, page)


@router.get("/{project_id}", summary="查询在建工程项目 Get a project")
async def get_project(project_id: str, session: SessionDep, principal: Reader) -> ProjectPublic:
    project = await service.get_or_404(session=session, project_id=project_id)
    principal.check_county(project.county_code)
    return ProjectPublic.model_validate(project)


@router.post("/{project_id}/complete", summary="项目竣工 Complete a project",
             description=f"竣工日期默认今天，不早于开工日期；竣工后不再检查未发薪。发布 {EVENT}.project.completed.v1。")
async def complete_project(project_id: str, body: ProjectComplete, session: SessionDep, outbox: OutboxDep,
                           principal: Writer) -> ProjectPublic:
    project = await service.complete(session=session, outbox=outbox, principal=principal, project_id=project_id,
                                     data=body)
    return ProjectPublic.model_validate(project)


@router.post("/{project_id}/payrolls", status_code=201, summary="登记月度工资发放 Record a monthly payroll",
             description="每个项目每月一条（已登记的为 409，指明已有记录）；月份不早于开工月份、竣工后不晚于竣工月份"
                         "；发放日期不早于"
                         "所属月份首日、不晚于今天；online 为是否通过专用账户在线发薪。低于项目所在县当月最低工资标准"
                         "（policy/minimum_wage.toml，示例值）的人员标记 below_minimum，并发布 "
                         f"{EVENT}.payroll.below_minimum_wage.v1。发布 {EVENT}.payroll.recorded.v1。")
async def record_payroll(project_id: str, body: PayrollCreate, session: SessionDep, outbox: OutboxDep,
                         principal: Writer) -> PayrollPublic:
    payroll = await service.record_payroll(session=session, outbox=outbox, principal=principal,
                                           project_id=project_id, data=body)
    return PayrollPublic.model_validate(payroll)


@router.get("/{project_id}/payrolls", summary="项目工资发放记录 List a project's payrolls")
async def list_payrolls(
    project_id: str, session: SessionDep, principal: Reader, page: PageDep,
    status: Annotated[PayrollStatus | None, Query(description="recorded 已登记 / cancelled 已撤销")] = None,
    online: Annotated[bool | None, Query(description="在线发薪")] = None,
    paid: DateRange = date_range_param("paid_date 发放日期"),
    sort: str = sort_param(*service.PAYROLL_SORTS, default="-month"),
) -> Page[PayrollPublic]:
    project = await service.get_or_404(session=session, project_id=project_id)
    principal.check_county(project.county_code)
    rows, count = await service.list_payrolls(session=session, page=page, project_id=project.id, status=status,
                                              online=online, paid=paid, sort=sort)
    return page_of(PayrollPublic, rows, count, page)


@router.post("/{project_id}/payrolls/{payroll_id}/cancel", summary="撤销工资发放记录 Cancel a payroll",
             description=f"撤销登记错误的工资发放记录，须填写原因；可重新登记该月。发布 {EVENT}.payroll.cancelled.v1。")
async def cancel_payroll(project_id: str, payroll_id: str, body: PayrollCancel, session: SessionDep,
                         outbox: OutboxDep, principal: Writer) -> PayrollPublic:
    payroll = await service.cancel_payroll(session=session, outbox=outbox, principal=principal,
                                           project_id=project_id, payroll_id=payroll_id, data=body)
    return PayrollPublic.model_validate(payroll)
