"""Test-only stand-ins for the JSON endpoints the dashboard reads, with exactly the documented shapes
(/work/briefs gateway-common: /v1/indicators, /v1/indicators/series, /v1/indicators/by-county, /v1/alerts,
/v1/arrears-cases/overdue, /v1/warnings; lists in the house's page shape ``{data, count, limit, offset}``).

The figures are made up for the tests and differ by county and year, so a filter visibly changes the charts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from hrss_shared.app import require
from hrss_shared.auth import Principal, county_filter
from hrss_shared.paging import PageDep
from hrss_shared.problems import Forbidden, NotFound
from hrss_shared.validators import QUZHOU_COUNTIES

Reader = Annotated[Principal, Depends(require("gateway:read"))]
COUNTIES = list(QUZHOU_COUNTIES)
PLAN = {"id": "qz-14th-hrss", "title": "衢州市人力资源和社会保障事业发展“十四五”规划", "period_start": 2021,
        "period_end": 2025, "source": "测试数据 test fixture"}
# code: (name, unit, group, period, city target, comparison)
INDICATORS: dict[str, tuple[str, str, str, str, str, str]] = {
    "new_urban_employment": ("城镇新增就业", "人次", "就业", "plan_to_date", "200000", ">="),
    "vocational_training": ("职业技能培训", "人次", "技能", "year", "50000", ">="),
    "pension_insured": ("基本养老保险参保人数", "人", "社保", "year_end", "2040000", ">="),
}
# A county's figures: the county's position (1..6) times these; the city's are the sum over the counties.
PER_COUNTY = {"new_urban_employment": 1000, "vocational_training": 700, "pension_insured": 50000}


def actual(code: str, year: int, county: str | None) -> int:
    """The fixture's actual value: grows with the year (cumulated over the plan for plan_to_date)."""
    positions = [COUNTIES.index(county) + 1] if county else list(range(1, 7))
    base = sum(positions) * PER_COUNTY[code]
    years = max(0, min(year, 2025) - 2020)
    return base * years if INDICATORS[code][3] == "plan_to_date" else base + 10 * (year - 2020)


def target(code: str, county: str | None) -> int | None:
    """The plan sets city-wide targets only: none for a county (as /v1/indicators answers)."""
    return int(INDICATORS[code][4]) if county is None else None


def share(code: str, year: int, county: str | None) -> str | None:
    goal = target(code, county)
    if goal is None:
        return None
    return str((Decimal(actual(code, year, county)) / Decimal(goal)).quantize(Decimal("0.0001")))


def text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _indicator(code: str, year: int, county: str | None) -> dict[str, Any]:
    name, unit, group, period, _, comparison = INDICATORS[code]
    return {"code": code, "name": name, "unit": unit, "group": group, "period": period,
            "target": text(target(code, county)), "comparison": comparison,
            "target_scope": "2021–2025 累计" if period == "plan_to_date" else None,
            "actual": str(actual(code, year, county)), "share": share(code, year, county), "status": "measured",
            "reason": None if county is None else "规划只定全市目标 (city-wide targets only)",
            "illustrative": False, "source": "测试数据 test fixture"}


SURVEYED = {"code": "surveyed_unemployment_rate", "name": "城镇调查失业率", "unit": "%", "group": "就业",
            "period": "rate", "target": "5.5", "comparison": "<=", "target_scope": None, "actual": None,
            "share": None, "status": "not_measured", "reason": "抽样调查数据，行政记录中没有 (a survey figure)",
            "illustrative": False, "source": "测试数据 test fixture"}


def _page(rows: list[dict[str, Any]], page: Any) -> dict[str, Any]:
    return {"data": rows[page.offset:page.offset + page.limit], "count": len(rows), "limit": page.limit,
            "offset": page.offset}


