"""/v1/warnings and /v1/employers/{credit_code}/risk — 欠薪联合预警."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hrss_shared import clock
from hrss_shared.app import SessionDep
from hrss_shared.db import fetch_or_404
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, CreditCode
from labour_relations.deps import Reader, county_filter
from labour_relations.dishonesty import service as dishonesty
from labour_relations.warnings import service
from labour_relations.warnings.models import ArrearsWarning, EmployerRisk, WarningPublic, WarningStatus

router = APIRouter(tags=["warnings 欠薪联合预警"])
EVENT = "hrss.labour-relations.warning"


@router.get("/v1/warnings", summary="欠薪预警列表 List arrears warnings",
            description="单位预警分值达到阈值时产生一条预警（一次越过阈值一条，不是每个信号一条），分值回落到阈值以下时解除。"
                        f"发布 {EVENT}.raised.v1 / {EVENT}.cleared.v1。按单位、县（市、区）、状态和预警日期区间筛选。")
async def list_warnings(
    session: SessionDep, principal: Reader, page: PageDep,
    credit_code: Annotated[CreditCode | None, Query(description="单位统一社会信用代码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    status: Annotated[WarningStatus | None, Query(description="open 预警中 / cleared 已解除")] = None,
    raised: DateRange = date_range_param("raised_date 预警日期"),
    sort: str = sort_param(*service.SORTS, default="-raised_date"),
) -> Page[WarningPublic]:
    rows, count = await service.list_warnings(
        session=session, page=page, credit_code=credit_code, county_code=county_filter(principal, county_code),
        status=status, raised=raised, sort=sort)
    return page_of(WarningPublic, rows, count, page)


@router.get("/v1/warnings/{warning_id}", summary="查询欠薪预警 Get a warning")
async def get_warning(warning_id: str, session: SessionDep, principal: Reader) -> WarningPublic:
    row = await fetch_or_404(session, ArrearsWarning, warning_id, f"预警 {warning_id} 不存在 (warning not found)")
    if row.county_code is not None:
        principal.check_county(row.county_code)
    return WarningPublic.model_validate(row)


@router.get("/v1/employers/{credit_code}/risk", summary="单位欠薪风险分值 An employer's arrears-warning score",
            description="分值 = Σ 信号权重 × 0.5^(距今天数/半衰期)，信号为：社会保险服务的单位欠缴事件（补缴到位后不"
                        "再计入）、"
                        "未按月发薪、低于最低工资标准的工资发放、欠薪投诉、群体性欠薪；超过统计窗口、已撤销或已解决的信号不计。"
                        "权重、半衰期、窗口和阈值见 policy/warnings.toml（示例值，illustrative）。答复列出构成分值的"
                        "信号、"
                        "当前预警以及是否在失信联合惩戒名单内。")
async def employer_risk(
    credit_code: Annotated[CreditCode, Path(description="单位统一社会信用代码")], session: SessionDep,
    principal: Reader,
) -> EmployerRisk:
    today = clock.today()
    rules = service.POLICY.at(today)
    signals = await service.live_signals(session, credit_code, today)
    warning = await service.open_warning(session, credit_code)
    if warning is not None and warning.county_code is not None:
        principal.check_county(warning.county_code)
    score = service.total(signals)
    return EmployerRisk(
        credit_code=credit_code, as_of=today, score=score, threshold=rules.threshold,
        above_threshold=score >= rules.threshold, signals=signals,
        open_warning=WarningPublic.model_validate(warning) if warning else None,
        dishonest=await dishonesty.listed(session, credit_code) is not None, policy_source=rules.source,
        illustrative=rules.illustrative)
