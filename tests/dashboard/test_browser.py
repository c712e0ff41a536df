"""The dashboard in a real headless browser (Debian's chromium driven by Playwright): sign-in required, the page
loads with no console error, the charts render the API's figures, the county and year filters change them,
exports download and parse back, a county client sees its county only."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, ConsoleMessage, Error, Page

from tests.dashboard import fixtures
from tests.dashboard.conftest import city_token, county_token
from tests.dashboard.idp import LocalProvider
from tests.support import token

SHARE_CODES = ["new_urban_employment", "vocational_training", "pension_insured"]


class Tab:
    """A browser tab on the dashboard that records every console error and uncaught page error."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _page_error(self, exc: Error) -> None:
        self.errors.append(f"pageerror: {exc}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    async def sign_in(self, credential: str) -> None:
        await self.page.goto(self.base + "/dashboard")
        assert self.page.url == self.base + "/dashboard/signin"
        await self.page.fill("#token", credential)
        await self.page.click("#signin-submit")

    async def rendered(self, count: int = 1) -> None:
        await self.page.wait_for_function(f"() => window.hrssDashboard && window.hrssDashboard.renders >= {count}")

    async def chart(self, canvas: str) -> list[list[float | None]]:
        """The data of each dataset of the chart drawn on ``canvas``."""
        data: list[list[float | None]] = await self.page.evaluate(
            "(id) => Chart.getChart(id).data.datasets.map((d) => d.data)", canvas)
        return data

    async def labels(self, canvas: str) -> list[str]:
        labels: list[str] = await self.page.evaluate("(id) => Chart.getChart(id).data.labels", canvas)
        return labels

    async def painted(self, canvas: str) -> int:
        """How many pixels of the canvas are not blank (the chart was drawn, not only configured)."""
        count: int = await self.page.evaluate("""(id) => {
            const c = document.getElementById(id);
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) n += 1; } return n; }""", canvas)
        return count

    async def cells(self, table: str, column: int) -> list[str]:
        texts: list[str] = await self.page.locator(f"#table-{table} tbody tr td:nth-child({column})").all_inner_texts()
        return texts


@pytest.fixture
async def tab(browser: Browser, server: tuple[str, FastAPI]) -> AsyncIterator[Tab]:
    context = await browser.new_context(accept_downloads=True, locale="zh-CN")
    try:
        yield Tab(await context.new_page(), server[0])
    finally:
        await context.close()


def shares(year: int) -> list[float]:
    """The city's share of each target, in percent (the plan sets no county targets)."""
    return [round(float(fixtures.share(code, year, None) or 0) * 100, 2) for code in SHARE_CODES]


def series(code: str, county: str | None) -> list[list[float | None]]:
    goal = fixtures.target(code, county)
    return [[float(fixtures.actual(code, y, county)) for y in range(2021, 2026)],
            [None if goal is None else float(goal)] * 5]


BLUE = "#2f6fb3"


async def test_sign_in_is_required_and_a_wrong_credential_says_so(tab: Tab) -> None:
    await tab.page.goto(tab.base + "/dashboard")
    assert tab.page.url == tab.base + "/dashboard/signin"
    assert await tab.page.locator("#signin-error").is_hidden()
    await tab.sign_in("not-a-token")
    assert tab.page.url == tab.base + "/dashboard/signin?error=invalid"
    assert "访问凭证无效" in await tab.page.inner_text("#signin-error")
    await tab.sign_in(token("employment:read"))
    assert "gateway:read" in await tab.page.inner_text("#signin-error")
    # The sign-in page itself logs no error (the refused form posts are redirects, not failed loads).
    assert tab.errors == []


async def test_the_page_renders_the_indicators_and_tables_with_no_console_error(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    assert tab.page.url == tab.base + "/dashboard"
    year = int(await tab.page.input_value("#year"))
    assert await tab.page.input_value("#county") == ""
    assert await tab.labels("chart-share") == ["城镇新增就业", "职业技能培训", "基本养老保险参保人数"]
    assert await tab.chart("chart-share") == [shares(year)]
    assert await tab.page.locator("#share-note").is_hidden() and await tab.page.locator("#chart-share").is_visible()
    assert await tab.page.input_value("#indicator") == "new_urban_employment"
    assert await tab.chart("chart-series") == series("new_urban_employment", None)
    by_county = await tab.chart("chart-county")
    assert by_county[0] == [float(fixtures.actual("new_urban_employment", year, c)) for c in fixtures.COUNTIES]
    assert await tab.labels("chart-county") == ["柯城区", "衢江区", "常山县", "开化县", "龙游县", "江山市"]
    for canvas in ("chart-share", "chart-series", "chart-county"):
        assert await tab.painted(canvas) > 1000, canvas
    assert await tab.page.inner_text("#count-alerts") == f"共 {sum(a['status'] == 'open' for a in fixtures.ALERTS)} 条"
    assert len(await tab.cells("alerts", 1)) == 50  # one page of 50, with a pager
    assert await tab.page.locator('.pager[data-table="alerts"] button').count() == 2
    assert await tab.cells("arrears", 1) == [a["employer_name"] for a in fixtures.ARREARS]
    assert await tab.cells("warnings", 6) == ["欠缴社保费、欠薪投诉"] * 6
    indicator_rows = await tab.cells("indicators", 1)
    assert indicator_rows[-1] == "城镇调查失业率" and (await tab.cells("indicators", 6))[-1] == "无法统计"
    assert await tab.page.inner_text("#who-county") == "全市"
    assert tab.errors == []


async def test_the_county_year_and_indicator_filters_change_the_charts(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    year = int(await tab.page.input_value("#year"))
    await tab.page.select_option("#year", "2022")
    await tab.rendered(2)
    assert await tab.chart("chart-share") == [shares(2022)] and shares(2022) != shares(year)
    await tab.page.select_option("#county", "330824")
    await tab.rendered(3)
    # No county targets: no share, a note saying why; the county's own actuals across the years.
    assert await tab.chart("chart-share") == [[]] and await tab.page.locator("#chart-share").is_hidden()
    assert "规划只定全市目标" in await tab.page.inner_text("#share-note")
    assert await tab.chart("chart-series") == series("new_urban_employment", "330824")
    colours = await tab.page.evaluate("() => Chart.getChart('chart-county').data.datasets[0].backgroundColor")
    assert colours[fixtures.COUNTIES.index("330824")] == BLUE  # the chosen county stands out
    assert [c for c in colours if c != BLUE] == [BLUE + "55"] * 5
    assert await tab.cells("arrears", 3) == ["开化县"]
    assert await tab.page.inner_text("#count-alerts") == "共 1 条"
    href = await tab.page.get_attribute("#export-alerts-csv", "href")
    assert href == "/dashboard/export/alerts.csv?county_code=330824&status=open"
    await tab.page.select_option("#indicator", "pension_insured")
    await tab.page.wait_for_function("() => Chart.getChart('chart-series').data.datasets[0].data[0] === "
                                     f"{fixtures.actual('pension_insured', 2021, '330824')}")
    assert await tab.chart("chart-series") == series("pension_insured", "330824")
    assert tab.errors == []


async def test_exports_download_and_parse_back(tab: Tab, tmp_path: Path) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    await tab.page.select_option("#county", "330802")
    await tab.rendered(2)
    async with tab.page.expect_download() as xlsx_download:
        await tab.page.click("#export-arrears-xlsx")
    download = await xlsx_download.value
    name = download.suggested_filename
    assert name.startswith("超期欠薪案件-330802-") and name.endswith(".xlsx")
    await download.save_as(tmp_path / "arrears.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "arrears.xlsx").active.iter_rows(values_only=True))
    assert rows[0][0] == "案件编号" and [r[0] for r in rows[1:]] == ["ar-330802"]
    async with tab.page.expect_download() as csv_download:
        await tab.page.click("#export-warnings-csv")
    await (await csv_download.value).save_as(tmp_path / "warnings.csv")
    data = (tmp_path / "warnings.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][:2] == ["统一社会信用代码", "用人单位"] and [line[1] for line in lines[1:]] == ["柯城区某制造公司"]
    assert tab.errors == []


async def test_a_county_client_sees_its_county_only(tab: Tab) -> None:
    await tab.sign_in(county_token("330803"))
    await tab.rendered()
    county = tab.page.locator("#county")
    assert await county.is_disabled() and await county.input_value() == "330803"
    assert await county.locator("option").all_inner_texts() == ["衢江区"]
    assert await tab.page.inner_text("#who-county") == "衢江区"
    assert await tab.page.locator("#panel-county").is_hidden()
    assert await tab.chart("chart-share") == [[]]
    assert await tab.chart("chart-series") == series("new_urban_employment", "330803")
    assert set(await tab.cells("alerts", 3)) == {"衢江区"} and await tab.cells("arrears", 3) == ["衢江区"]
    assert await tab.page.get_attribute("#export-arrears-csv", "href") == \
        "/dashboard/export/arrears.csv?county_code=330803"
    assert tab.errors == []


async def test_sign_out_ends_the_session(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    await tab.page.click("#signout")
    await tab.page.wait_for_url(tab.base + "/dashboard/signin")
    cookies: list[Any] = await tab.page.context.cookies()
    assert cookies == []
    await tab.page.goto(tab.base + "/dashboard")
    assert tab.page.url == tab.base + "/dashboard/signin"
    response = await tab.page.request.get(tab.base + "/dashboard/session")
    assert response.status == 401
    assert tab.errors == []


async def test_the_chart_library_is_served_by_the_gateway_itself(tab: Tab) -> None:
    for path in ("/dashboard/static/vendor/chartjs/chart.umd.min.js", "/dashboard/static/vendor/chartjs/LICENSE.md",
                 "/dashboard/static/dashboard.js", "/dashboard/static/dashboard.css"):
        response = await tab.page.request.get(tab.base + path)
        assert response.status == 200, path
    body = await (await tab.page.request.get(tab.base + "/dashboard/static/vendor/chartjs/chart.umd.min.js")).text()
    assert "Chart.js v4.6.1" in body
    # Offline: signing in and rendering the whole page asks this gateway for everything and no other host.
    await tab.sign_in(city_token())
    await tab.rendered()
    assert tab.requests and all(url.startswith(tab.base + "/") or url.startswith("data:") for url in tab.requests)
    assert tab.base + "/dashboard/static/vendor/chartjs/chart.umd.min.js" in tab.requests


async def test_the_pager_walks_the_alerts(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    first = await tab.cells("alerts", 1)
    pager = tab.page.locator('.pager[data-table="alerts"]')
    assert await pager.locator("button").first.is_disabled()  # 上一页 on the first page
    await pager.locator("button", has_text="下一页").click()
    await tab.page.wait_for_function("() => document.querySelector('.pager[data-table=\"alerts\"] span')"
                                     ".textContent.includes('51–100')")
    assert len(await tab.cells("alerts", 1)) == 50 and await tab.cells("alerts", 1) != first
    assert tab.errors == []


async def test_an_expired_page_token_is_renewed_from_the_session(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    await tab.page.evaluate("() => { window.hrssDashboard.state.token = 'expired-or-revoked'; }")
    await tab.page.select_option("#county", "330825")
    await tab.rendered(2)
    assert await tab.chart("chart-series") == series("new_urban_employment", "330825")
    # The refused call is the browser's own log line of a 401; nothing else went wrong.
    assert tab.errors and all("401" in error for error in tab.errors)
    assert await tab.page.inner_text("#status") == ""


async def test_when_the_session_ends_the_page_goes_to_sign_in(tab: Tab) -> None:
    await tab.sign_in(city_token())
    await tab.rendered()
    await tab.page.context.clear_cookies()
    await tab.page.evaluate("() => { window.hrssDashboard.state.token = null; }")
    await tab.page.select_option("#county", "330802")
    await tab.page.wait_for_url(tab.base + "/dashboard/signin?error=expired")
    assert "登录已过期" in await tab.page.inner_text("#signin-error")


async def test_oidc_sign_in_in_the_browser_lands_on_the_dashboard(browser: Browser, server: tuple[str, FastAPI],
                                                                  idp: LocalProvider) -> None:
    idp.next_user = {"sub": "u-77", "name": "李四", "hrss_scopes": ["gateway:read"], "hrss_county": "330881"}
    context = await browser.new_context()
    try:
        tab = Tab(await context.new_page(), server[0])
        await tab.page.goto(tab.base + "/dashboard")
        await tab.page.click("#signin-oidc")
        await tab.page.wait_for_url(tab.base + "/dashboard")
        await tab.rendered()
        assert await tab.page.inner_text("#who-name") == "李四"
        assert await tab.page.input_value("#county") == "330881" and await tab.page.locator("#county").is_disabled()
        assert await tab.chart("chart-series") == series("new_urban_employment", "330881")
        assert tab.errors == []
    finally:
        await context.close()
