"""参保登记: the employer each type needs, one active enrolment per person and type, never both pensions, and the
status changes, each with its event."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.social_insurance.helpers import (
    TYPE,
    assert_problem,
    count_events,
    enrol,
    enrolment_body,
    events_since,
    reason,
    types_of,
)
from tests.support import InProcessService


async def test_a_manual_enrolment_is_active_and_published_once(si: InProcessService) -> None:
    before = await count_events(si)
    e = await enrol(si, "unemployment")
    assert (e["status"], e["origin"], e["activated_date"], e["start_date"]) == (
        "active", "manual", "2025-01-01", "2025-01-01")
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("enrolment.registered")
    assert (row["event"]["data"]["id"], row["event"]["data"]["status"]) == (e["id"], "active")


@pytest.mark.parametrize(("kind", "over", "field"), [
    ("unemployment", {}, "credit_code"),
    ("work_injury", {}, "credit_code"),
    ("employee_pension", {}, "credit_code"),
    ("resident_pension", {"credit_code": factories.credit_code()}, "credit_code"),
    ("unemployment", {"flexible": True}, "flexible"),
    ("work_injury", {"flexible": True}, "flexible"),
    ("resident_pension", {"flexible": True}, "flexible"),
    ("employee_pension", {"flexible": True, "credit_code": factories.credit_code()}, "credit_code"),
])
async def test_the_employer_follows_the_type(si: InProcessService, kind: str, over: dict[str, Any],
                                             field: str) -> None:
    before = await count_events(si)
    r = await si.client.post("/v1/enrolments", json=enrolment_body(kind, **over))
    assert_problem(r, 422, field)
    assert await events_since(si, before) == []


async def test_flexible_workers_enrol_in_employee_pension_without_an_employer(si: InProcessService) -> None:
    e = await enrol(si, "employee_pension", flexible=True)
    assert (e["flexible"], e["credit_code"], e["status"]) == (True, None, "active")
    r = await enrol(si, "resident_pension")
    assert r["credit_code"] is None


async def test_one_active_enrolment_per_person_and_type(si: InProcessService) -> None:
    first = await enrol(si, "work_injury")
    r = await si.client.post("/v1/enrolments", json=enrolment_body(
        "work_injury", id_number=first["id_number"], credit_code=factories.credit_code()))
    body = assert_problem(r, 409, "insurance_type")
    assert body["existing_id"] == first["id"]
    # Another type of the same person is fine.
    await enrol(si, "unemployment", id_number=first["id_number"])


async def test_employee_and_resident_pension_are_never_active_together(si: InProcessService) -> None:
    resident = await enrol(si, "resident_pension")
    r = await si.client.post("/v1/enrolments", json=enrolment_body(
        "employee_pension", id_number=resident["id_number"], credit_code=factories.credit_code()))
    body = assert_problem(r, 409, "insurance_type")
    assert (body["existing_id"], body["existing_insurance_type"]) == (resident["id"], "resident_pension")
    assert resident["id"] in reason(body, "insurance_type")
    # The other way round, too.
    employee = await enrol(si, "employee_pension", flexible=True)
    r = await si.client.post("/v1/enrolments", json=enrolment_body("resident_pension", id_number=employee["id_number"]))
    assert assert_problem(r, 409, "insurance_type")["existing_id"] == employee["id"]
    # Once the resident pension ends, the employee pension may start.
    r = await si.client.post(f"/v1/enrolments/{resident['id']}/end", json={"end_date": "2025-12-31",
                                                                          "reason": "转入职工养老"})
    assert r.status_code == 200, r.text
    await enrol(si, "employee_pension", id_number=resident["id_number"], start_date="2026-01-01")


async def test_suspend_resume_and_end_each_publish_one_event(si: InProcessService) -> None:
    e = await enrol(si, "unemployment")
    base = f"/v1/enrolments/{e['id']}"
    before = await count_events(si)
    r = await si.client.post(f"{base}/suspend", json={"suspended_date": "2024-12-31", "reason": "停薪留职"})
    assert_problem(r, 422, "suspended_date")  # before the start date
    r = await si.client.post(f"{base}/suspend", json={"suspended_date": "2025-01-01", "reason": "停薪留职"})
    assert (r.status_code, r.json()["status"]) == (200, "suspended")
    assert_problem(await si.client.post(f"{base}/suspend", json={"suspended_date": "2025-02-01", "reason": "x"}),
                   409, "status")
    r = await si.client.post(f"{base}/resume", json={"resumed_date": "2024-12-31"})
    assert_problem(r, 422, "resumed_date")
    r = await si.client.post(f"{base}/resume", json={"resumed_date": "2025-01-01"})
    assert (r.status_code, r.json()["status"]) == (200, "active")
    r = await si.client.post(f"{base}/end", json={"end_date": "2024-12-31", "reason": "离职"})
    assert_problem(r, 422, "end_date")
    r = await si.client.post(f"{base}/end", json={"end_date": "2025-01-01", "reason": "离职"})
    assert (r.status_code, r.json()["status"], r.json()["end_date"]) == (200, "ended", "2025-01-01")
    r = await si.client.post(f"{base}/end", json={"end_date": "2025-02-01", "reason": "离职"})
    assert_problem(r, 409, "status")
    assert types_of(await events_since(si, before)) == ["enrolment.suspended", "enrolment.resumed", "enrolment.ended"]


async def test_resume_is_refused_while_another_enrolment_of_the_type_is_active(si: InProcessService) -> None:
    e = await enrol(si, "unemployment")
    await si.client.post(f"/v1/enrolments/{e['id']}/suspend", json={"suspended_date": "2025-03-01", "reason": "离职"})
    other = await enrol(si, "unemployment", id_number=e["id_number"], start_date="2025-04-01")
    r = await si.client.post(f"/v1/enrolments/{e['id']}/resume", json={"resumed_date": "2025-05-01"})
    assert assert_problem(r, 409, "insurance_type")["existing_id"] == other["id"]


async def test_lists_filter_sort_and_page(si: InProcessService) -> None:
    employer = factories.credit_code()
    a = await enrol(si, "unemployment", credit_code=employer, start_date="2025-02-01")
    b = await enrol(si, "work_injury", credit_code=employer, start_date="2025-03-01")
    await enrol(si, "work_injury", county_code="330881")
    r = await si.client.get("/v1/enrolments", params={"credit_code": employer, "sort": "start_date"})
    assert [x["id"] for x in r.json()["data"]] == [a["id"], b["id"]]
    r = await si.client.get("/v1/enrolments", params={"credit_code": employer, "insurance_type": "work_injury"})
    assert [x["id"] for x in r.json()["data"]] == [b["id"]]
    r = await si.client.get("/v1/enrolments", params={"credit_code": employer, "from_date": "2025-02-02"})
    assert [x["id"] for x in r.json()["data"]] == [b["id"]]
    r = await si.client.get("/v1/enrolments", params={"county_code": "330881"})
    assert r.json()["count"] == 1
    r = await si.client.get("/v1/enrolments", params={"id_number": a["id_number"]})
    assert [x["id"] for x in r.json()["data"]] == [a["id"]]
    assert_problem(await si.client.get("/v1/enrolments", params={"sort": "name"}), 422, "sort")
    assert_problem(await si.client.get("/v1/enrolments", params={"insurance_type": "medical"}), 422, "insurance_type")
    assert_problem(await si.client.get("/v1/enrolments/nope"), 404)


async def test_a_start_before_the_insurance_policy_is_a_422_not_a_500(si: InProcessService) -> None:
    """policy/insurance_types.toml starts 2011-07-01 (社会保险法): the day before has no types in force."""
    body = enrolment_body("unemployment", credit_code=factories.credit_code(), start_date="2011-06-30")
    assert_problem(await si.client.post("/v1/enrolments", json=body), 422, "start_date")
    on_the_day = await enrol(si, "unemployment", start_date="2011-07-01")
    assert on_the_day["start_date"] == "2011-07-01"
