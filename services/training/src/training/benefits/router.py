"""/v1/talent-benefits — 人才政策兑现."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from training.benefits import service
from training.benefits.models import (
    BenefitApply,
    BenefitKind,
    BenefitPublic,
    BenefitStatus,
    Cancellation,
    PaymentCreate,
    PaymentPublic,
    TalentBenefit,
    TalentBenefitPayment,
)
from training.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/talent-benefits", tags=["talent benefits 人才政策兑现"])


def public(benefit: TalentBenefit, payments: list[TalentBenefitPayment]) -> BenefitPublic:
    answer = BenefitPublic.model_validate(benefit)
    answer.payments = [PaymentPublic.model_validate(p) for p in payments]
    return answer


@router.post("", status_code=201, summary="人才政策兑现申请 Apply for a talent benefit",
             description=(service.__doc__ or "") + "\n发布 hrss.training.talent_benefit.granted.v1。")
async def apply(body: BenefitApply, session: SessionDep, outbox: OutboxDep, principal: Writer) -> BenefitPublic:
    benefit = await service.apply(session=session, outbox=outbox, principal=principal, data=body)
    return public(benefit, [])


@router.get("", summary="人才政策兑现列表 List talent benefits",
            description="按公民身份号码、县（市、区）、就业单位、类型、状态和核发日期区间筛选，可排序；含发放台账。")
async def list_benefits(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="就业单位统一社会信用代码")] = None,
    kind: Annotated[BenefitKind | None, Query(description="类型")] = None,
    status: Annotated[BenefitStatus | None,
                      Query(description="active 兑现中 / stopped 已停发 / cancelled 已撤销")] = None,
    granted: DateRange = date_range_param("granted_date 核发日期"),
    sort: str = sort_param(*service.SORTS, default="-granted_date"),
) -> Page[BenefitPublic]:
    rows, count = await service.list_benefits(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        credit_code=credit_code, kind=kind, status=status, granted=granted, sort=sort)
    payments = await service.payments_of(session, [r.id for r in rows])
    return Page[BenefitPublic](data=[public(r, payments[r.id]) for r in rows], count=count, limit=page.limit,
                               offset=page.offset)


@router.get("/{benefit_id}", summary="查询人才政策兑现 Get a talent benefit")
async def get_benefit(benefit_id: str, session: SessionDep, principal: Reader) -> BenefitPublic:
    benefit = await service.get_or_404(session=session, benefit_id=benefit_id)
    principal.check_county(benefit.county_code)
    return public(benefit, (await service.payments_of(session, [benefit.id]))[benefit.id])


@router.post("/{benefit_id}/payments", status_code=201, summary="发放登记 Record a payment",
             description="登记一期发放（所属期在兑现期内，每期一次，重复为 409）。停发起始期及以后的发放照常记录并标明 "
                         "after_stop，发布 hrss.training.talent_benefit.paid.v1 供政策监管预警。")
async def pay(
    benefit_id: str, body: PaymentCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> PaymentPublic:
    payment = await service.pay(session=session, outbox=outbox, principal=principal, benefit_id=benefit_id,
                                data=body)
    return PaymentPublic.model_validate(payment)


@router.post("/{benefit_id}/cancel", summary="撤销人才政策兑现 Cancel a benefit recorded in error",
             description="撤销（须填写原因）：不再发放，"
                         "发布 hrss.training.talent_benefit.stopped.v1（reason cancelled）。")
async def cancel(
    benefit_id: str, body: Cancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> BenefitPublic:
    benefit = await service.cancel(session=session, outbox=outbox, principal=principal, benefit_id=benefit_id,
                                   data=body)
    return public(benefit, (await service.payments_of(session, [benefit.id]))[benefit.id])
