"""/v1/enrolments — 参保登记."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from social_insurance.arrears import service as arrears
from social_insurance.common import TYPES_DESCRIPTION, InsuranceType
from social_insurance.deps import Reader, Writer, county_filter
from social_insurance.enrolments import service
from social_insurance.enrolments.models import (
    STATUS_DESCRIPTION,
    Ending,
    EnrolmentCancellation,
    EnrolmentCorrection,
    EnrolmentCreate,
    EnrolmentPublic,
    EnrolmentStatus,
    Resumption,
    Suspension,
)

router = APIRouter(prefix="/v1/enrolments", tags=["enrolments 参保登记"])


@router.post("", status_code=201, summary="参保登记 Enrol a person in an insurance type",
             description="险种 employee_pension 企业职工基本养老 / resident_pension 城乡居民基本养老 / "
                         "unemployment 失业 / "
                         "work_injury 工伤。失业、工伤须填参保单位；企业职工养老须填参保单位，灵活就业人员（flexible）"
                         "个人参保不填；城乡居民养老不填（policy/insurance_types.toml，"
                         "社会保险法第十、二十、三十三、四十四条），"
                         "否则 422 指明字段。窗口登记自参保起始日期起生效（active）。"
                         "同一人同一险种只能有一条有效参保登记，"
                         "企业职工养老与城乡居民养老不能同时有效：409 并指明已有的参保登记（existing_id）。"
                         "发布 hrss.social-insurance.enrolment.registered.v1。")
async def create_enrolment(
    body: EnrolmentCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    enrolment = await service.create(session=session, outbox=outbox, principal=principal, data=body)
    return EnrolmentPublic.model_validate(enrolment)


@router.get("", summary="参保登记列表 List enrolments",
            description="按公民身份号码、参保单位、县（市、区）、险种、状态和参保起始日期区间筛选，可排序。")
async def list_enrolments(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="参保单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="参保地县（市、区）代码")] = None,
    insurance_type: Annotated[InsuranceType | None, Query(description=TYPES_DESCRIPTION)] = None,
    status: Annotated[EnrolmentStatus | None, Query(description=STATUS_DESCRIPTION)] = None,
    started: DateRange = date_range_param("start_date 参保起始日期"),
    sort: str = sort_param(*service.SORTS, default="-start_date"),
) -> Page[EnrolmentPublic]:
    rows, count = await service.list_enrolments(
        session=session, page=page, id_number=id_number, credit_code=credit_code,
        county_code=county_filter(principal, county_code), insurance_type=insurance_type, status=status,
        started=started, sort=sort)
    return page_of(EnrolmentPublic, rows, count, page)


@router.get("/{enrolment_id}", summary="查询参保登记 Get an enrolment")
async def get_enrolment(enrolment_id: str, session: SessionDep, principal: Reader) -> EnrolmentPublic:
    enrolment = await service.get_or_404(session=session, enrolment_id=enrolment_id)
    principal.check_county(enrolment.county_code)
    return EnrolmentPublic.model_validate(enrolment)


@router.post("/{enrolment_id}/suspend", summary="暂停缴费 Suspend an active enrolment",
             description="只有参保缴费（active）的可暂停，暂停日期不早于参保起始日期；暂停期间的月份不计欠缴。"
                         "发布 hrss.social-insurance.enrolment.suspended.v1。")
async def suspend_enrolment(
    enrolment_id: str, body: Suspension, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    return EnrolmentPublic.model_validate(await service.suspend(
        session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id, data=body))


@router.post("/{enrolment_id}/resume", summary="恢复缴费 Resume a suspended enrolment",
             description="只有暂停缴费的可恢复，恢复日期不早于暂停日期；欠缴自恢复月份起计。"
                         "发布 hrss.social-insurance.enrolment.resumed.v1。")
async def resume_enrolment(
    enrolment_id: str, body: Resumption, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    return EnrolmentPublic.model_validate(await service.resume(
        session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id, data=body))


@router.post("/{enrolment_id}/end", summary="参保终止 End an enrolment",
             description="终止日期不早于参保起始日期；已终止的为 409。发布 hrss.social-insurance.enrolment.ended.v1。")
async def end_enrolment(
    enrolment_id: str, body: Ending, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    return EnrolmentPublic.model_validate(await service.end(
        session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id, data=body))


@router.post("/{enrolment_id}/correct", summary="更正参保登记 Correct an enrolment recorded wrongly",
             description="更正姓名、参保地、参保单位、灵活就业标志或参保起始日期（险种不能更正：撤销后重新登记），须填原因；"
                         "仍须符合险种的参保单位规则（422）。已有缴费的不能更正参保单位，起始日期不能晚于已缴月份"
                         "（409 列出"
                         "缴费记录）。更正后复核相关单位的欠缴。发布 hrss.social-insurance.enrolment.corrected.v1。")
async def correct_enrolment(
    enrolment_id: str, body: EnrolmentCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    enrolment, old_employer = await service.correct(session=session, outbox=outbox, principal=principal,
                                                    enrolment_id=enrolment_id, data=body)
    for employer in {enrolment.credit_code, old_employer} - {None}:
        assert employer is not None
        await arrears.check_employer(session=session, outbox=outbox, credit_code=employer)
    return EnrolmentPublic.model_validate(enrolment)


@router.post("/{enrolment_id}/cancel", summary="撤销参保登记 Cancel an enrolment recorded wrongly",
             description="登记有误的参保登记撤销（状态 cancelled，不计参保期间、欠缴与断缴），须填原因；"
                         "已有缴费的须先撤销"
                         "缴费（409 列出缴费记录）。发布 hrss.social-insurance.enrolment.cancelled.v1。")
async def cancel_enrolment(
    enrolment_id: str, body: EnrolmentCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    enrolment = await service.cancel(session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id,
                                     data=body)
    if enrolment.credit_code is not None:
        await arrears.check_employer(session=session, outbox=outbox, credit_code=enrolment.credit_code)
    return EnrolmentPublic.model_validate(enrolment)
