"""批量导入 bulk imports: per-row results with line numbers and reasons, and exactly the good rows written."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from employment.config import EmploymentSettings
from employment.main import create_app
from employment.registrations import service as registrations
from hrss_shared.imports import parsing
from hrss_shared.imports import runner as imports
from hrss_shared.problems import Conflict
from tests import factories
from tests.employment.helpers import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    assert_problem,
    audit_rows,
    count,
    employ,
    new_employer,
    outbox_types,
    unemploy,
)
from tests.support import InProcessService, alone, bearer, eventually, token

EMPLOYMENT = {"kind": "employment_registration"}
UNEMPLOYMENT = {"kind": "unemployment_registration"}
CSV = {"Content-Type": "text/csv"}
JSONL = {"Content-Type": "application/x-ndjson"}
HEADER = "id_number,name,credit_code,start_date,occupation,end_date,termination_reason"
MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")


def bad_check(id_number: str) -> str:
    """The same ID number with a wrong check character."""
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


async def submit(svc: InProcessService, body: str | bytes, params: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
    """POST an import, wait until it completes, return its report."""
    content = body.encode() if isinstance(body, str) else body
    r = await svc.client.post("/v1/imports", params=params or EMPLOYMENT, content=content,
                              headers={**CSV, **(headers or {})}, **kw)
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/v1/imports/{r.json()['id']}"
    return await finished(svc, r.headers["location"], headers=headers)


async def finished(svc: InProcessService, location: str, headers: dict[str, str] | None = None,
                   timeout: float = 60) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        report: dict[str, Any] = (await svc.client.get(location, params={"limit": 500}, headers=headers)).json()
        return report if report["status"] == "completed" else None

    return await eventually(done, timeout=timeout, interval=0.1)


def reasons(report: dict[str, Any]) -> dict[int, list[tuple[str | None, int, str]]]:
    found: dict[int, list[tuple[str | None, int, str]]] = {}
    for r in report["rejections"]["data"]:
        found.setdefault(r["line"], []).append((r["field"], r["status"], r["reason"]))
    return found


# ---- the 10,000-row import -------------------------------------------------------------------


async def test_ten_thousand_rows_with_one_percent_bad_write_exactly_the_good_ones(
    employment: InProcessService,
) -> None:
    employers = [(await new_employer(employment, county))["credit_code"]
                 for county in ("330802", "330803", "330881", "330825") for _ in range(5)]
    unknown_employer = factories.credit_code("330822")
    lines = [HEADER]
    expected: dict[int, tuple[str | None, int, str]] = {}  # line → (field, status, words in the reason)
    active: list[tuple[str, str]] = []
    terminated = 0
    for i in range(10_000):
        line = i + 2
        person, employer = factories.id_number("330802"), employers[i % len(employers)]
        kind = i % 100
        if kind == 7 and i % 500 == 7:  # 20 rows: bad ID check character
            lines.append(f"{bad_check(person)},王小明,{employer},2026-03-01,车工,,")
            expected[line] = ("id_number", 422, "校验码")
        elif kind == 7 and i % 500 == 107:  # 20 rows: employer not registered
            lines.append(f"{person},王小明,{unknown_employer},2026-03-01,车工,,")
            expected[line] = ("credit_code", 422, "用人单位未登记")
        elif kind == 7 and i % 500 == 207:  # 20 rows: ends before it starts
            lines.append(f"{person},王小明,{employer},2026-03-01,车工,2026-02-27,合同到期")
            expected[line] = ("end_date", 422, "终止日期早于用工起始日期")
        elif kind == 7 and i % 500 == 307:  # 20 rows: repeats an active registration earlier in the file
            dup_person, dup_employer = active[-50]
            lines.append(f"{dup_person},王小明,{dup_employer},2026-04-01,车工,,")
            expected[line] = ("credit_code", 409, "已有有效就业登记")
        elif kind == 7:  # 20 rows: a column missing
            lines.append(f"{person},王小明,{employer},2026-03-01,车工")
            expected[line] = (None, 422, "列数与表头不符")
        elif kind == 50:  # 100 good rows of registrations that have already ended
            lines.append(f"{person},王小明,{employer},2025-03-01,,2025-12-31,合同到期")
            terminated += 1
        else:
            lines.append(f"{person},王小明,{employer},2026-03-01,车工,,")
            active.append((person, employer))
    assert len(expected) == 100
    before = await count(employment, "outbox")
    started = time.monotonic()
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content="\n".join(lines) + "\n")
    assert r.status_code == 202, r.text
    assert r.json()["total"] == 10_000
    # a liveness bound, not a speed check: ≈ 45 s unloaded, several times that on a loaded CI machine
    await eventually(lambda: _no_tasks(employment), timeout=600, interval=0.5)  # no polling: it would slow SQLite
    elapsed = time.monotonic() - started
    report = (await employment.client.get(r.headers["location"], params={"limit": 500})).json()
    assert report["status"] == "completed"
    assert report["total"] == 10_000
    assert report["processed"] == 10_000
    assert (report["accepted"], report["rejected"]) == (9_900, 100)
    assert report["finished_at"] is not None
    assert report["rejections"]["count"] == 100
    got = reasons(report)
    assert sorted(got) == sorted(expected)
    for line, (field, status, words) in expected.items():
        [(got_field, got_status, got_reason)] = got[line]
        assert (got_field, got_status) == (field, status), (line, got[line])
        assert words in got_reason, (line, got_reason)
    assert await count(employment, "employment_registrations") == 9_900
    assert await count(employment, "employment_registrations WHERE status = 'terminated'") == terminated == 100
    assert await count(employment, "outbox") - before == 9_900 + 100
    assert await count(employment, f"outbox WHERE event_type = '{EMPLOYMENT_REGISTERED}'") == 9_900
    assert await count(employment, f"outbox WHERE event_type = '{EMPLOYMENT_TERMINATED}'") == 100
    assert await count(employment, "import_acceptances") == 9_900
    accepted = (await employment.client.get(f"/v1/imports/{report['id']}/accepted",
                                            params={"limit": 2})).json()
    assert accepted["count"] == 9_900
    assert [a["line"] for a in accepted["data"]] == [2, 3]
    first = (await employment.client.get(f"/v1/employment-registrations/{accepted['data'][0]['record_id']}")).json()
    assert first["id_number"] == lines[1].split(",")[0]
    print(f"10,000 rows imported in {elapsed:.1f} s")


# ---- rows of each kind ----------------------------------------------------------------------


async def test_each_accepted_row_writes_what_the_single_endpoint_writes(employment: InProcessService) -> None:
    employer = (await new_employer(employment, "330825"))["credit_code"]
    person = factories.id_number()
    await unemploy(employment, person, "2026-01-05")
    before = await outbox_types(employment)
    report = await submit(employment, f"{HEADER}\n{person},李四,{employer},2026-03-01,车工,,\n")
    assert (report["accepted"], report["rejected"]) == (1, 0)
    assert (await outbox_types(employment))[len(before):] == [UNEMPLOYMENT_CLOSED, EMPLOYMENT_REGISTERED]
    [reg] = (await employment.client.get("/v1/employment-registrations", params={"id_number": person})).json()["data"]
    assert (reg["name"], reg["county_code"], reg["occupation"], reg["status"]) == ("李四", "330825", "车工", "active")
    accepted = (await employment.client.get(f"/v1/imports/{report['id']}/accepted")).json()
    assert accepted["data"] == [{"line": 2, "record_id": reg["id"]}]


async def test_a_row_that_ends_before_it_starts_writes_nothing_at_all(employment: InProcessService) -> None:
    """The registration of a two-step row (register, then terminate) is undone with the refused end."""
    employer = (await new_employer(employment))["credit_code"]
    before = await outbox_types(employment)
    row = f"{factories.id_number()},王五,{employer},2026-03-01,,2026-02-01,离职"
    report = await submit(employment, f"{HEADER}\n{row}\n")
    assert reasons(report) == {2: [("end_date", 422, "终止日期早于用工起始日期 2026-03-01 (before the start date)")]}
    assert await count(employment, "employment_registrations") == 0
    assert await outbox_types(employment) == before


async def test_a_row_that_has_ended_writes_registered_and_terminated(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    before = await outbox_types(employment)
    row = f"{factories.id_number()},王五,{employer},2024-03-01,,2025-02-01,离职"
    report = await submit(employment, f"{HEADER}\n{row}\n")
    assert report["accepted"] == 1
    assert (await outbox_types(employment))[len(before):] == [EMPLOYMENT_REGISTERED, EMPLOYMENT_TERMINATED]
    [reg] = (await employment.client.get("/v1/employment-registrations")).json()["data"]
    assert (reg["status"], reg["end_date"], reg["termination_reason"]) == ("terminated", "2025-02-01", "离职")


async def test_an_end_date_needs_its_reason(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    report = await submit(employment, f"{HEADER}\n{factories.id_number()},王五,{employer},2024-03-01,,2025-02-01,\n")
    [(field, status, _)] = reasons(report)[2]
    assert (field, status) == ("termination_reason", 422)
    assert await count(employment, "employment_registrations") == 0


async def test_unemployment_rows_from_json_lines(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    employed, closed, fresh = factories.id_number(), factories.id_number(), factories.id_number()
    await employ(employment, employed, employer)
    before = await outbox_types(employment)
    body = "\n".join([
        f'{{"id_number": "{fresh}", "name": "赵六", "county_code": "330822", "registered_date": "2026-05-01"}}',
        "",
        f'{{"id_number": "{employed}", "name": "钱七", "county_code": "330802", "registered_date": "2026-05-01"}}',
        f'{{"id_number": "{closed}", "name": "孙八", "county_code": "330802", "registered_date": "2026-05-01", '
        f'"end_date": "2026-06-30", "close_reason": "实现就业"}}',
        f'{{"id_number": "{factories.id_number()}", "name": "周九", "county_code": "330800", '
        f'"registered_date": "2026-05-01"}}',
        '{"id_number": "oops"',
        '["not", "an", "object"]',
        f'{{"id_number": "{factories.id_number()}", "name": "吴十", "county_code": "330802", '
        f'"registered_date": "2026-05-01", "end_date": "2026-04-30", "close_reason": "实现就业"}}',
    ])
    report = await submit(employment, body, params=UNEMPLOYMENT, headers=JSONL)
    assert (report["total"], report["accepted"], report["rejected"]) == (7, 2, 5)
    got = reasons(report)
    assert sorted(got) == [3, 5, 6, 7, 8]
    assert got[3][0][:2] == ("id_number", 409) and "有效就业登记" in got[3][0][2]
    assert got[5][0][:2] == ("county_code", 422) and "衢州市" in got[5][0][2]
    assert got[6][0][:2] == (None, 422) and "JSON" in got[6][0][2]
    assert got[7][0][:2] == (None, 422) and "对象" in got[7][0][2]
    assert got[8][0][:2] == ("end_date", 422) and "注销日期早于登记日期" in got[8][0][2]
    assert (await outbox_types(employment))[len(before):] == [
        UNEMPLOYMENT_REGISTERED, UNEMPLOYMENT_REGISTERED, UNEMPLOYMENT_CLOSED]
    assert await count(employment, "unemployment_registrations") == 2
    assert await count(employment, "unemployment_registrations WHERE status = 'closed'") == 1


async def test_validation_reasons_are_the_apis_and_every_field_is_named(employment: InProcessService) -> None:
    """A row with several bad fields reports each, worded as the single-record endpoint words them."""
    employer = (await new_employer(employment))["credit_code"]
    bad = {"id_number": bad_check(factories.id_number()), "name": "", "credit_code": employer,
           "start_date": "2026-02-30"}
    api = await employment.client.post("/v1/employment-registrations", json=bad)
    api_errors = {(e["field"], e["reason"]) for e in assert_problem(api, 422)["errors"]}
    report = await submit(employment, f"{HEADER}\n{bad['id_number']},,{employer},2026-02-30,,,\n")
    row_errors = {(e["field"], e["reason"]) for e in report["rejections"]["data"]}
    # An empty CSV cell is an absent value: the API's "too short" name is a missing name here.
    assert {f for f, _ in row_errors} == {f for f, _ in api_errors} == {"id_number", "name", "start_date"}
    assert {e for e in row_errors if e[0] != "name"} == {e for e in api_errors if e[0] != "name"}
    assert report["rejected"] == 1


# ---- the file --------------------------------------------------------------------------------


async def test_line_numbers_count_the_header_blank_lines_and_crlf(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    spanning = f'{factories.id_number()},王小明,{employer},2026-03-01,"车工\r\n钳工",,'
    good = f'{factories.id_number()},王小明,{employer},2026-03-01,"车工, 钳工",,'
    bad = f"{bad_check(factories.id_number())},王小明,{employer},2026-03-01,,,"
    report = await submit(employment, "\r\n".join([HEADER, "", spanning, bad, good, ""]))
    assert (report["total"], report["accepted"]) == (3, 1)
    # Header 1, blank 2, a quoted field spanning lines 3-4 (an occupation is one line: refused), then 5 and 6.
    spanned, rejection = report["rejections"]["data"]
    assert (spanned["line"], spanned["field"]) == (3, "occupation")
    assert rejection["line"] == 5
    assert rejection["raw"].endswith(",王小明," + employer + ",2026-03-01,,,")
    [reg] = (await employment.client.get("/v1/employment-registrations")).json()["data"]
    assert (reg["name"], reg["occupation"]) == ("王小明", "车工, 钳工")


async def test_the_charset_of_the_content_type_is_honoured(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    body = f"{HEADER}\n{factories.id_number()},欧阳娜娜,{employer},2026-03-01,,,\n".encode("gb18030")
    report = await submit(employment, body, headers={"Content-Type": "text/csv; charset=gb18030"})
    assert report["accepted"] == 1
    [reg] = (await employment.client.get("/v1/employment-registrations")).json()["data"]
    assert reg["name"] == "欧阳娜娜"
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, content=body, headers=CSV)
    assert "UTF-8" in assert_problem(r, 422, "body")["errors"][0]["reason"]


@pytest.mark.parametrize(("header", "words"), [
    ("id_number,name,credit_code,start_date,kind", "未知列 kind"),
    ("id_number,name,start_date", "缺少必填列 credit_code"),
    ("id_number,name,name,credit_code,start_date", "重复列 name"),
    ("", "表头"),
])
async def test_a_bad_header_refuses_the_file(employment: InProcessService, header: str, words: str) -> None:
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, headers=CSV,
                                     content=f"{header}\n{factories.id_number()},王,x,2026-01-01\n".encode())
    assert words in assert_problem(r, 422, "header")["errors"][0]["reason"]
    assert await count(employment, "imports") == 0


async def test_refused_files(employment: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    client = employment.client
    assert_problem(await client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content=f"{HEADER}\n\n"),
                   422, "body")
    assert_problem(await client.post("/v1/imports", params=EMPLOYMENT, content=b"a,b",
                                     headers={"Content-Type": "application/pdf"}), 415)
    assert_problem(await client.post("/v1/imports", params={"kind": "pension"}, headers=CSV, content=HEADER), 422,
                   "kind")
    assert_problem(await client.post("/v1/imports", headers=CSV, content=HEADER), 422, "kind")
    monkeypatch.setattr(imports, "MAX_BODY_BYTES", 1_000)
    big = f"{HEADER}\n" + f"{factories.id_number()},王小明,{factories.credit_code()},2026-03-01,,,\n" * 30
    r = await client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content=big.encode())
    assert "1000 bytes" in assert_problem(r, 413)["detail"]

    async def chunks() -> Any:
        for _ in range(30):
            yield b"x" * 100

    r = await client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content=chunks())
    assert_problem(r, 413)
    assert await count(employment, "imports") == 0


# ---- clients --------------------------------------------------------------------------------


async def test_importing_needs_the_write_scope(employment: InProcessService) -> None:
    body = f"{HEADER}\n".encode()
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, headers={
        **CSV, **bearer(token("employment:read"))}, content=body)
    assert "employment:write" in assert_problem(r, 403)["detail"]
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, headers={**CSV, "Authorization": ""},
                                     content=body)
    assert_problem(r, 401)
    assert_problem(await employment.client.get("/v1/imports", headers=bearer(token("employment:write"))), 403)


async def test_a_county_client_imports_only_its_countys_rows(employment: InProcessService) -> None:
    own = (await new_employer(employment, "330881"))["credit_code"]
    other = (await new_employer(employment))["credit_code"]
    county = bearer(token("employment:read", "employment:write", county="330881"))
    mine, theirs = factories.id_number(), factories.id_number()
    body = f"{HEADER}\n{mine},王小明,{own},2026-03-01,,,\n{theirs},王小明,{other},2026-03-01,,,\n"
    report = await submit(employment, body, headers=county)
    assert (report["accepted"], report["rejected"], report["county_code"]) == (1, 1, "330881")
    [(field, status, reason)] = reasons(report)[3]
    assert (field, status) == ("credit_code", 403) and "330881" in reason
    assert await count(employment, "employment_registrations") == 1
    # the county's imports are the county's: the city-wide admin sees them, another county does not
    other_county = bearer(token("employment:read", county="330802"))
    assert_problem(await employment.client.get(f"/v1/imports/{report['id']}", headers=other_county), 403)
    assert (await employment.client.get("/v1/imports", headers=other_county)).json()["count"] == 0
    assert (await employment.client.get("/v1/imports", headers=county)).json()["count"] == 1
    assert (await employment.client.get("/v1/imports", params={"county_code": "330881"})).json()["count"] == 1
    assert_problem(await employment.client.get("/v1/imports", headers=county, params={"county_code": "330802"}), 403)


async def test_the_report_masks_id_numbers_without_pii_read(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    wrong = bad_check(factories.id_number())
    report = await submit(employment, f"{HEADER}\n{wrong},王小明,{employer},2026-03-01,,,\n")
    [row] = report["rejections"]["data"]
    assert (row["id_number"], row["raw"].split(",")[0]) == (wrong, wrong)
    audit = await audit_rows(employment)
    assert any(a["subject"] == wrong and a["action"].startswith("GET /v1/imports/") for a in audit)
    reader = bearer(token("employment:read"))
    [masked] = (await employment.client.get(f"/v1/imports/{report['id']}", headers=reader)).json()["rejections"]["data"]
    assert MASKED_ID.match(masked["id_number"])
    assert MASKED_ID.match(masked["raw"].split(",")[0])
    assert wrong not in masked["raw"]


# ---- reading imports ---------------------------------------------------------------------------


async def test_report_pages_rejections_by_line(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    rows = [f"{bad_check(factories.id_number())},王,{employer},2026-03-01,,," for _ in range(5)]
    report = await submit(employment, "\n".join([HEADER, *rows]))
    page = (await employment.client.get(f"/v1/imports/{report['id']}", params={"limit": 2, "offset": 2})).json()
    assert [r["line"] for r in page["rejections"]["data"]] == [4, 5]
    assert (page["rejections"]["count"], page["rejected"], page["accepted"]) == (5, 5, 0)
    assert_problem(await employment.client.get("/v1/imports/no-such-import"), 404)
    assert_problem(await employment.client.get("/v1/imports/no-such-import/accepted"), 404)


async def test_list_imports_filters_sorts_and_pages(employment: InProcessService) -> None:
    employer = (await new_employer(employment))["credit_code"]
    first = await submit(employment, f"{HEADER}\n{factories.id_number()},王,{employer},2026-03-01,,,\n")
    second = await submit(employment, f'{{"id_number": "{factories.id_number()}", "name": "王", '
                                      f'"county_code": "330802", "registered_date": "2026-05-01"}}',
                          params=UNEMPLOYMENT, headers=JSONL)
    client = employment.client
    listed = (await client.get("/v1/imports")).json()
    assert [i["id"] for i in listed["data"]] == [second["id"], first["id"]]
    assert listed["count"] == 2
    oldest = (await client.get("/v1/imports", params={"sort": "received_at", "limit": 1})).json()
    assert ([i["id"] for i in oldest["data"]], oldest["count"]) == ([first["id"]], 2)
    kinds = (await client.get("/v1/imports", params={"kind": "unemployment_registration"})).json()["data"]
    assert [i["id"] for i in kinds] == [second["id"]]
    assert (await client.get("/v1/imports", params={"status": "running"})).json()["count"] == 0
    assert (await client.get("/v1/imports", params={"from_date": "2000-01-01", "to_date": "2000-12-31"})
            ).json()["count"] == 0
    assert (await client.get("/v1/imports", params={"from_date": "2000-01-01"})).json()["count"] == 2
    assert_problem(await client.get("/v1/imports", params={"sort": "kind"}), 422, "sort")
    assert_problem(await client.get("/v1/imports", params={"from_date": "2026-02-01", "to_date": "2026-01-01"}),
                   422, "to_date")


async def test_an_interrupted_import_shows_what_it_wrote(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A crash mid-import leaves it running, with counts that match exactly the rows it wrote."""
    employer = (await new_employer(employment))["credit_code"]
    monkeypatch.setattr(imports, "BATCH_ROWS", 3)
    real = registrations.register_employment
    calls = 0

    async def crashing(**kw: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 8:
            raise RuntimeError("simulated crash")
        return await real(**kw)

    monkeypatch.setattr(registrations, "register_employment", crashing)
    rows = [f"{factories.id_number()},王,{employer},2026-03-01,,," for _ in range(10)]
    rows[1] = f"{bad_check(factories.id_number())},王,{employer},2026-03-01,,,"
    r = await employment.client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content="\n".join([HEADER, *rows]))
    location = r.headers["location"]
    await eventually(lambda: _no_tasks(employment), timeout=10)
    report = (await employment.client.get(location)).json()
    # batches of 3 rows: lines 2-4 and 5-7 committed (the 2nd row rejected), the crash in line 10's batch
    assert (report["status"], report["total"], report["processed"]) == ("running", 10, 6)
    assert (report["accepted"], report["rejected"]) == (5, 1)
    assert report["finished_at"] is None
    assert await count(employment, "employment_registrations") == 5
    assert await count(employment, "import_acceptances") == 5


