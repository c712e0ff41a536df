"""失业人员“131”服务: recording services, the person's package progress and the overdue report (policy by date)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from employment.service_records import service
from employment.service_records.models import ServiceKind
from employment.service_records.policy import POLICY_FILE, SERVICE_131, Service131Policy, policy_on
from hrss_shared.paging import PageParams
from hrss_shared.policy import PolicyTable
from tests import factories
from tests.employment.helpers import assert_problem, count, employ, key_of, new_employer, outbox, reason, unemploy
from tests.support import InProcessService, bearer, token

SERVICE_RECORD_RECORDED = "hrss.employment.service_record.recorded.v1"
MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
PACKAGE = [("career_guidance", 0), ("job_recommendation", 1), ("job_recommendation", 2),
           ("job_recommendation", 3), ("training_referral", 4)]


async def serve(svc: InProcessService, id_number: str, kind: str, service_date: str,
                headers: dict[str, str] | None = None, **over: Any) -> httpx.Response:
    body = {"id_number": id_number, "kind": kind, "service_date": service_date, "staff": "张指导员",
            "agency": "柯城区公共就业服务中心", **over}
    return await svc.client.post("/v1/service-records", json=body, headers=headers)


async def served(svc: InProcessService, id_number: str, kind: str, service_date: str, **over: Any) -> dict[str, Any]:
    r = await serve(svc, id_number, kind, service_date, **over)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def full_package(svc: InProcessService, id_number: str, start: date) -> None:
    for kind, offset in PACKAGE:
        await served(svc, id_number, kind, (start + timedelta(days=offset)).isoformat())


async def report(svc: InProcessService, **params: Any) -> dict[str, Any]:
    r = await svc.client.get("/v1/service-records/report", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# ---- the policy table ----------------------------------------------------------------------


def test_policy_versions_differ_by_date() -> None:
    table = PolicyTable.load(POLICY_FILE, Service131Policy)
    before, after = table.at(date(2023, 12, 31)), table.at(date(2024, 1, 1))
    assert before.days == 30
    assert after.days == 15
    assert "131" in before.source and "衢" in before.source
    assert before.required() == {ServiceKind.career_guidance: 1, ServiceKind.job_recommendation: 3,
                                 ServiceKind.training_referral: 1}
    assert policy_on(date(2020, 12, 31)) is None, "no 131 obligation before the first version"


def moved_table(tmp_path: Path, boundary: str) -> PolicyTable[Service131Policy]:
    text = POLICY_FILE.read_text(encoding="utf-8")
    text = text.replace("effective_from = 2024-01-01", f"effective_from = {boundary}")
    path = tmp_path / "service_131.toml"
    path.write_text(text, encoding="utf-8")
    return PolicyTable.load(path, Service131Policy)


@settings(max_examples=60, deadline=None)
@given(days=st.integers(min_value=1, max_value=60), offsets=st.lists(st.integers(min_value=-10, max_value=90),
                                                                     max_size=8),
       as_of_offset=st.integers(min_value=0, max_value=120))
def test_only_services_inside_the_window_count(days: int, offsets: list[int], as_of_offset: int) -> None:
    registered = date(2022, 3, 1)
    policy = SERVICE_131.at(registered).model_copy(update={"days": days})
    as_of = registered + timedelta(days=as_of_offset)
    services = [("job_recommendation", registered + timedelta(days=k)) for k in offsets]
    done = service.progress(policy=policy, registered_date=registered, services=services, as_of=as_of)
    inside = sum(1 for k in offsets if 0 <= k <= min(days, as_of_offset))
    late = sum(1 for k in offsets if days < k <= as_of_offset)
    item = next(i for i in done.items if i.kind == "job_recommendation")
    assert done.deadline_date == registered + timedelta(days=days)
    assert (item.received, item.missing) == (inside, max(3 - inside, 0))
    assert done.late_records == late
    assert not done.complete, "no career guidance or training referral was given"


# ---- recording -----------------------------------------------------------------------------


async def test_record_a_service_writes_one_event(employment: InProcessService) -> None:
    person = factories.id_number("330802")
    reg = await unemploy(employment, person, "2026-07-02", county="330802")
    before = len(await outbox(employment))
    body = await served(employment, person, "job_recommendation", "2026-07-10", job_posting_id="JP-1001",
                        notes="推荐至衢州某机械厂")
    assert {k: body[k] for k in ("id_number", "name", "county_code", "unemployment_registration_id", "kind",
                                 "kind_name", "service_date", "staff", "agency", "notes", "job_posting_id")} == {
        "id_number": person, "name": "王小明", "county_code": "330802", "unemployment_registration_id": reg["id"],
        "kind": "job_recommendation", "kind_name": "岗位推荐", "service_date": "2026-07-10", "staff": "张指导员",
        "agency": "柯城区公共就业服务中心", "notes": "推荐至衢州某机械厂", "job_posting_id": "JP-1001"}
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == SERVICE_RECORD_RECORDED
    assert row["key"] == key_of(employment, person)
    assert row["event"]["data"] == {
        "id": body["id"], "id_number": person, "county_code": "330802", "unemployment_registration_id": reg["id"],
        "kind": "job_recommendation", "service_date": "2026-07-10", "staff": "张指导员",
        "agency": "柯城区公共就业服务中心", "job_posting_id": "JP-1001"}
    assert (await employment.client.get(f"/v1/service-records/{body['id']}")).json()["id"] == body["id"]


async def test_person_without_unemployment_registration_is_409(employment: InProcessService) -> None:
    before = await outbox(employment)
    body = assert_problem(await serve(employment, factories.id_number(), "career_guidance", "2026-07-10"), 409,
                          "id_number")
    assert "未办理失业登记" in body["detail"]
    assert await count(employment, "service_records") == 0
    assert await outbox(employment) == before


async def test_service_before_the_registration_date_is_422(employment: InProcessService) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02")
    before = await outbox(employment)
    body = assert_problem(await serve(employment, person, "career_guidance", "2026-07-01"), 422, "service_date")
    assert "2026-07-02" in reason(body, "service_date")
    assert await count(employment, "service_records") == 0
    assert await outbox(employment) == before


async def test_after_closure_is_409_naming_the_closure_but_a_late_entry_for_an_open_day_is_fine(
    employment: InProcessService,
) -> None:
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-07-02")
    r = await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close",
                                     json={"end_date": "2026-08-01", "reason": "本人申请"})
    assert r.status_code == 200, r.text
    before = await outbox(employment)
    body = assert_problem(await serve(employment, person, "career_guidance", "2026-08-05"), 409, "id_number")
    assert "2026-08-01" in body["detail"] and "本人申请" in body["detail"]
    assert body["existing_id"] == reg["id"]
    assert_problem(await serve(employment, person, "career_guidance", "2026-08-01"), 409)
    assert await outbox(employment) == before
    late_entry = await served(employment, person, "career_guidance", "2026-07-20")
    assert late_entry["unemployment_registration_id"] == reg["id"]


async def test_re_employed_person_gets_no_new_service(employment: InProcessService) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02")
    employer = await new_employer(employment)
    await employ(employment, person, employer["credit_code"], "2026-09-01")
    body = assert_problem(await serve(employment, person, "job_recommendation", "2026-09-02"), 409)
    assert "2026-09-01" in body["detail"]


async def test_service_belongs_to_the_registration_open_on_its_date(employment: InProcessService) -> None:
    person = factories.id_number()
    first = await unemploy(employment, person, "2026-03-01")
    await employment.client.post(f"/v1/unemployment-registrations/{first['id']}/close",
                                 json={"end_date": "2026-04-01", "reason": "就业"})
    second = await unemploy(employment, person, "2026-06-01")
    assert (await served(employment, person, "career_guidance", "2026-03-15"))["unemployment_registration_id"] == (
        first["id"])
    assert (await served(employment, person, "career_guidance", "2026-06-15"))["unemployment_registration_id"] == (
        second["id"])
    between = assert_problem(await serve(employment, person, "career_guidance", "2026-05-01"), 422, "service_date")
    assert "2026-06-01" in reason(between, "service_date"), "before the open registration's date"


@pytest.mark.parametrize(("over", "field"), [
    ({"kind": "counselling"}, "kind"), ({"service_date": "2099-01-01"}, "service_date"),
    ({"service_date": "2026-02-30"}, "service_date"), ({"staff": ""}, "staff"),
    ({"job_posting_id": "JP-1", "kind": "career_guidance"}, "job_posting_id"),
    ({"job_posting_id": "JP-1", "kind": "training_referral"}, "job_posting_id"),
    ({"id_number": "110105194912310021"}, "id_number"), ({"notes": "x" * 501}, "notes"),
])
async def test_bad_record_is_422_naming_the_field(
    employment: InProcessService, over: dict[str, str], field: str
) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02")
    before = await outbox(employment)
    body = {"id_number": person, "kind": "career_guidance", "service_date": "2026-07-10", "staff": "张", **over}
    problem = assert_problem(await employment.client.post("/v1/service-records", json=body), 422, field)
    assert reason(problem, field)
    assert await count(employment, "service_records") == 0
    assert await outbox(employment) == before


async def test_same_job_posting_twice_in_one_registration_is_409(employment: InProcessService) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02")
    first = await served(employment, person, "job_recommendation", "2026-07-10", job_posting_id="JP-9")
    before = await outbox(employment)
    body = assert_problem(await serve(employment, person, "job_recommendation", "2026-07-12", job_posting_id="JP-9"),
                          409, "job_posting_id")
    assert body["existing_id"] == first["id"]
    assert await outbox(employment) == before
    await served(employment, person, "job_recommendation", "2026-07-12", job_posting_id="JP-10")
    await served(employment, person, "job_recommendation", "2026-07-12")
    assert await count(employment, "service_records") == 3


async def test_county_client_records_only_its_own_countys_unemployed(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", "employment:write", county="330803"))
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02", county="330802")
    before = await outbox(employment)
    assert_problem(await serve(employment, person, "career_guidance", "2026-07-10", headers=qujiang), 403)
    assert await outbox(employment) == before
    own = factories.id_number("330803")
    await unemploy(employment, own, "2026-07-02", county="330803")
    assert (await serve(employment, own, "career_guidance", "2026-07-10", headers=qujiang)).status_code == 201


# ---- list ----------------------------------------------------------------------------------


async def test_list_filters_sorts_pages_and_masks(employment: InProcessService) -> None:
    a, b = factories.id_number("330802"), factories.id_number("330881")
    await unemploy(employment, a, "2026-07-02", county="330802")
    await unemploy(employment, b, "2026-07-02", county="330881")
    await served(employment, a, "career_guidance", "2026-07-05")
    await served(employment, a, "job_recommendation", "2026-07-20")
    await served(employment, b, "training_referral", "2026-07-10")

    async def dates(**params: Any) -> list[str]:
        r = await employment.client.get("/v1/service-records", params=params)
        assert r.status_code == 200, r.text
        return [row["service_date"] for row in r.json()["data"]]

    assert await dates() == ["2026-07-20", "2026-07-10", "2026-07-05"]
    assert await dates(sort="service_date") == ["2026-07-05", "2026-07-10", "2026-07-20"]
    assert await dates(id_number=a) == ["2026-07-20", "2026-07-05"]
    assert await dates(county_code="330881") == ["2026-07-10"]
    assert await dates(kind="job_recommendation") == ["2026-07-20"]
    assert await dates(from_date="2026-07-06", to_date="2026-07-19") == ["2026-07-10"]
    page = (await employment.client.get("/v1/service-records", params={"limit": 2, "offset": 2})).json()
    assert (page["count"], len(page["data"])) == (3, 1)
    reader = bearer(token("employment:read"))
    rows = (await employment.client.get("/v1/service-records", headers=reader)).json()["data"]
    assert all(MASKED_ID.match(row["id_number"]) for row in rows)
    county = bearer(token("employment:read", county="330881"))
    assert (await employment.client.get("/v1/service-records", headers=county)).json()["count"] == 1
    assert_problem(await employment.client.get("/v1/service-records", params={"county_code": "330802"},
                                               headers=county), 403)


# ---- summary -------------------------------------------------------------------------------


async def test_summary_shows_progress_then_completion(employment: InProcessService) -> None:
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-07-02")
    await served(employment, person, "career_guidance", "2026-07-03")
    await served(employment, person, "job_recommendation", "2026-07-04")
    r = await employment.client.get(f"/v1/service-records/summary/{person}", params={"as_of": "2026-07-10"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["unemployment_registration_id"], body["days"], body["deadline_date"]) == (reg["id"], 15,
                                                                                          "2026-07-17")
    assert "131" in body["policy_source"]
    assert body["policy_illustrative"] is True  # the 2024 version's document number was not found
    assert {i["kind"]: (i["required"], i["received"], i["missing"]) for i in body["items"]} == {
        "career_guidance": (1, 1, 0), "job_recommendation": (3, 1, 2), "training_referral": (1, 0, 1)}
    assert (body["complete"], body["overdue"]) == (False, False)
    overdue = (await employment.client.get(f"/v1/service-records/summary/{person}",
                                           params={"as_of": "2026-07-20"})).json()
    assert (overdue["complete"], overdue["overdue"]) == (False, True)
    for day in ("2026-07-05", "2026-07-06"):
        await served(employment, person, "job_recommendation", day)
    await served(employment, person, "training_referral", "2026-07-17")
    done = (await employment.client.get(f"/v1/service-records/summary/{person}",
                                        params={"as_of": "2026-07-20"})).json()
    assert (done["complete"], done["overdue"], done["late_records"]) == (True, False, 0)


async def test_services_after_the_deadline_do_not_complete_the_package(employment: InProcessService) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02")
    for kind, offset in PACKAGE:
        await served(employment, person, kind, (date(2026, 7, 2) + timedelta(days=offset + 20)).isoformat())
    body = (await employment.client.get(f"/v1/service-records/summary/{person}",
                                        params={"as_of": "2026-08-31"})).json()
    assert (body["complete"], body["overdue"], body["late_records"]) == (False, True, 5)
    assert all(i["received"] == 0 for i in body["items"])


async def test_summary_of_a_registration_before_any_policy_has_no_deadline(employment: InProcessService) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2020-06-01")
    body = (await employment.client.get(f"/v1/service-records/summary/{person}",
                                        params={"as_of": "2020-09-01"})).json()
    assert (body["days"], body["deadline_date"], body["items"], body["overdue"]) == (None, None, [], False)


async def test_summary_unknown_person_404_and_other_county_403(employment: InProcessService) -> None:
    assert_problem(await employment.client.get(f"/v1/service-records/summary/{factories.id_number()}"), 404)
    assert_problem(await employment.client.get("/v1/service-records/summary/110105194912310021"), 422, "id_number")
    person = factories.id_number()
    await unemploy(employment, person, "2026-07-02", county="330802")
    qujiang = bearer(token("employment:read", county="330803"))
    assert_problem(await employment.client.get(f"/v1/service-records/summary/{person}", headers=qujiang), 403)


# ---- the overdue report --------------------------------------------------------------------


async def test_report_lists_overdue_people_with_what_is_missing_and_the_deadline(employment: InProcessService) -> None:
    overdue, complete, not_due, closed = (factories.id_number() for _ in range(4))
    await unemploy(employment, overdue, "2026-07-01")
    await served(employment, overdue, "career_guidance", "2026-07-02")
    await served(employment, overdue, "job_recommendation", "2026-07-03")
    await unemploy(employment, complete, "2026-07-01")
    await full_package(employment, complete, date(2026, 7, 1))
    await unemploy(employment, not_due, "2026-08-01")
    reg = await unemploy(employment, closed, "2026-07-01")
    await employment.client.post(f"/v1/unemployment-registrations/{reg['id']}/close",
                                 json={"end_date": "2026-07-20", "reason": "就业"})
    body = await report(employment, as_of="2026-08-10")
    assert body["count"] == 1
    [row] = body["data"]
    assert (row["id_number"], row["registered_date"], row["days"], row["deadline_date"]) == (
        overdue, "2026-07-01", 15, "2026-07-16")
    assert [(m["kind"], m["kind_name"], m["required"], m["received"], m["missing"]) for m in row["missing"]] == [
        ("job_recommendation", "岗位推荐", 3, 1, 2), ("training_referral", "培训推荐", 1, 0, 1)]
    assert (await report(employment, as_of="2026-07-16"))["count"] == 0, "not overdue on the deadline itself"
    assert (await report(employment, as_of="2026-07-17"))["count"] == 2, "the closed one was still open then"


async def test_report_across_the_policy_boundary(employment: InProcessService) -> None:
    """Registered 2023-12-31 (30 days under the first version) vs 2024-01-01 (15 days under the second)."""
    earlier, later = factories.id_number(), factories.id_number()
    await unemploy(employment, earlier, "2023-12-31")
    await unemploy(employment, later, "2024-01-01")
    body = await report(employment, as_of="2024-01-20")
    assert [(r["id_number"], r["days"], r["deadline_date"]) for r in body["data"]] == [(later, 15, "2024-01-16")]
    body = await report(employment, as_of="2024-02-05")
    assert [(r["id_number"], r["deadline_date"], r["policy_illustrative"]) for r in body["data"]] == [
        (later, "2024-01-16", True), (earlier, "2024-01-30", False)]  # the 2024 version's number was not found
    desc = await report(employment, as_of="2024-02-05", sort="-deadline_date")
    assert [r["id_number"] for r in desc["data"]] == [earlier, later]


async def test_moving_the_policy_date_changes_the_report(employment: InProcessService, tmp_path: Path) -> None:
    person = factories.id_number()
    await unemploy(employment, person, "2024-01-01")
    page = PageParams(limit=50, offset=0)
    async with employment.runtime.maker() as session:
        as_filed, _ = await service.overdue_report(session=session, page=page, as_of=date(2024, 1, 20))
        moved, _ = await service.overdue_report(session=session, page=page, as_of=date(2024, 1, 20),
                                                table=moved_table(tmp_path, "2024-02-01"))
    assert [r.deadline_date for r in as_filed] == [date(2024, 1, 16)]
    assert moved == [], "under a later boundary the 30-day version applies and the deadline is 2024-01-31"


async def test_report_filters_counties_dates_and_pages(employment: InProcessService) -> None:
    people = []
    for county, day in (("330802", "2026-06-01"), ("330802", "2026-06-10"), ("330881", "2026-06-05")):
        person = factories.id_number(county)
        await unemploy(employment, person, day, county=county)
        people.append(person)
    assert (await report(employment, as_of="2026-08-01"))["count"] == 3
    assert [r["id_number"] for r in (await report(employment, as_of="2026-08-01", county_code="330802"))["data"]] == (
        people[:2])
    ranged = await report(employment, as_of="2026-08-01", from_date="2026-06-02", to_date="2026-06-30")
    assert [r["id_number"] for r in ranged["data"]] == [people[2], people[1]]
    paged = await report(employment, as_of="2026-08-01", limit=1, offset=1)
    assert (paged["count"], [r["id_number"] for r in paged["data"]]) == (3, [people[2]])
    county = bearer(token("employment:read", county="330881"))
    r = await employment.client.get("/v1/service-records/report", params={"as_of": "2026-08-01"}, headers=county)
    assert [row["county_code"] for row in r.json()["data"]] == ["330881"]
    assert MASKED_ID.match(r.json()["data"][0]["id_number"])
    assert_problem(await employment.client.get("/v1/service-records/report", params={"sort": "name"}), 422, "sort")
    assert_problem(await employment.client.get("/v1/service-records/report", params={"as_of": "2026-13-01"}), 422,
                   "as_of")
