"""CSV (UTF-8 with a BOM) and Excel exports of the dashboard's tables read back: every row of every page under
the page's filters, a county client's own county only, numbers as numbers, no formula from the data."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from urllib.parse import unquote

import httpx
import openpyxl

from tests.dashboard import fixtures
from tests.dashboard.conftest import city_token, county_token
from tests.dashboard.helpers import NO_AUTH, session_cookie
from tests.support import InProcessService


def read_csv(r: httpx.Response) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for Chinese text
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def read_xlsx(r: httpx.Response) -> openpyxl.Workbook:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(r.content))


async def test_alerts_csv_holds_every_open_alert_of_every_page(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    rows = read_csv(await gateway.client.get("/dashboard/export/alerts.csv?status=open", headers=cookie))
    open_alerts = [a for a in fixtures.ALERTS if a["status"] == "open"]
    assert len(open_alerts) > 500  # more than one page of the API
    assert rows[0] == ["预警编号", "规则", "县（市、区）", "身份证号", "统一社会信用代码", "说明", "状态", "发现时间",
                       "证据事件"]
    assert [r[0] for r in rows[1:]] == [a["id"] for a in open_alerts]
    first = rows[1]
    assert first[2] == "柯城区" and first[3] == "3308**********1000" and first[6] == "待处理"
    assert first[5] == "'=HYPERLINK(\"http://example.invalid\")"  # no formula runs when Excel opens it
    assert first[8] == "hrss.employment#ev-330802 (hrss.employment.x.v1)"


async def test_county_filter_and_file_name(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    r = await gateway.client.get("/dashboard/export/arrears.csv?county_code=330822", headers=cookie)
    rows = read_csv(r)
    assert [row[0] for row in rows[1:]] == ["ar-330822"]
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="arrears-330822-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]).startswith("超期欠薪案件-330822-")


async def test_arrears_xlsx_reads_back_with_numbers_as_numbers(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    book = read_xlsx(await gateway.client.get("/dashboard/export/arrears.xlsx", headers=cookie))
    assert book.sheetnames == ["超期欠薪案件", "导出说明"]
    sheet = book["超期欠薪案件"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("案件编号", "统一社会信用代码", "用人单位", "县（市、区）", "状态", "受理日期", "办结期限",
                         "超期天数", "涉及劳动者人数", "欠薪金额（元）")
    assert len(values) == 1 + len(fixtures.ARREARS)
    kecheng = values[1]
    assert kecheng[0] == "ar-330802" and kecheng[2] == "柯城区某建筑公司" and kecheng[3] == "柯城区"
    assert kecheng[7] == 30 and kecheng[8] == 10 and Decimal(str(kecheng[9])) == Decimal("123456.50")
    assert sheet.freeze_panes == "A2"
    about = dict(book["导出说明"].iter_rows(values_only=True))
    assert about["表格"] == "超期欠薪案件" and about["县（市、区）"] == "全市"
    assert about["导出人"] == "测试客户端 test client"


async def test_warnings_and_indicators_exports(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    r = await gateway.client.get("/dashboard/export/warnings.xlsx?county_code=330824", headers=cookie)
    book = read_xlsx(r)
    values = list(book.active.iter_rows(values_only=True))
    assert values[1][:5] == ("91330300MA2X3Y4L1Q", "开化县某制造公司", "开化县", 63, "high")
    assert values[1][5] == "欠缴社保费(30); 欠薪投诉(20)"
    book = read_xlsx(await gateway.client.get("/dashboard/export/indicators.xlsx?year=2023", headers=cookie))
    rows = {r[0]: r for r in book.active.iter_rows(min_row=2, values_only=True)}
    employment = rows["new_urban_employment"]
    assert employment[1] == "城镇新增就业" and employment[4] == "规划期累计"
    assert employment[5] == fixtures.target("new_urban_employment", None) == 200000
    assert employment[8] == fixtures.actual("new_urban_employment", 2023, None)
    assert Decimal(str(employment[9])) == Decimal(str(fixtures.share("new_urban_employment", 2023, None)))
    book = read_xlsx(await gateway.client.get("/dashboard/export/indicators.xlsx?year=2023&county_code=330881",
                                              headers=cookie))
    rows = {r[0]: r for r in book.active.iter_rows(min_row=2, values_only=True)}
    employment = rows["new_urban_employment"]
    assert employment[5] is None and employment[9] is None  # no county targets
    assert employment[8] == fixtures.actual("new_urban_employment", 2023, "330881")
    surveyed = rows["surveyed_unemployment_rate"]
    assert surveyed[8] is None and surveyed[10] == "无法统计" and surveyed[11].startswith("抽样调查")


async def test_a_county_client_exports_its_own_county_only(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, county_token("330825"))
    rows = read_csv(await gateway.client.get("/dashboard/export/alerts.csv", headers=cookie))
    assert {r[2] for r in rows[1:]} == {"龙游县"}
    r = await gateway.client.get("/dashboard/export/alerts.csv?county_code=330802", headers=cookie)
    assert r.status_code == 403


async def test_bad_export_requests_name_the_field(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    cases = {
        "/dashboard/export/persons.csv": "name",
        "/dashboard/export/alerts.pdf": "name",
        "/dashboard/export/alerts.csv?county_code=330100": "county_code",
        "/dashboard/export/alerts.csv?status=closed": "status",
        "/dashboard/export/alerts.csv?from_date=2024-1-1": "from_date",
        "/dashboard/export/indicators.csv?year=20x4": "year",
    }
    for path, field in cases.items():
        r = await gateway.client.get(path, headers=cookie)
        assert r.status_code == 422, path
        assert r.json()["errors"][0]["field"] == field, path
    r = await gateway.client.get("/dashboard/export/alerts.csv", headers={**NO_AUTH, "Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin"
