"""/v1/alerts — 政策监管 policy-supervision alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from gateway.alerts import service
from gateway.alerts.models import ActionBody, AlertPublic, AlertStatus, RulePublic
from gateway.alerts.policy import POLICY, describe
from hrss_shared import privacy
from hrss_shared.app import PROBLEMS, SessionDep, require, runtime_of
from hrss_shared.auth import SUPERVISE, Principal, county_filter
from hrss_shared.listing import DateRange, date_range_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import CountyCode

router = APIRouter(prefix="/v1/alerts", tags=["alerts 政策监管"])
Reader = Annotated[Principal, Depends(require(f"{GATEWAY.scope_domain}:read"))]
Supervisor = Annotated[Principal, Depends(require(SUPERVISE))]
AlertId = Annotated[str, Path(max_length=64, description="预警 id")]
CONFLICT = {**PROBLEMS, 409: {"description": "业务冲突 Conflict", "content": {"application/problem+json": {}}}}


@router.get("/rules", summary="政策监管规则 Alert rules",
            description="今天（北京时间）生效的规则：名称、是否启用、说明、阈值及其依据（source）或示例值标记（illustrative），"
                        "以及所在版本的生效日期。规则与阈值为数据（gateway/alerts/policy.toml），停用的规则不产生新预警。")
async def list_rules(principal: Reader) -> list[RulePublic]:
    return [RulePublic.model_validate(r) for r in describe(POLICY.today())]


@router.get("", summary="政策监管预警列表 List alerts",
            description="按规则、县（市、区）、状态（open 待处理 / acknowledged 已确认 / resolved 已处理 / retracted "
                        "已撤回：来源记录更正或撤销后不再成立）和发现日期区间筛选，按发现时间倒序。县级客户端只能看到本县。"
                        "每条预警列明证明它的事件 (topic, id, type)。身份证号码无 pii:read 时脱敏。")
async def list_alerts(
    session: SessionDep, principal: Reader, page: PageDep,
    rule: Annotated[str | None, Query(max_length=40, description="规则代码（见 /v1/alerts/rules）")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[AlertStatus | None, Query(description="open / acknowledged / resolved / retracted")] = None,
    detected: DateRange = date_range_param("detected date 发现日期（北京时间）"),
) -> Page[AlertPublic]:
    rows, count = await service.list_alerts(
        session=session, page=page, rule=rule, county_code=county_filter(principal, county_code), status=status,
        detected=detected)
    return Page[AlertPublic](data=rows, count=count, limit=page.limit, offset=page.offset)


@router.get("/{alert_id}", summary="查询预警 Get an alert", responses=PROBLEMS)
async def get_alert(
    alert_id: AlertId, session: SessionDep, principal: Reader,
) -> AlertPublic:
    return await service.get_alert(session=session, principal=principal, alert_id=alert_id)


async def _act(request: Request, principal: Principal, alert_id: str, body: ActionBody,
               action: service.Action) -> AlertPublic:
    """Record the action and its audit-log row in one transaction."""
    runtime = runtime_of(request)
    async with runtime.maker() as session:
        answer = await service.act(session=session, principal=principal, alert_id=alert_id, action=action,
                                   note=body.note)
        row = service.audit_row(principal, alert=answer, action=action, note=body.note,
                                purpose=privacy.purpose(request.headers.get(privacy.PURPOSE_HEADER)))
        async with runtime.audit.chain.appending(session, [row]):
            await session.commit()
    return answer


@router.post("/{alert_id}/acknowledge", summary="确认预警 Acknowledge an alert", responses=CONFLICT,
             description="待处理（open）的预警可确认一次，须填写说明；写入审计日志，答复预警的新状态。"
                         "其他状态（已确认、已处理、已撤回）为 409 并指明当前状态。需要 gateway:supervise。")
async def acknowledge(alert_id: AlertId, body: ActionBody, request: Request, principal: Supervisor) -> AlertPublic:
    return await _act(request, principal, alert_id, body, "acknowledge")


@router.post("/{alert_id}/resolve", summary="处理完毕 Resolve an alert", responses=CONFLICT,
             description="待处理或已确认的预警可标记处理完毕一次，须填写说明；写入审计日志，答复预警的新状态。"
                         "已处理或已撤回的预警为 409 并指明当前状态。需要 gateway:supervise。")
async def resolve(alert_id: AlertId, body: ActionBody, request: Request, principal: Supervisor) -> AlertPublic:
    return await _act(request, principal, alert_id, body, "resolve")
