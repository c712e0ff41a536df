"""/v1/unemployment-benefits — 失业保险金."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber
from social_insurance.benefits import service
from social_insurance.benefits.models import (
    BenefitPublic,
    BenefitStatus,
    PaymentCreate,
    PaymentPublic,
    Stop,
    UnemploymentBenefit,
)
from social_insurance.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/unemployment-benefits", tags=["unemployment benefits 失业保险金"])


def public(benefit: UnemploymentBenefit) -> BenefitPublic:
    """The decision as of today: an active benefit past its period answers ``ended``."""
    answer = BenefitPublic.model_validate(benefit)
    answer.status = service.status_on(benefit, clock.today())
    return answer


@router.get("", summary="失业保险金核定列表 List unemployment benefit decisions",
            description=(service.__doc__ or "") + "\n按公民身份号码、县（市、区）、状态（按今天计）"
                        "和失业登记日期区间筛选，可排序。"
                        "核定由失业登记事件（hrss.employment）自动作出，不经本接口新增。")
async def list_benefits(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="失业登记地县（市、区）代码")] = None,
    status: Annotated[BenefitStatus | None, Query(description="active 领取中 / ended 期限届满 / stopped 已停发 / "
                                                              "not_eligible 不符合条件")] = None,
    registered: DateRange = date_range_param("registered_date 失业登记日期"),
    sort: str = sort_param(*service.SORTS, default="-registered_date"),
) -> Page[BenefitPublic]:
    rows, count = await service.list_benefits(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        status=status, registered=registered, sort=sort)
    return Page[BenefitPublic](data=[public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/{benefit_id}", summary="查询失业保险金核定 Get a benefit decision")
async def get_benefit(benefit_id: str, session: SessionDep, principal: Reader) -> BenefitPublic:
    benefit = await service.get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    return public(benefit)


@router.post("/{benefit_id}/stop", summary="停发失业保险金 Stop a benefit",
             description="开始领取基本养老金（pension_started）及失业保险条例第十五条的其他情形；重新就业与达到法定退休年龄"
                         "由就业登记事件和每日任务自动停发。"
                         "发布 hrss.social-insurance.unemployment_benefit.stopped.v1。")
async def stop_benefit(
    benefit_id: str, body: Stop, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> BenefitPublic:
    return public(await service.stop(session=session, outbox=outbox, principal=principal, benefit_id=benefit_id,
                                     data=body))


@router.get("/{benefit_id}/payments", summary="失业保险金发放台账 The benefit's monthly ledger")
async def list_payments(benefit_id: str, session: SessionDep, principal: Reader) -> list[PaymentPublic]:
    benefit = await service.get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    return [PaymentPublic.model_validate(p) for p in await service.payments_of(session=session, benefit_id=benefit_id)]


@router.post("/{benefit_id}/payments", status_code=201, summary="失业保险金发放记账 Post a month's payment",
             description="每月一条，自领取起始月份起，不超过领取期限月数，且在领取期限内（否则 409 指明 month）；"
                         "停发日期当月之后（所属月份首日不早于停发日期）的发放仍记账，after_stop = true，"
                         "并发布供政策监管预警。"
                         "金额默认核定的月标准。发布 hrss.social-insurance.benefit_payment.posted.v1。")
async def post_payment(
    benefit_id: str, body: PaymentCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PaymentPublic:
    payment = await service.pay(session=session, outbox=outbox, principal=principal, benefit_id=benefit_id, data=body)
    return PaymentPublic.model_validate(payment)
