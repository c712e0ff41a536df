"""指标口径 what each indicator counts: one SQL aggregate per measure over ``indicator_facts``, by county or for the
city. The definitions are those of the owning services' statistics (employment, training, social insurance,
labour relations), computed here from their events; each measure's ``definition`` is served with the answer.

Year Y = 1 January to 31 December. "By county": the record's county; the city total counts a person once, so it
may be less than the sum of the counties for counts of persons.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, and_, case, exists, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.indicators.models import IndicatorFact, Period
from hrss_shared import clock
from hrss_shared.statistics import Year, by_area

F = IndicatorFact
Values = dict[str, Decimal | None]  # area code (330800 for the city) -> value; None: nothing to compute from


class day_before(FunctionElement[date]):  # noqa: N801 - SQL function naming
    """``date - 1 day`` in SQL, for SQLite (ISO date strings) and PostgreSQL (``date - integer``)."""

    type = Date()
    inherit_cache = True


@compiles(day_before)
def _day_before_default(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(list(element.clauses)[0], **kw)} - 1)"


@compiles(day_before, "sqlite")
def _day_before_sqlite(element: day_before, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(list(element.clauses)[0], **kw)}, '-1 day')"


def _of(kind: str, table: Any = F) -> Any:
    return and_(col(table.kind) == kind, col(table.void).is_(False))


def _in(column: Any, year: Year) -> Any:
    return and_(column >= year.first, column <= year.last)


def _open_at(table: Any, day: date) -> Any:
    """Started on or before ``day`` and not ended on or before it (open at the end of the day)."""
    return and_(col(table.start_date) <= day, or_(col(table.end_date).is_(None), col(table.end_date) > day))


async def _count(session: AsyncSession, stmt: Any, area: Any, county: str | None, grouped: bool) -> dict[str, int]:
    return {a: int(v[0] or 0) for a, v in (await by_area(session, stmt, area, county=county, grouped=grouped)).items()}


def _per_cent(numerator: int, denominator: int, places: str) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(100 * numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _counts(values: dict[str, int]) -> Values:
    return {a: Decimal(v) for a, v in values.items()}


def _ratio(top: dict[str, int], bottom: dict[str, int], places: str) -> Values:
    return {a: _per_cent(top.get(a, 0), bottom.get(a, 0), places) for a in set(top) | set(bottom)}


# ---- 就业 -------------------------------------------------------------------------------------------------------


async def new_urban_employment(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    reg, prior = aliased(F), aliased(F)
    held_on_eve = exists().where(
        _of("employment", prior), col(prior.subject) == col(reg.subject), col(prior.key) != col(reg.key),
        col(prior.start_date) < col(reg.start_date),
        or_(col(prior.end_date).is_(None), col(prior.end_date) >= day_before(col(reg.start_date))))
    first = func.row_number().over(partition_by=(col(reg.subject), col(reg.start_date)), order_by=col(reg.key))
    starts = (select(col(reg.county_code), first.label("nth"))
              .where(_of("employment", reg), _in(col(reg.start_date), year), ~held_on_eve).subquery())
    gross = await _count(session, select(func.count()).select_from(starts).where(starts.c.nth == 1),
                         starts.c.county_code, county, grouped)
    ended, other = aliased(F), aliased(F)
    still_employed = exists().where(
        _of("employment", other), col(other.subject) == col(ended.subject), col(other.key) != col(ended.key),
        day_before(col(other.start_date)) <= col(ended.end_date),
        or_(col(other.end_date).is_(None), col(other.end_date) > col(ended.end_date)))
    attrition = await _count(session, select(func.count()).where(
        _of("employment", ended), col(ended.start_date).is_not(None), _in(col(ended.end_date), year),
        day_before(col(ended.retires_on)) <= col(ended.end_date), ~still_employed),
        col(ended.county_code), county, grouped)
    return {a: Decimal(gross.get(a, 0) - attrition.get(a, 0)) for a in set(gross) | set(attrition)}


async def _employed(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> dict[str, int]:
    stmt = select(func.count(func.distinct(F.subject))).where(_of("employment"), _open_at(F, year.last))
    return await _count(session, stmt, col(F.county_code), county, grouped)


async def registered_unemployment_rate(
    session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> Values:
    unemployed = await _count(session, select(func.count(func.distinct(F.subject))).where(
        _of("unemployment"), _open_at(F, year.last)), col(F.county_code), county, grouped)
    employed = await _employed(session, year, county, grouped)
    return {a: _per_cent(unemployed.get(a, 0), unemployed.get(a, 0) + employed.get(a, 0), "0.01")
            for a in set(unemployed) | set(employed)}


# ---- 技能 -------------------------------------------------------------------------------------------------------


async def training_person_times(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return _counts(await _count(session, select(func.count()).where(
        _of("training"), col(F.status) == "completed", _in(col(F.start_date), year)),
        col(F.county_code), county, grouped))


async def skill_certifications(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return _counts(await _count(session, select(func.count()).where(
        _of("certificate"), _in(col(F.start_date), year)), col(F.county_code), county, grouped))


def _high(table: Any = F) -> Any:
    return and_(_of("certificate", table), col(table.level) <= 3, col(table.start_date).is_not(None))


async def new_high_skill_talent(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    first = (select(col(F.subject).label("subject"), func.min(col(F.start_date)).label("first"))
             .where(_high()).group_by(col(F.subject)).subquery())
    stmt = (select(func.count(func.distinct(col(F.subject))))
            .join(first, and_(first.c.subject == col(F.subject), first.c.first == col(F.start_date)))
            .where(_high(), _in(first.c.first, year)))
    return _counts(await _count(session, stmt, col(F.county_code), county, grouped))


async def _skilled(session: AsyncSession, year: Year, county: str | None, grouped: bool,
                   high: bool) -> dict[str, int]:
    held = [_of("certificate"), col(F.start_date) <= year.last]
    if high:
        held.append(col(F.level) <= 3)
    return await _count(session, select(func.count(func.distinct(F.subject))).where(*held),
                        col(F.county_code), county, grouped)


async def skilled_share_of_employed(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return _ratio(await _skilled(session, year, county, grouped, high=False),
                  await _employed(session, year, county, grouped), "0.01")


async def high_skilled_share_of_skilled(
    session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> Values:
    return _ratio(await _skilled(session, year, county, grouped, high=True),
                  await _skilled(session, year, county, grouped, high=False), "0.01")


async def _platforms(session: AsyncSession, year: Year, county: str | None, grouped: bool, kind: str) -> Values:
    return _counts(await _count(session, select(func.count()).where(
        _of("platform"), col(F.category) == kind, _in(col(F.start_date), year)), col(F.county_code), county, grouped))


async def new_master_studios(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return await _platforms(session, year, county, grouped, "master_studio")


async def new_enterprise_high_skill_bases(
    session: AsyncSession, year: Year, county: str | None, grouped: bool
) -> Values:
    return await _platforms(session, year, county, grouped, "enterprise_high_skill_demo")


# ---- 社保 -------------------------------------------------------------------------------------------------------


async def _insured(session: AsyncSession, year: Year, county: str | None, grouped: bool, *types: str) -> Values:
    stmt = select(func.count(func.distinct(F.subject))).where(
        _of("insurance"), col(F.category).in_(types), col(F.status).not_in(["pending", "cancelled"]),
        col(F.start_date) <= year.last, or_(col(F.end_date).is_(None), col(F.end_date) >= year.last))
    return _counts(await _count(session, stmt, col(F.county_code), county, grouped))


async def pension_insured(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return await _insured(session, year, county, grouped, "employee_pension", "resident_pension")


async def unemployment_insured(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return await _insured(session, year, county, grouped, "unemployment")


async def work_injury_insured(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return await _insured(session, year, county, grouped, "work_injury")


async def valid_cards(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return _counts(await _count(session, select(func.count(func.distinct(F.subject))).where(
        _of("card"), _open_at(F, year.last)), col(F.county_code), county, grouped))


# ---- 劳动关系 ---------------------------------------------------------------------------------------------------


async def _rate(session: AsyncSession, stmt: Any, county: str | None, grouped: bool) -> Values:
    """``stmt`` selects (numerator, denominator); the share in per cent to one place, as labour relations gives it."""
    rows = await by_area(session, stmt, col(F.county_code), county=county, grouped=grouped)
    return {a: _per_cent(int(v[0] or 0), int(v[1] or 0), "0.1") for a, v in rows.items()}


def _sum_if(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


async def on_time_closure_rate(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    concluded = and_(col(F.status).in_(["closed", "transferred"]), _in(col(F.end_date), year))
    overdue = and_(col(F.status).in_(["accepted", "investigating", "mediating", "resolved"]),
                   _in(col(F.due_date), year), col(F.due_date) < clock.today())
    stmt = select(_sum_if(and_(concluded, col(F.flag).is_(True))), _sum_if(or_(concluded, overdue))).where(
        _of("arrears_case"))
    return await _rate(session, stmt, county, grouped)


async def online_payroll_rate(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    stmt = select(_sum_if(col(F.flag).is_(True)), func.count()).where(
        _of("payroll"), _in(col(F.start_date), year))
    return await _rate(session, stmt, county, grouped)


async def grassroots_mediation_rate(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    stmt = select(_sum_if(col(F.category) == "grassroots_mediation"), func.count()).where(
        _of("dispute"), _in(col(F.start_date), year))
    return await _rate(session, stmt, county, grouped)


async def group_arrears_cases(session: AsyncSession, year: Year, county: str | None, grouped: bool) -> Values:
    return _counts(await _count(session, select(func.count()).where(
        _of("arrears_case"), col(F.category) == "group", _in(col(F.start_date), year)),
        col(F.county_code), county, grouped))


# ---- the catalogue ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    code: str
    name: str
    unit: str
    group: str
    period: Period  # the measure's own period: year (a flow), year_end (a stock) or rate
    compute: Callable[[AsyncSession, Year, str | None, bool], Awaitable[Values]]
    definition: str

    @property
    def additive(self) -> bool:
        """Whether yearly values add up over a plan's years (flows do; stocks and rates do not)."""
        return self.period == "year"


MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("new_urban_employment", "城镇新增就业", "人次", "就业", "year", new_urban_employment,
            "口径同就业服务 /v1/statistics: 城镇新增就业（人"
            "次）= 当年由未就业进入就业的就业登记人次（登记开始日前一日本人"
            "无在续就业登记；同一人同日多条计1次，计入id最小一条的"
            "用人单位所在县）− 自然减员（当年终止、终止次日已达法定"
            "退休年龄且无其他在续就业登记的人次；女性按55周岁口径；死亡等未登记，不扣除）。"),
    Measure("registered_unemployment_rate", "城镇登记失业率", "%", "就业", "rate", registered_unemployment_rate,
            "口径同就业服务: 年末登记失业人数（12月31日终了时失业登记仍有效的人数，撤销的不计）÷（年末从业人员数 + 年末"
            "登记失业人数）× 100，保留两位小数；年末从业人员 = 12月31日终了时就业登记在续的人数（按用人单位所在县）。"),
    Measure("training_person_times", "职业培训", "人次", "技能", "year", training_person_times,
            "口径同培训服务: 当年结业（合格与不合格）的培训报名人"
            "次，按课程所在县；撤销的报名不计，更正为未结业的不计。"),
    Measure("skill_certifications", "技能等级认定", "人次", "技能", "year", skill_certifications,
            "口径同培训服务: 当年发证且未撤销的职业技能等级证书数（专项职业能力证书不计），按认定地县。"),
    Measure("new_high_skill_talent", "新增高技能人才", "人", "技能", "year", new_high_skill_talent,
            "口径同培训服务: 首张有效的三级/高级工及以上证书在当"
            "年发证的人数（此前已持有者不算新增），按该证书认定地县。"),
    Measure("skilled_share_of_employed", "技能人才占从业人员比例", "%", "技能", "rate", skilled_share_of_employed,
            "技能人才（年末持有有效职业技能等级证书的人数，按认定地县）÷ 年末从业人员数（就业登记在续的人数）× 100，"
            "保留两位小数。持证者不限于在册从业人员，未登记的就业不在分母中。"),
    Measure("high_skilled_share_of_skilled", "高技能人才占技能人才比例", "%", "技能", "rate",
            high_skilled_share_of_skilled,
            "高技能人才（年末持有有效三级及以上证书的人数）÷ 技能人"
            "才（年末持有有效等级证书的人数）× 100，保留两位小数。"),
    Measure("new_master_studios", "新增技能大师工作室", "家", "技能", "year", new_master_studios,
            "口径同培训服务: 当年认定的技能大师工作室数（不论级别与此后状态），按所在县。"),
    Measure("new_enterprise_high_skill_bases", "新增企业高技能人才培训示范基地", "家", "技能", "year",
            new_enterprise_high_skill_bases,
            "口径同培训服务: 当年认定的企业高技能人才培训示范基地数（公共实训基地不计），按所在县。"),
    Measure("pension_insured", "基本养老保险参保人数", "人", "社保", "year_end", pension_insured,
            "口径同社保服务: 12月31日参保的人数，企业职工与城乡居"
            "民基本养老合并、每人计1次；参保登记开始日不晚于12月31日"
            "且未在其前终止（当日终止仍计），待生效（未缴费）与撤销的不计，暂停缴费的计入；按参保地县。"),
    Measure("unemployment_insured", "失业保险参保人数", "人", "社保", "year_end", unemployment_insured,
            "口径同社保服务: 12月31日失业保险参保的人数（同上规则）。"),
    Measure("work_injury_insured", "工伤保险参保人数", "人", "社保", "year_end", work_injury_insured,
            "口径同社保服务: 12月31日工伤保险参保的人数（同上规则）。"),
    Measure("valid_cards", "社会保障卡持卡人数", "张", "社保", "year_end", valid_cards,
            "口径同社保服务 cards_valid: 12月31日终了时持"
            "有有效社会保障卡（正常或挂失；当日或之前注销、补换的旧卡不计）的"
            "人数（每人一张有效卡），按发卡地县。"),
    Measure("on_time_closure_rate", "欠薪案件按期结案率", "%", "劳动关系", "rate", on_time_closure_rate,
            "口径同劳动关系服务: 当年结案或移送仲裁且不晚于办结期限"
            "的案件 ÷（当年结案或移送仲裁的案件 + 办结期限在当年且"
            "已超期仍未结的案件）× 100，保留一位小数；撤销的不计。"),
    Measure("online_payroll_rate", "在建工程项目在线发薪率", "%", "劳动关系", "rate", online_payroll_rate,
            "口径同劳动关系服务: 发放日期在当年的工资发放记录中经农民工工资专用账户发放的 ÷ 全部（不含撤销）× 100，"
            "保留一位小数。"),
    Measure("grassroots_mediation_rate", "劳动纠纷基层调解率", "%", "劳动关系", "rate", grassroots_mediation_rate,
            "口径同劳动关系服务: 当年受理的劳动纠纷中经基层调解渠道处理的 ÷ 受理总数（不含撤销）× 100，保留一位小数。"),
    Measure("group_arrears_cases", "群体性欠薪案件（10人以上）", "起", "劳动关系", "year", group_arrears_cases,
            "当年登记、涉及10人以上的欠薪案件数（不含撤销）。数据不记录是否“造成严重不良影响”，故每件10人以上案件均计入"
            "（上限口径）。"),
)}