async def test_a_row_refused_after_writing_leaves_nothing_behind(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Should a service function write (a row and its event) and then refuse, the row's savepoint undoes it all:
    the row writes nothing and every other row of its batch is written exactly once."""
    employer = (await new_employer(employment))["credit_code"]
    real = registrations.register_employment

    async def misbehaving(*, session: Any, outbox: Any, principal: Any, data: Any) -> Any:
        row = await real(session=session, outbox=outbox, principal=principal, data=data)
        if data.name.startswith("写后拒绝"):
            await session.flush()
            raise Conflict("写入后拒绝 (refused after writing)", field_name="id_number")
        return row

    monkeypatch.setattr(registrations, "register_employment", misbehaving)
    names = ["甲", "乙", "写后拒绝", "丙", "丁", "写后拒绝二", "戊"]
    rows = [f"{factories.id_number()},{name},{employer},2026-03-01,,," for name in names]
    before = await count(employment, "outbox")
    report = await submit(employment, "\n".join([HEADER, *rows]))
    assert (report["accepted"], report["rejected"]) == (5, 2)
    assert {line: [(f, st_) for f, st_, _ in errors] for line, errors in reasons(report).items()} == {
        4: [("id_number", 409)], 7: [("id_number", 409)]}
    assert await count(employment, "employment_registrations") == 5
    assert await count(employment, "outbox") - before == 5
    assert await count(employment, f"outbox WHERE event_type = '{EMPLOYMENT_REGISTERED}'") == 5
    assert await count(employment, "import_acceptances") == 5


async def _no_tasks(svc: InProcessService) -> bool:
    return not any(t.get_name().startswith("import-") for t in svc.runtime.tasks)


# ---- reading the file (pure functions) ---------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["row", "blank", "short", "multiline"]), min_size=1, max_size=30),
       st.sampled_from(["\n", "\r\n"]))
def test_csv_line_numbers_point_at_the_line_an_editor_shows(kinds: list[str], newline: str) -> None:
    columns = frozenset({"a", "b", "c"})
    physical = ["a,b,c"]
    expected: list[tuple[int, bool]] = []
    for kind in kinds:
        start = len(physical) + 1
        if kind == "row":
            physical.append(f"x{start},y,z")
        elif kind == "short":
            physical.append(f"x{start},y")
        elif kind == "multiline":
            physical += [f'x{start},"one', 'two",z']
        else:
            physical.append("")
            continue
        expected.append((start, kind == "short"))
    rows = parsing.read_csv(newline.join(physical) + newline, columns=columns, required=frozenset({"a"}))
    assert [(r.line, r.error is not None) for r in rows] == expected
    assert all(r.values["a"] == f"x{r.line}" for r in rows)


@given(st.integers(min_value=1, max_value=200))
def test_jsonl_line_numbers_start_at_one(blank_before: int) -> None:
    rows = parsing.read_jsonl("\n" * blank_before + '{"a": 1}\n')
    assert [(r.line, r.values) for r in rows] == [(blank_before + 1, {"a": 1})]


def test_media_type_and_charset() -> None:
    assert parsing.media_type("Text/CSV; charset=\"GBK\"") == ("text/csv", "GBK")
    assert parsing.media_type(None) == ("", None)


async def test_an_import_file_is_bounded_by_its_own_limit_not_the_service_wide_one(tmp_path: Path) -> None:
    """HRSS_MAX_BODY_BYTES bounds every other body; an import streams in under imports' own limit."""
    async with InProcessService(create_app, alone(EmploymentSettings, tmp_path, max_body_bytes=2048)) as svc:
        rows = "".join(f"{factories.id_number()},王小明,{factories.credit_code()},2026-03-01,,,\n" for _ in range(80))
        body = f"{HEADER}\n{rows}".encode()
        assert len(body) > 2048
        r = await svc.client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content=body)
        assert r.status_code == 202, r.text
        big = factories.employer(industry="制" * 3000)
        assert_problem(await svc.client.post("/v1/employers", json=big), 413)
