"""/v1/enrolments — enrolments 培训报名, attendance 考勤, completion 结业 and withdrawal 退出."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, IdNumber
from training.deps import Reader, Writer, county_filter
from training.enrolments import service
from training.enrolments.models import (
    AttendanceRecord,
    Completion,
    EnrolmentCancellation,
    EnrolmentCorrection,
    EnrolmentCreate,
    EnrolmentPublic,
    EnrolmentStatus,
    Withdrawal,
)

router = APIRouter(prefix="/v1/enrolments", tags=["enrolments 培训报名"])


@router.post("", status_code=201, summary="培训报名 Enrol a person on a course",
             description="课程结业日期之后不能报名；同一学员同一课程只能报名一次（已退出的除外），重复报名为 409 并指明"
                         "已有的报名记录；报名人数达到招生人数后为 409（名额已满）。发布 "
                         "hrss.training.enrolment.enrolled.v1。")
async def enrol(body: EnrolmentCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> EnrolmentPublic:
    row = await service.enrol(session=session, outbox=outbox, principal=principal, data=body)
    return EnrolmentPublic.model_validate(row)


@router.get("", summary="培训报名列表 List enrolments",
            description="按学员公民身份号码、课程、状态（enrolled 在训 / completed 已结业 / withdrawn 已退出 / "
                        "cancelled 已撤销）、县（市、区）和报名日期区间筛选，可排序。")
async def list_enrolments(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="学员公民身份号码")] = None,
    course_id: Annotated[str | None, Query(max_length=36, description="课程 id")] = None,
    status: Annotated[EnrolmentStatus | None, Query(description="enrolled 在训 / completed 已结业 / "
                                                                "withdrawn 已退出 / cancelled 已撤销")] = None,
    county_code: Annotated[CountyCode | None, Query(description="培训地县（市、区）代码")] = None,
    enrolled: DateRange = date_range_param("enrolled_date 报名日期"),
    sort: str = sort_param(*service.SORTS, default="-enrolled_date"),
) -> Page[EnrolmentPublic]:
    rows, count = await service.list_enrolments(
        session=session, page=page, id_number=id_number, course_id=course_id, status=status,
        county_code=county_filter(principal, county_code), enrolled=enrolled, sort=sort,
    )
    return page_of(EnrolmentPublic, rows, count, page)


@router.get("/{enrolment_id}", summary="查询培训报名 Get an enrolment")
async def get_enrolment(enrolment_id: str, session: SessionDep, principal: Reader) -> EnrolmentPublic:
    row = await service.get_or_404(session=session, enrolment_id=enrolment_id)
    principal.check_county(row.county_code)
    return EnrolmentPublic.model_validate(row)


@router.post("/{enrolment_id}/attendance", summary="培训考勤 Record attended hours",
             description="开班后记录出勤学时，累计不得超过课程总学时（超过为 422）。发布 "
                         "hrss.training.enrolment.attendance_recorded.v1。")
async def record_attendance(
    enrolment_id: str, body: AttendanceRecord, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    row = await service.record_attendance(session=session, outbox=outbox, principal=principal,
                                          enrolment_id=enrolment_id, data=body)
    return EnrolmentPublic.model_validate(row)


@router.post("/{enrolment_id}/complete", summary="培训结业 Complete an enrolment",
             description="结业日期当天或之后办理；评定为 passed 合格须出勤学时达到政策规定的课程总学时比例"
                         "（policy/completion.toml，按开班日期适用的版本），否则为 409，答复中列明所需学时、政策依据及"
                         "该比例是否为示例值（illustrative）；failed 不合格不受出勤限制。发布 "
                         "hrss.training.enrolment.completed.v1。")
async def complete(
    enrolment_id: str, body: Completion, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    row = await service.complete(session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id,
                                 data=body)
    return EnrolmentPublic.model_validate(row)


@router.post("/{enrolment_id}/withdraw", summary="退出培训 Withdraw from a course",
             description="在训学员退出培训，释放名额。发布 hrss.training.enrolment.withdrawn.v1。")
async def withdraw(
    enrolment_id: str, body: Withdrawal, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    row = await service.withdraw(session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id,
                                 data=body)
    return EnrolmentPublic.model_validate(row)


@router.post("/{enrolment_id}/correct", summary="更正培训报名 Correct an enrolment",
             description="登记有误时更正学员姓名、累计出勤学时（更正后的总数，不超过课程总学时）或已结业报名的结业结果"
                         "（更正为合格须出勤达到政策比例），须填写原因；已退出或已撤销的为 409。发布 "
                         "hrss.training.enrolment.corrected.v1；结业结果变更时职业技能培训补贴随之重新核定。")
async def correct(
    enrolment_id: str, body: EnrolmentCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    enrolment = await service.correct(session=session, outbox=outbox, principal=principal,
                                      enrolment_id=enrolment_id, data=body)
    return EnrolmentPublic.model_validate(enrolment)


@router.post("/{enrolment_id}/cancel", summary="撤销培训报名 Cancel an enrolment recorded in error",
             description="撤销登记有误的报名（在训或已结业），须填写原因：释放名额，抵用的培训券退回（有效期已过的记为"
                         "过期，发布 hrss.training.voucher.released.v1），据此核发的培训补贴撤销。"
                         "已退出或已撤销的为 409。发布 hrss.training.enrolment.cancelled.v1。")
async def cancel(
    enrolment_id: str, body: EnrolmentCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> EnrolmentPublic:
    enrolment = await service.cancel(session=session, outbox=outbox, principal=principal, enrolment_id=enrolment_id,
                                     data=body)
    return EnrolmentPublic.model_validate(enrolment)
