"""/v1/contributions — 缴费."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.outbox import Outbox
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.problems import InvalidField
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from social_insurance.arrears import service as arrears
from social_insurance.benefits import service as benefits
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType, Month
from social_insurance.contributions import service
from social_insurance.contributions.models import (
    BulkPosting,
    BulkReport,
    Contribution,
    ContributionCancellation,
    ContributionCorrection,
    ContributionCreate,
    ContributionPublic,
    ContributionStatus,
)
from social_insurance.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/contributions", tags=["contributions 缴费"])

RULES = ("费款所属期 month（YYYY-MM，不晚于本月）须在该人员该险种、该单位（灵活就业与城乡居民养老为个人）"
         "参保登记的期间内，"
         "否则 409 指明 month；同一人同一险种同一月份只记账一次（409 指明已有的缴费记录 existing_id）。"
         "申报缴费工资按当月适用的缴费基数上下限核定（policy/contribution_base.toml）：低于下限按下限、高于上限按上限，"
         "答复中 base_adjustment 标明；未填的单位和个人缴费按核定基数×费率计算（四舍五入到分）。金额以字符串传送。"
         "待生效的参保登记（参保一件事）在首次缴费时生效（发布 enrolment.activated）。")


@router.post("", status_code=201, summary="缴费记账 Post a month's contribution",
             description=RULES + "发布 hrss.social-insurance.contribution.posted.v1；缴费后复核该单位欠缴，"
                                 "补缴到位的发布 "
                                 "arrears.resolved。")
async def post_contribution(
    body: ContributionCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> ContributionPublic:
    contribution = await service.post(session=session, outbox=outbox, principal=principal, data=body)
    if contribution.credit_code is not None:
        await arrears.check_employer(session=session, outbox=outbox, credit_code=contribution.credit_code)
    return ContributionPublic.model_validate(contribution)


@router.post("/bulk", summary="单位月度批量缴费 Post an employer's month in bulk",
             description="一个单位、一个费款所属期，每行一人一险种（id_number、insurance_type、declared_base，可选 "
                         "employer_amount、personal_amount）。每行按单笔缴费的规则单独校验和记账："
                         "答复逐行列出 accepted（及"
                         "缴费记录 id）或 rejected（及出错字段与原因），一行被拒不影响其他行。" + RULES +
                         "文件导入使用平台共享的导入机制（不在本接口）。")
async def post_bulk(body: BulkPosting, session: SessionDep, outbox: OutboxDep, principal: Writer) -> BulkReport:
    report = await service.post_bulk(session=session, outbox=outbox, principal=principal, data=body)
    if report.accepted:
        await arrears.check_employer(session=session, outbox=outbox, credit_code=body.credit_code)
    return report


@router.get("", summary="缴费记录列表 List contributions",
            description="按公民身份号码、缴费单位、县（市、区）、险种、费款所属期区间（month_from、month_to）、状态和"
                        "缴费记账日期区间筛选，可排序。")
async def list_contributions(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="缴费单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="参保地县（市、区）代码")] = None,
    insurance_type: Annotated[InsuranceType | None, Query(description=TYPES_DESCRIPTION)] = None,
    month_from: Annotated[Month | None, Query(description="费款所属期起（含）YYYY-MM")] = None,
    month_to: Annotated[Month | None, Query(description="费款所属期止（含）YYYY-MM")] = None,
    status: Annotated[ContributionStatus | None, Query(description="posted 已记账 / cancelled 已撤销")] = None,
    paid: DateRange = date_range_param("paid_date 缴费记账日期"),
    sort: str = sort_param(*service.SORTS, default="-month"),
) -> Page[ContributionPublic]:
    if month_from and month_to and month_to < month_from:
        raise InvalidField("month_to", f"费款所属期止早于起 {month_from} (month_to before month_from)")
    rows, count = await service.list_contributions(
        session=session, page=page, id_number=id_number, credit_code=credit_code,
        county_code=county_filter(principal, county_code), insurance_type=insurance_type, month_from=month_from,
        month_to=month_to, status=status, paid=paid, sort=sort)
    return page_of(ContributionPublic, rows, count, page)


@router.get("/{contribution_id}", summary="查询缴费记录 Get a contribution")
async def get_contribution(contribution_id: str, session: SessionDep, principal: Reader) -> ContributionPublic:
    contribution = await service.get_or_404(session=session, contribution_id=contribution_id)
    principal.check_county(contribution.county_code)
    return ContributionPublic.model_validate(contribution)


async def _follow(session: AsyncSession, outbox: Outbox, contribution: Contribution, reason: str) -> None:
    """Derived figures follow a correction: the employer's arrears and the person's open benefit decisions."""
    if contribution.credit_code is not None:
        await arrears.check_employer(session=session, outbox=outbox, credit_code=contribution.credit_code)
    if contribution.insurance_type == InsuranceType.unemployment:
        await benefits.redecide(session=session, outbox=outbox, id_number=contribution.id_number, reason=reason)


@router.post("/{contribution_id}/correct", summary="更正缴费 Correct a contribution recorded wrongly",
             description="更正费款所属期、申报缴费工资、金额或记账日期，须填原因；基数按（新）月份的上下限重新核定，未填的金额"
                         "重新计算；新月份须在参保期间内且未缴费（409）。之后复核单位欠缴，失业保险缴费更正时重新核定尚未发放的"
                         "失业保险金。发布 hrss.social-insurance.contribution.corrected.v1。")
async def correct_contribution(
    contribution_id: str, body: ContributionCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> ContributionPublic:
    contribution = await service.correct(session=session, outbox=outbox, principal=principal,
                                         contribution_id=contribution_id, data=body)
    await _follow(session, outbox, contribution, f"缴费更正：{body.reason}")
    return ContributionPublic.model_validate(contribution)


@router.post("/{contribution_id}/cancel", summary="撤销缴费 Cancel a contribution recorded wrongly",
             description="记录有误的缴费撤销（该月重新计为未缴），须填原因；之后复核单位欠缴，失业保险缴费撤销时重新核定尚未"
                         "发放的失业保险金。发布 hrss.social-insurance.contribution.cancelled.v1。")
async def cancel_contribution(
    contribution_id: str, body: ContributionCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> ContributionPublic:
    contribution = await service.cancel(session=session, outbox=outbox, principal=principal,
                                        contribution_id=contribution_id, data=body)
    await _follow(session, outbox, contribution, f"缴费撤销：{body.reason}")
    return ContributionPublic.model_validate(contribution)
