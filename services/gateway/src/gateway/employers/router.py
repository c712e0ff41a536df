"""/v1/employers — the employer view (用人单位视图); /v1/arrears-cases/overdue and /v1/warnings — the bureau's lists."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gateway.employers import levels, service
from gateway.employers.schemas import EmployerView, OverdueCase, WarningListItem
from hrss_shared import clock
from hrss_shared.app import PROBLEMS, SessionDep, require
from hrss_shared.auth import Principal, county_filter
from hrss_shared.paging import Page, PageDep
from hrss_shared.problems import InvalidField
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import CountyCode, CreditCode

READ_SCOPE = f"{GATEWAY.scope_domain}:read"
Reader = Annotated[Principal, Depends(require(READ_SCOPE))]
County = Annotated[CountyCode | None, Query(description="县（市、区）代码 county code; a county client sees only its "
                                                        "own county")]
router = APIRouter(tags=["employers 用人单位视图"])


@router.get(
    "/v1/employers/{credit_code}",
    summary="用人单位视图 Employer view",
    description="按统一社会信用代码查询单位的基本信息、在职职工、社保缴费与欠缴、欠薪案件、在建工程与在线发薪、欠薪预警、"
    "失信联合惩戒名单、招聘岗位、培训基地与技能大师工作室、在职认定人才；各部分带截至时间 as_of。"
    "Employees are the employment registrations at this employer not ended before today (Beijing time): an "
    "employment whose end date is today still counts today. Recognised talents are the current employees with a "
    "talent recognition approved and valid today; former employees' recognitions are not included. Cancelled "
    "(撤销) cases, contributions and payrolls do not count. ID numbers are masked without pii:read; unmasked reads "
    "are audited (X-Purpose header = why). A county client sees only its county's employers (403 otherwise); an "
    "employer no event has mentioned answers 404.",
    responses=PROBLEMS,
)
async def get_employer(credit_code: CreditCode, session: SessionDep, principal: Reader) -> EmployerView:
    view = await service.get_employer(session=session, credit_code=credit_code, today=clock.today())
    principal.check_county(view.profile.county_code)
    return view


@router.get(
    "/v1/arrears-cases/overdue",
    summary="超期未办结欠薪案件 Overdue wage-arrears cases",
    description="已立案、未结案（未结案或移送仲裁）且办结期限早于今天（北京时间）的欠薪案件，超期最久的在前；"
    "days_overdue 为自然日（期限次日为超期1天；期限当天不算超期）。撤销的案件不列出。"
    "Filtered by county; a county client sees only its own.",
    responses=PROBLEMS,
)
async def list_overdue(session: SessionDep, principal: Reader, page: PageDep,
                       county_code: County = None) -> Page[OverdueCase]:
    return await service.list_overdue(session=session, county_code=county_filter(principal, county_code), page=page,
                                      today=clock.today())


@router.get(
    "/v1/warnings",
    summary="欠薪预警单位 Employers under an arrears warning",
    description="预警中（未解除）的欠薪预警，分值高的在前，含构成分值的信号。等级 level 由分值与阈值之比按 "
    "policy/warning_levels.toml 划分（平台示例值，illustrative）。县（市、区）取预警所载，无则取单位登记所在地。",
    responses=PROBLEMS,
)
async def list_warnings(
    session: SessionDep, principal: Reader, page: PageDep, county_code: County = None,
    level: Annotated[str | None, Query(description="预警等级 " + " / ".join(
        f"{k} {v}" for k, v in levels.NAMES.items()), json_schema_extra={"enum": list(levels.LEVELS)})] = None,
) -> Page[WarningListItem]:
    if level is not None and level not in levels.LEVELS:
        raise InvalidField("level", f"不支持的预警等级 {level!r} (unknown level; one of: {', '.join(levels.LEVELS)})")
    return await service.list_warnings(session=session, county_code=county_filter(principal, county_code),
                                       level=level, page=page)