def _alerts() -> list[dict[str, Any]]:
    rows = []
    for n, county in enumerate(COUNTIES):
        rows.append({
            "id": f"al-{county}", "rule": "benefit_after_reemployment", "rule_name": "再就业后仍领取失业保险金",
            "county_code": county, "id_number": f"{county[:4]}**********{1000 + n}", "credit_code": None,
            "summary": f"{QUZHOU_COUNTIES[county]}：2024年3月再就业后仍领取失业保险金", "status": "open",
            "detected_at": f"2024-04-0{n + 1}T09:00:00+08:00",
            "evidence": [{"topic": "hrss.employment", "id": f"ev-{county}", "type": "hrss.employment.x.v1"}],
            "notes": []})
    # A formula-like summary (CSV injection), and enough open alerts in 江山市 for an export of two pages.
    rows[0]["summary"] = "=HYPERLINK(\"http://example.invalid\")"
    rows += [{**rows[-1], "id": f"al-bulk-{i:03d}", "detected_at": "2024-05-01T09:00:00+08:00"} for i in range(505)]
    rows.append({**rows[0], "id": "al-resolved", "status": "resolved"})
    return rows


ALERTS = _alerts()
ARREARS = [
    {"id": f"ar-{county}", "credit_code": f"91330{n}00MA2X{n}Y4L1Q",
     "employer_name": f"{QUZHOU_COUNTIES[county]}某建筑公司", "county_code": county, "status": "accepted",
     "accepted_date": "2024-01-10", "deadline_date": "2024-03-10",
     "days_overdue": 30 + n, "workers_affected": 10 + n, "amount_owed": f"{123456 + n}.50"}
    for n, county in enumerate(COUNTIES)
]
WARNINGS = [
    {"credit_code": f"91330{n}00MA2X{n}Y4L1Q", "employer_name": f"{QUZHOU_COUNTIES[county]}某制造公司",
     "county_code": county, "score": str(60 + n), "level": "high" if n % 2 else "medium",
     "signals": [{"code": "arrears", "name": "欠缴社保费", "weight": "30", "detail": "连续3个月"},
                 {"code": "complaints", "name": "欠薪投诉", "weight": "20", "detail": "2件"}],
     "as_of": "2024-06-01T08:00:00+08:00"}
    for n, county in enumerate(COUNTIES)
]


def _counties(rows: list[dict[str, Any]], county: str | None) -> list[dict[str, Any]]:
    return [r for r in rows if county is None or r["county_code"] == county]


def router() -> APIRouter:
    api = APIRouter()

    @api.get("/v1/indicators")
    async def indicators(principal: Reader, year: int, county_code: str | None = None) -> dict[str, Any]:
        county = county_filter(principal, county_code)
        return {"year": year, "county_code": county, "plan": PLAN if 2021 <= year <= 2025 else None,
                "indicators": [_indicator(code, year, county) for code in INDICATORS] + [SURVEYED],
                "as_of": "2024-06-01T08:00:00+08:00"}

    @api.get("/v1/indicators/series")
    async def series(principal: Reader, code: str, county_code: str | None = None) -> dict[str, Any]:
        county = county_filter(principal, county_code)
        if code not in INDICATORS:
            raise NotFound(f"指标 {code} 不存在")
        name, unit = INDICATORS[code][:2]
        return {"code": code, "name": name, "unit": unit,
                "points": [{"year": y, "actual": str(actual(code, y, county)), "target": text(target(code, county))}
                           for y in range(2021, 2026)]}

    @api.get("/v1/indicators/by-county")
    async def by_county(principal: Reader, year: int, code: str) -> dict[str, Any]:
        if principal.county is not None:
            raise Forbidden("分县对比仅限全市客户端")
        name, unit = INDICATORS[code][:2]
        return {"code": code, "name": name, "unit": unit, "year": year,
                "counties": [{"county_code": c, "county_name": QUZHOU_COUNTIES[c], "actual": str(actual(code, year, c)),
                              "target": None} for c in COUNTIES]}

    @api.get("/v1/alerts")
    async def alerts(principal: Reader, page: PageDep, county_code: str | None = None,
                     status: Annotated[str | None, Query()] = None) -> dict[str, Any]:
        rows = _counties(ALERTS, county_filter(principal, county_code))
        return _page([r for r in rows if status is None or r["status"] == status], page)

    @api.get("/v1/arrears-cases/overdue")
    async def overdue(principal: Reader, page: PageDep, county_code: str | None = None) -> dict[str, Any]:
        return _page(_counties(ARREARS, county_filter(principal, county_code)), page)

    @api.get("/v1/warnings")
    async def warnings(principal: Reader, page: PageDep, county_code: str | None = None,
                       level: str | None = None) -> dict[str, Any]:
        rows = _counties(WARNINGS, county_filter(principal, county_code))
        return _page([r for r in rows if level is None or r["level"] == level], page)

    return api
