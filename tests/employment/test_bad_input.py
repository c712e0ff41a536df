"""Text that hides or breaks things is refused at the edge, on SQLite and on PostgreSQL: a 422 problem+json naming
the field, never a 500, and nothing written (NUL used to reach PostgreSQL: "invalid byte sequence for encoding
UTF8: 0x00")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app
from tests import factories
from tests.employment.helpers import assert_problem, count, new_employer
from tests.employment.test_imports import CSV, EMPLOYMENT, JSONL, UNEMPLOYMENT, finished, submit
from tests.support import InProcessService, on_each_database

# The employment service on SQLite or on the real PostgreSQL (``make_db`` is parametrised over both).
service = on_each_database(create_app, EmploymentSettings, "employment", scheduler_enabled=True)


# What each bad value is refused for: the words of the reason.
PERSON_NAMES = {
    "nul": ("王\x00明", "控制字符 (contains a control character U+0000)"),
    "bel": ("王\x07明", "控制字符 (contains a control character U+0007)"),
    "esc": ("王\x1b[2J明", "控制字符 (contains a control character U+001B)"),
    "rlo": ("王\u202e明", "文字方向控制字符 (contains a bidirectional control character U+202E)"),
    "zwsp": ("王\u200b明", "不可见字符 (contains an invisible format character U+200B)"),
    "blank": ("   ", "姓名不能为空 (must not be blank)"),
    "too_long": ("王" * 51, "姓名不能超过50个字符 (at most 50 characters, got 51)"),
    "emoji": ("王明😀", "姓名含不允许的字符 '😀' (U+1F600)"),
    "number": (12345, "应为字符串 (must be a string)"),
}
ORG_NAMES = {
    "nul": ("衢州\x00有限公司", "U+0000"),
    "bel": ("衢州\x07有限公司", "U+0007"),
    "rlo": ("衢州\u202e有限公司", "U+202E"),
    "emoji": ("衢州😀有限公司", "单位名称含不允许的字符 '😀' (U+1F600)"),
    "too_long": ("衢" * 201, "单位名称不能超过200个字符"),
}


@dataclass
class Case:
    method: str
    path: str
    error_field: str
    table: str
    body: dict[str, Any] = field(default_factory=dict)


async def job_seeker(svc: InProcessService, name: object) -> Case:
    return Case("POST", "/v1/job-seekers", "name", "job_seekers", factories.job_seeker(name=name))


async def employment_registration(svc: InProcessService, name: object) -> Case:
    employer = await new_employer(svc)
    body = {"id_number": factories.id_number(), "name": name, "credit_code": employer["credit_code"],
            "start_date": "2026-03-01"}
    return Case("POST", "/v1/employment-registrations", "name", "employment_registrations", body)


async def unemployment_registration(svc: InProcessService, name: object) -> Case:
    body = {"id_number": factories.id_number(), "name": name, "county_code": "330802", "registered_date": "2026-03-01"}
    return Case("POST", "/v1/unemployment-registrations", "name", "unemployment_registrations", body)


async def employer(svc: InProcessService, name: object) -> Case:
    return Case("POST", "/v1/employers", "name", "employers", factories.employer(name=name))


async def employer_rename(svc: InProcessService, name: object) -> Case:
    code = (await new_employer(svc))["credit_code"]
    table = f"employers WHERE credit_code = '{code}' AND name LIKE '衢州测试企业%'"
    return Case("PATCH", f"/v1/employers/{code}", "name", table, {"name": name})


async def deactivation_reason(svc: InProcessService, reason: object) -> Case:
    code = (await new_employer(svc))["credit_code"]
    table = f"employers WHERE credit_code = '{code}' AND status = 'active'"
    return Case("POST", f"/v1/employers/{code}/deactivate", "reason", table,
                {"deactivated_date": "2026-06-30", "reason": reason})


async def occupation_wish(svc: InProcessService, wish: object) -> Case:
    return Case("POST", "/v1/job-seekers", "occupation_wishes.1", "job_seekers",
                factories.job_seeker(occupation_wishes=["电工", wish]))


CASES = [
    *[(job_seeker, *bad, f"job_seeker-{k}") for k, bad in PERSON_NAMES.items()],
    *[(employment_registration, *bad, f"employment_registration-{k}") for k, bad in PERSON_NAMES.items()],
    *[(unemployment_registration, *PERSON_NAMES[k], f"unemployment_registration-{k}") for k in ("nul", "rlo")],
    *[(employer, *bad, f"employer-{k}") for k, bad in ORG_NAMES.items()],
    *[(employer_rename, *ORG_NAMES[k], f"employer_rename-{k}") for k in ("nul", "emoji")],
    (deactivation_reason, "企业\x00注销", "U+0000", "deactivation_reason-nul"),
    (deactivation_reason, "企业\n注销", "不能换行", "deactivation_reason-newline"),
    (occupation_wish, "电\x00工", "U+0000", "occupation_wish-nul"),
    (occupation_wish, "电" * 101, "at most 100 characters", "occupation_wish-too_long"),
]


@pytest.mark.parametrize(("make", "value", "words"), [c[:3] for c in CASES], ids=[c[3] for c in CASES])
async def test_bad_text_in_a_body_is_refused_and_nothing_is_written(
    service: InProcessService, make: Any, value: object, words: str
) -> None:
    case: Case = await make(service, value)
    before = (await count(service, case.table), await count(service, "outbox"))
    r = await service.client.request(case.method, case.path, json=case.body)
    body = assert_problem(r, 422, case.error_field)
    assert body["errors"][0]["field"] == case.error_field
    assert words in body["errors"][0]["reason"], body
    assert (await count(service, case.table), await count(service, "outbox")) == before


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/job-seekers?occupation_wish=a%00b", "occupation_wish"),
    ("/v1/job-seekers?occupation_wish=a%1Bb", "occupation_wish"),
    ("/v1/job-seekers?occupation_wish=%E2%80%AEb", "occupation_wish"),
    ("/v1/employers?industry=a%00b", "industry"),
    ("/v1/employers?industry=%20%20", "industry"),
    ("/v1/job-postings?occupation=a%00b", "occupation"),
])
async def test_bad_text_in_a_query_parameter_is_refused(service: InProcessService, path: str, field: str) -> None:
    body = assert_problem(await service.client.get(path), 422, field)
    assert body["errors"][0]["field"] == field


@pytest.mark.parametrize("purpose", ["a%00b", "%E7%AA%97%E5%8F%A3%1B%5B31m", "%E2%80%AEevil", "x" * 501, "%20"])
async def test_a_bad_purpose_header_is_refused(service: InProcessService, purpose: str) -> None:
    for r in (await service.client.get("/v1/job-seekers", headers={"X-Purpose": purpose}),
              await service.client.post("/v1/job-seekers", json=factories.job_seeker(),
                                        headers={"X-Purpose": purpose})):
        assert assert_problem(r, 422, "header.X-Purpose")["errors"][0]["field"] == "header.X-Purpose"
    assert await count(service, "job_seekers") == 0


async def test_an_oversized_body_is_refused_with_413_and_nothing_is_written(service: InProcessService) -> None:
    limit = service.runtime.settings.max_body_bytes
    seeker = factories.job_seeker(occupation_wishes=["电工"] * (limit // 8))
    r = await service.client.post("/v1/job-seekers", json=seeker)
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await count(service, "job_seekers"), await count(service, "outbox")) == (0, 0)


async def test_good_text_is_stored_normalised(service: InProcessService) -> None:
    r = await service.client.post("/v1/job-seekers", json=factories.job_seeker(
        name=" 买买提・吐尔逊 ", occupation_wishes=["  电工 "]))
    assert r.status_code == 201, r.text
    assert (r.json()["name"], r.json()["occupation_wishes"]) == ("买买提·吐尔逊", ["电工"])
    found = (await service.client.get("/v1/job-seekers", params={"occupation_wish": "电工"})).json()
    assert [p["name"] for p in found["data"]] == ["买买提·吐尔逊"]


# ---- imports: the rows go through the same models --------------------------------------------


async def test_an_import_row_with_a_control_character_in_the_name_is_rejected_with_its_line(
    service: InProcessService,
) -> None:
    employer = (await new_employer(service))["credit_code"]
    rows = [
        "id_number,name,credit_code,start_date",
        f"{factories.id_number()},王\x07明,{employer},2026-03-01",
        f"{factories.id_number()},王\x1b明,{employer},2026-03-01",
        f"{factories.id_number()},王明,{employer},2026-03-01",
        f"{factories.id_number()},王\u202e明,{employer},2026-03-01",
    ]
    report = await submit(service, "\n".join(rows) + "\n", params=EMPLOYMENT)
    assert (report["total"], report["accepted"], report["rejected"]) == (4, 1, 3)
    assert [(r["line"], r["field"], r["status"], r["reason"]) for r in report["rejections"]["data"]] == [
        (2, "name", 422, "姓名含控制字符 (contains a control character U+0007)"),
        (3, "name", 422, "姓名含控制字符 (contains a control character U+001B)"),
        (5, "name", 422, "姓名含文字方向控制字符 (contains a bidirectional control character U+202E)"),
    ]
    assert await count(service, "employment_registrations") == 1


async def test_an_import_row_with_nul_in_the_name_is_rejected_with_its_line(service: InProcessService) -> None:
    lines = [
        f'{{"id_number": "{factories.id_number()}", "name": "王\\u0000明", "county_code": "330802", '
        '"registered_date": "2026-03-01"}',
        f'{{"id_number": "{factories.id_number()}", "name": "王明", "county_code": "330802", '
        '"registered_date": "2026-03-01", "reason": "合同\\u0000到期"}',
        f'{{"id_number": "{factories.id_number()}", "name": "王明", "county_code": "330802", '
        '"registered_date": "2026-03-01"}',
    ]
    report = await submit(service, "\n".join(lines) + "\n", params=UNEMPLOYMENT, headers=JSONL)
    assert (report["total"], report["accepted"], report["rejected"]) == (3, 1, 2)
    assert [(r["line"], r["field"], r["reason"]) for r in report["rejections"]["data"]] == [
        (1, "name", "姓名含控制字符 (contains a control character U+0000)"),
        (2, "reason", "文本含控制字符 (contains a control character U+0000)"),
    ]
    assert await count(service, "unemployment_registrations") == 1


async def test_an_import_csv_row_with_a_nul_byte_in_the_name_is_rejected_with_its_line(
    service: InProcessService,
) -> None:
    employer = (await new_employer(service))["credit_code"]
    rows = ["id_number,name,credit_code,start_date", f"{factories.id_number()},王\x00明,{employer},2026-03-01",
            f"{factories.id_number()},王明,{employer},2026-03-01"]
    r = await service.client.post("/v1/imports", params=EMPLOYMENT, headers=CSV, content="\n".join(rows) + "\n")
    assert r.status_code == 202, r.text
    report = await finished(service, r.headers["location"], timeout=10)
    assert (report["accepted"], report["rejected"]) == (1, 1)
    [rejection] = report["rejections"]["data"]
    assert (rejection["line"], rejection["field"]) == (2, "name")
    assert rejection["reason"] == "姓名含控制字符 (contains a control character U+0000)"
    assert "王\u2400明" in rejection["raw"]  # the line echoed with its NUL made visible (␀), on both databases
