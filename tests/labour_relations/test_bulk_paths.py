"""POST /v1/bulk/projects and /v1/bulk/arrears-cases on SQLite and PostgreSQL: rows read back like API-written
ones, the same events as the API (valid against their contracts, one per change), a second run writes and
publishes nothing, refused rows are reported and not written, a 422 names the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app
from tests.labour_relations.helpers import (
    TYPE,
    assert_problem,
    case_body,
    events_since,
    mark,
    new_case,
    new_project,
    project_body,
    types_since,
)
from tests.support import InProcessService, bearer, on_each_database, post_bulk, token

VOLATILE = {"id", "name", "credit_code", "contractor_name", "employer_name", "complainants", "created_at",
            "updated_at", "complainant_id_numbers", "project_id"}


def same(a: dict[str, Any], b: dict[str, Any]) -> None:
    """``a`` and ``b`` agree but for the fields that differ between any two records (ids, names, times)."""
    assert {k: v for k, v in a.items() if k not in VOLATILE} == {k: v for k, v in b.items() if k not in VOLATILE}


service = on_each_database(create_app, LabourRelationsSettings, "labour", today=date(2025, 9, 1))


bulk = post_bulk


async def test_projects_read_back_like_the_api_and_publish_the_same_event(service: InProcessService) -> None:
    via_api = await new_project(service)
    api_event = (await events_since(service, await mark(service) - 1))[0]["event"]["data"]
    before = await mark(service)
    rows = [project_body(), project_body(county="330881", completion_date=None)]
    r = await bulk(service, "projects", rows)
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "projects", "received": 2, "written": 2, "skipped": 0, "events": 2, "refused": []}
    listed = {p["name"]: p for p in (await service.client.get("/v1/projects", params={"limit": 100})).json()["data"]}
    first, second = listed[rows[0]["name"]], listed[rows[1]["name"]]
    same(first, via_api)
    assert (first["credit_code"], first["status"], first["wage_account_bank"]) == (
        rows[0]["credit_code"], "active", "中国建设银行衢州分行")
    assert (second["county_code"], second["completion_date"]) == ("330881", None)
    assert (await service.client.get(f"/v1/projects/{first['id']}")).json() == first

    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [TYPE("project.registered")] * 2
    data = events[0]["event"]["data"]
    assert (data["id"], data["name"]) == (first["id"], rows[0]["name"])
    same(data, api_event)

    again = await bulk(service, "projects", rows)
    assert again.json() == {"kind": "projects", "received": 2, "written": 0, "skipped": 2, "events": 0,
                            "refused": []}
    assert await mark(service) == before + 2


async def test_cases_read_back_like_the_api_with_the_same_events_and_warnings(service: InProcessService) -> None:
    via_api = await new_case(service)
    group_api = await new_case(service, workers=12)
    project = await new_project(service)
    before = await mark(service)
    rows = [case_body(), case_body(workers=12, project_id=project["id"], filed_date="2025-08-29")]
    r = await bulk(service, "arrears-cases", rows)
    assert r.status_code == 200, r.text
    # registered ×2, escalated ×1, and the group case's employer reaches the warning threshold (15 + 50 ≥ 60)
    assert r.json() == {"kind": "arrears-cases", "received": 2, "written": 2, "skipped": 0, "events": 4,
                        "refused": []}
    listed = {c["credit_code"]: c for c in (await service.client.get(
        "/v1/arrears-cases", params={"limit": 100})).json()["data"]}
    plain, group = listed[rows[0]["credit_code"]], listed[rows[1]["credit_code"]]
    same(plain, via_api)
    assert plain["complainants"] == rows[0]["complainants"] and plain["updated_at"] is None
    assert (group["group_case"], group["group_case_illustrative"], group["status"], group["project_id"]) == (
        True, True, "registered", project["id"])
    assert group["deadline_date"] is None and group["policy_source"] == via_api["policy_source"]
    assert {k: v for k, v in group.items() if k not in VOLATILE | {"filed_date"}} == {
        k: v for k, v in group_api.items() if k not in VOLATILE | {"filed_date"}}
    assert (await service.client.get(f"/v1/arrears-cases/{group['id']}")).json() == group

    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [
        TYPE("arrears_case.registered"), TYPE("arrears_case.registered"), TYPE("arrears_case.escalated"),
        TYPE("warning.raised")]
    registered, escalated = events[1]["event"]["data"], events[2]["event"]["data"]
    assert (registered["id"], registered["group_case"], registered["previous_status"]) == (group["id"], False, None)
    assert (escalated["id"], escalated["group_case"], escalated["previous_status"]) == (group["id"], True,
                                                                                       "registered")
    assert registered["complainant_id_numbers"] == [c["id_number"] for c in rows[1]["complainants"]]
    warning = events[3]["event"]["data"]
    assert warning["credit_code"] == rows[1]["credit_code"] and 60 <= warning["score"] < 65  # decayed for 3 days
    risk = (await service.client.get(f"/v1/employers/{rows[0]['credit_code']}/risk")).json()
    assert 14 < risk["score"] < 15  # the complaint signal of the plain case is recorded too (4 days' decay)

    again = await bulk(service, "arrears-cases", rows)
    assert again.json() == {"kind": "arrears-cases", "received": 2, "written": 0, "skipped": 2, "events": 0,
                            "refused": []}
    assert await mark(service) == before + 4


async def test_refused_rows_are_reported_and_not_written(service: InProcessService) -> None:
    before = await mark(service)
    good = case_body()
    rows = [
        case_body(filed_date="2025-09-02"),  # 0: after today
        good,  # 1
        case_body(filed_date="2007-12-31"),  # 2: no case policy in force
        case_body(project_id="no-such-project"),  # 3
        {**good, "amount_owed": "100.00"},  # 4: the same employer and day again
        case_body(county="330825"),  # 5: another county (for the Kecheng client)
    ]
    kecheng = bearer(token("labour-relations:read", "labour-relations:write", county="330802"))
    r = await bulk(service, "arrears-cases", rows, headers=kecheng)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["written"], body["skipped"], body["events"]) == (6, 1, 1, 1)
    refused = {x["row"]: x["reason"] for x in body["refused"]}
    assert sorted(refused) == [0, 2, 3, 5]
    assert refused[0].startswith("filed_date") and refused[2].startswith("filed_date")
    assert "no-such-project" in refused[3] and "330802" in refused[5]
    assert (await service.client.get("/v1/arrears-cases")).json()["count"] == 1
    assert await types_since(service, before) == [TYPE("arrears_case.registered")]

    r = await bulk(service, "projects", [project_body(), project_body(county="330825")], headers=kecheng)
    assert (r.json()["written"], [x["row"] for x in r.json()["refused"]]) == (1, [1])
    assert (await service.client.get("/v1/projects")).json()["count"] == 1


async def test_a_bad_row_is_a_422_naming_its_field(service: InProcessService) -> None:
    before = await mark(service)
    r = await bulk(service, "projects", [project_body(), project_body(wage_account="12ab")])
    assert_problem(r, 422, "rows.1.wage_account")
    r = await bulk(service, "arrears-cases", [case_body(amount_owed="0")])
    assert_problem(r, 422, "rows.0.amount_owed")
    assert_problem(await bulk(service, "arrears-cases", []), 422, "rows")
    assert await mark(service) == before
