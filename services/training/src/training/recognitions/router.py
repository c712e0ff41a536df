"""/v1/talent-recognitions — 人才认定."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, CreditCode, IdNumber
from training.deps import Reader, Writer, county_filter
from training.recognitions import service
from training.recognitions.models import (
    Decision,
    RecognitionApply,
    RecognitionCorrection,
    RecognitionPublic,
    RecognitionStatus,
)

router = APIRouter(prefix="/v1/talent-recognitions", tags=["talent recognition 人才认定"])

RULES = ("按 policy/talent_tiers.toml（申请日适用的版本；无官方文号的标明 illustrative）："
         "最高学历与毕业院校、所填荣誉与人才工程、本人有效的最高职称与最高技能等级（由本服务记录读取）"
         "和申请日年龄，归入所达到的最高层次 A 顶尖人才 / B 国家级领军人才 / C 省级领军人才 / "
         "D 市级拔尖人才 / E 高级人才（青年人才），并列明依据条目。")


@router.post("", status_code=201, summary="人才认定申请 Apply for talent recognition",
             description=RULES + "未达到任何层次为 422；已有待审核申请或同层次及以上的有效认定为 409（指明该记录）。"
                                 "发布 hrss.training.talent_recognition.applied.v1。")
async def apply(body: RecognitionApply, session: SessionDep, outbox: OutboxDep, principal: Writer) -> RecognitionPublic:
    return RecognitionPublic.model_validate(
        await service.apply(session=session, outbox=outbox, principal=principal, data=body))


@router.get("", summary="人才认定列表 List talent recognitions",
            description="按公民身份号码、县（市、区）、工作单位、层次、状态和申请日期区间筛选，可排序。")
async def list_recognitions(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    credit_code: Annotated[CreditCode | None, Query(description="工作单位统一社会信用代码")] = None,
    tier: Annotated[str | None, Query(pattern="^[A-E]$", description="人才层次 A–E")] = None,
    status: Annotated[RecognitionStatus | None, Query(description="状态")] = None,
    applied: DateRange = date_range_param("applied_date 申请日期"),
    sort: str = sort_param(*service.SORTS, default="-applied_date"),
) -> Page[RecognitionPublic]:
    rows, count = await service.list_recognitions(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        credit_code=credit_code, tier=tier, status=status, applied=applied, sort=sort)
    return Page[RecognitionPublic](data=[RecognitionPublic.model_validate(r) for r in rows], count=count,
                                   limit=page.limit, offset=page.offset)


@router.get("/{recognition_id}", summary="查询人才认定 Get a talent recognition")
async def get_recognition(recognition_id: str, session: SessionDep, principal: Reader) -> RecognitionPublic:
    r = await service.get_or_404(session=session, recognition_id=recognition_id)
    principal.check_county(r.county_code)
    return RecognitionPublic.model_validate(r)


@router.post("/{recognition_id}/approve", summary="认定 Approve",
             description="待审核的申请予以认定：编号 QZRC<年度><6位序号>，自今日起按政策年限有效；"
                         "同一人有效的较低层次认定被取代（发布 superseded）。"
                         "发布 hrss.training.talent_recognition.approved.v1。")
async def approve(recognition_id: str, session: SessionDep, outbox: OutboxDep, principal: Writer) -> RecognitionPublic:
    return RecognitionPublic.model_validate(await service.approve(
        session=session, outbox=outbox, principal=principal, recognition_id=recognition_id))


@router.post("/{recognition_id}/refuse", summary="不予认定 Refuse",
             description="待审核的申请不予认定（须填写原因）。发布 hrss.training.talent_recognition.refused.v1。")
async def refuse(
    recognition_id: str, body: Decision, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> RecognitionPublic:
    return RecognitionPublic.model_validate(await service.refuse(
        session=session, outbox=outbox, principal=principal, recognition_id=recognition_id, data=body))


@router.post("/{recognition_id}/revoke", summary="撤销认定 Revoke",
             description="已认定的撤销认定（须填写原因）。发布 hrss.training.talent_recognition.revoked.v1。")
async def revoke(
    recognition_id: str, body: Decision, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> RecognitionPublic:
    return RecognitionPublic.model_validate(await service.revoke(
        session=session, outbox=outbox, principal=principal, recognition_id=recognition_id, data=body))


@router.post("/{recognition_id}/cancel", summary="撤销登记 Cancel a recognition recorded in error",
             description="登记有误的申请或认定予以撤销（须填写原因）。"
                         "发布 hrss.training.talent_recognition.cancelled.v1。")
async def cancel(
    recognition_id: str, body: Decision, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> RecognitionPublic:
    return RecognitionPublic.model_validate(await service.cancel(
        session=session, outbox=outbox, principal=principal, recognition_id=recognition_id, data=body))


@router.post("/{recognition_id}/correct", summary="更正人才认定 Correct a recognition",
             description="更正姓名、工作地县（市、区）或工作单位（须填写原因；层次由认定条件决定，不能更正）；"
                         "已撤销登记的为 409。发布 hrss.training.talent_recognition.corrected.v1。")
async def correct(
    recognition_id: str, body: RecognitionCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> RecognitionPublic:
    return RecognitionPublic.model_validate(await service.correct(
        session=session, outbox=outbox, principal=principal, recognition_id=recognition_id, data=body))
