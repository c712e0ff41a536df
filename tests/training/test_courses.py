"""培训课程: only an active institution accredited for the occupation on every day of the course runs it; the fee
is exact to the fen; the event, the list filters and the county limit."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.support import InProcessService, bearer, token
from tests.training.helpers import (
    ELECTRICIAN,
    TYPE,
    WELDER,
    accredit,
    assert_problem,
    count,
    course_body,
    enrol,
    events_since,
    new_course,
    new_institution,
    outbox,
    reason,
)


async def accredited(svc: InProcessService, *periods: tuple[str, str], county: str = "330802") -> dict[str, Any]:
    """A new institution accredited for 电工 in each period."""
    inst = await new_institution(svc, county)
    for valid_from, valid_until in periods:
        await accredit(svc, inst["id"], valid_from, valid_until)
    return inst


async def publish(svc: InProcessService, institution_id: str, **over: Any) -> Any:
    return await svc.client.post("/v1/courses", json=course_body(institution_id, **over))


# ---- the accreditation rule, at its edges ------------------------------------------------------


async def test_accreditation_ending_on_the_end_day_covers_the_course(training: InProcessService) -> None:
    inst = await accredited(training, ("2026-01-01", "2026-04-30"))
    before = len(await outbox(training))
    r = await publish(training, inst["id"], start_date="2026-03-01", end_date="2026-04-30")
    assert r.status_code == 201, r.text
    course = r.json()
    assert (course["institution_name"], course["credit_code"], course["enrolled"], course["seats_left"]) == (
        inst["name"], inst["credit_code"], 0, 30)
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("course.published")
    assert row["event"]["subject"] == inst["credit_code"]
    assert row["event"]["data"] == {
        "id": course["id"], "institution_id": inst["id"], "credit_code": inst["credit_code"],
        "institution_name": inst["name"], "occupation_code": ELECTRICIAN[0], "occupation_name": "电工",
        "kind": "employment_skills", "target_level": 4, "hours": 100, "fee_per_trainee": "1280.00", "capacity": 30,
        "start_date": "2026-03-01", "end_date": "2026-04-30", "county_code": "330802"}
    assert (await training.client.get(f"/v1/courses/{course['id']}")).json() == course


async def test_accreditation_ending_the_day_before_the_end_day_is_409_naming_what_is_missing(
    training: InProcessService,
) -> None:
    inst = await accredited(training, ("2026-01-01", "2026-04-29"))
    before = await outbox(training)
    problem = assert_problem(await publish(training, inst["id"], start_date="2026-03-01", end_date="2026-04-30"), 409,
                             "occupation_code")
    assert (problem["institution_id"], problem["occupation_code"]) == (inst["id"], ELECTRICIAN[0])
    assert problem["missing"] == [{"from": "2026-04-30", "until": "2026-04-30"}]
    for words in (inst["name"], inst["id"], ELECTRICIAN[0], "2026-04-30", "资质"):
        assert words in problem["detail"], words
    assert await outbox(training) == before
    assert await count(training, "courses") == 0


async def test_accreditation_starting_the_day_after_the_start_day_is_409(training: InProcessService) -> None:
    inst = await accredited(training, ("2026-03-02", "2026-12-31"))
    problem = assert_problem(await publish(training, inst["id"], start_date="2026-03-01"), 409, "occupation_code")
    assert problem["missing"] == [{"from": "2026-03-01", "until": "2026-03-01"}]
    inst = await accredited(training, ("2026-03-01", "2026-12-31"))
    assert (await publish(training, inst["id"], start_date="2026-03-01")).status_code == 201


async def test_consecutive_accreditations_cover_a_course_and_a_gap_between_them_does_not(
    training: InProcessService,
) -> None:
    joined = await accredited(training, ("2025-01-01", "2026-03-31"), ("2026-04-01", "2027-03-31"))
    assert (await publish(training, joined["id"])).status_code == 201
    gap = await accredited(training, ("2025-01-01", "2026-03-20"), ("2026-04-01", "2027-03-31"))
    problem = assert_problem(await publish(training, gap["id"]), 409, "occupation_code")
    assert problem["missing"] == [{"from": "2026-03-21", "until": "2026-03-31"}]
    assert "2026-03-21～2026-03-31" in problem["detail"]


async def test_an_accreditation_for_another_occupation_does_not_count(training: InProcessService) -> None:
    inst = await new_institution(training)
    await accredit(training, inst["id"], occupation=WELDER)
    problem = assert_problem(await publish(training, inst["id"]), 409, "occupation_code")
    assert problem["missing"] == [{"from": "2026-03-01", "until": "2026-04-30"}]
    assert (await publish(training, inst["id"], occupation_code=WELDER[0], occupation_name=WELDER[1])).status_code \
        == 201


@pytest.mark.parametrize("status", ["suspended", "closed"])
async def test_only_an_active_institution_runs_a_course(training: InProcessService, status: str) -> None:
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    await training.client.patch(f"/v1/institutions/{inst['id']}", json={"status": status})
    before = await outbox(training)
    problem = assert_problem(await publish(training, inst["id"]), 409, "institution_id")
    assert problem["current_status"] == status
    assert await outbox(training) == before


async def test_unknown_institution_is_422_naming_it(training: InProcessService) -> None:
    assert_problem(await publish(training, "no-such-institution"), 422, "institution_id")
    assert_problem(await training.client.get("/v1/courses/no-such-course"), 404)


# ---- fields --------------------------------------------------------------------------------


async def test_target_level_is_optional_only_for_entrepreneurship(training: InProcessService) -> None:
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    r = await publish(training, inst["id"], kind="entrepreneurship", target_level=None)
    assert r.status_code == 201, r.text
    assert r.json()["target_level"] is None
    for kind in ("employment_skills", "on_the_job_upgrade", "apprenticeship"):
        body = course_body(inst["id"], kind=kind)
        del body["target_level"]
        problem = assert_problem(await training.client.post("/v1/courses", json=body), 422, "target_level")
        assert "target_level" in reason(problem, "target_level")
    for level in (0, 6):
        assert_problem(await publish(training, inst["id"], target_level=level), 422, "target_level")
    assert (await publish(training, inst["id"], kind="apprenticeship", target_level=1)).status_code == 201


@pytest.mark.parametrize(("fee", "stored"), [
    ("1280.5", "1280.50"), ("0.1", "0.10"), ("0", "0.00"), (1280, "1280.00"), ("999999999999.99", "999999999999.99"),
    ("1280.500", "1280.50"),
])
async def test_the_fee_is_kept_exactly_to_the_fen(training: InProcessService, fee: object, stored: str) -> None:
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    before = len(await outbox(training))
    r = await publish(training, inst["id"], fee_per_trainee=fee)
    assert r.status_code == 201, r.text
    assert r.json()["fee_per_trainee"] == stored
    [row] = await events_since(training, before)
    assert row["event"]["data"]["fee_per_trainee"] == stored
    assert (await training.client.get(f"/v1/courses/{r.json()['id']}")).json()["fee_per_trainee"] == stored


@pytest.mark.parametrize(("fee", "words"), [
    ("-0.01", "负数"), (-5, "负数"), ("12.345", "两位小数"), ("0.30000000000000004", "两位小数"),
    (1280.5, "字符串"), (0.1, "字符串"), ("1e12", "过大"), ("NaN", "finite"), ("一千元", "decimal"), (True, "字符串"),
])
async def test_a_bad_or_inexact_fee_is_422_naming_the_field(
    training: InProcessService, fee: object, words: str
) -> None:
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    before = await outbox(training)
    problem = assert_problem(await publish(training, inst["id"], fee_per_trainee=fee), 422, "fee_per_trainee")
    assert words in reason(problem, "fee_per_trainee"), problem
    assert await outbox(training) == before
    assert await count(training, "courses") == 0


async def test_a_json_number_with_a_long_fraction_is_refused_not_rounded(training: InProcessService) -> None:
    """0.10000000000000000001 parses to the float 0.1: accepting it would store a fee the client did not send."""
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    raw = course_body(inst["id"], fee_per_trainee="FEE")
    content = json.dumps(raw).replace('"FEE"', "0.10000000000000000001")
    r = await training.client.post("/v1/courses", content=content, headers={"content-type": "application/json"})
    assert_problem(r, 422, "fee_per_trainee")
    assert await count(training, "courses") == 0


@pytest.mark.parametrize(("over", "field"), [
    ({"start_date": "2026-05-01", "end_date": "2026-04-30"}, "end_date"),
    ({"hours": 0}, "hours"), ({"hours": 5001}, "hours"), ({"capacity": 0}, "capacity"),
    ({"capacity": -1}, "capacity"), ({"kind": "online"}, "kind"), ({"occupation_code": "6-31-01"}, "occupation_code"),
    ({"occupation_name": "电\u200b工"}, "occupation_name"), ({"county_code": "330100"}, "county_code"),
    ({"start_date": "1899-12-31"}, "start_date"),
])
async def test_bad_course_is_422_naming_the_field(
    training: InProcessService, over: dict[str, Any], field: str
) -> None:
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    before = await outbox(training)
    assert_problem(await publish(training, inst["id"], **over), 422, field)
    assert await outbox(training) == before


async def test_a_one_day_course_may_start_and_end_on_the_same_day(training: InProcessService) -> None:
    inst = await accredited(training, ("2026-04-30", "2026-04-30"))
    r = await publish(training, inst["id"], start_date="2026-04-30", end_date="2026-04-30", hours=8)
    assert r.status_code == 201, r.text


# ---- list ------------------------------------------------------------------------------------


async def test_list_filters_pages_and_sorts(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 1, 15))
    first = await accredited(training, ("2021-01-01", "2030-12-31"))
    second = await accredited(training, ("2021-01-01", "2030-12-31"), county="330881")
    await accredit(training, second["id"], occupation=WELDER)
    a = await new_course(training, first["id"], start_date="2026-01-10", end_date="2026-02-10",
                         fee_per_trainee="300.00")
    b = await new_course(training, first["id"], start_date="2026-03-10", end_date="2026-04-10", kind="entrepreneurship",
                         target_level=None, fee_per_trainee="0")
    c = await new_course(training, second["id"], start_date="2026-05-10", end_date="2026-06-10", county_code="330881",
                         occupation_code=WELDER[0], occupation_name=WELDER[1], fee_per_trainee="1500.00")
    await enrol(training, a["id"])

    async def ids(**params: Any) -> list[str]:
        r = await training.client.get("/v1/courses", params=params)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()["data"]]

    assert await ids() == [c["id"], b["id"], a["id"]]  # latest start first
    assert await ids(sort="start_date") == [a["id"], b["id"], c["id"]]
    assert await ids(sort="-fee_per_trainee") == [c["id"], a["id"], b["id"]]
    assert await ids(institution_id=first["id"]) == [b["id"], a["id"]]
    assert await ids(county_code="330881") == [c["id"]]
    assert await ids(occupation_code=WELDER[0]) == [c["id"]]
    assert await ids(kind="entrepreneurship") == [b["id"]]
    assert await ids(from_date="2026-03-10", to_date="2026-05-09") == [b["id"]]
    assert await ids(from_date="2026-03-11") == [c["id"]]
    page = (await training.client.get("/v1/courses", params={"limit": 1, "offset": 2})).json()
    assert (page["count"], [x["id"] for x in page["data"]]) == (3, [a["id"]])
    assert (page["data"][0]["enrolled"], page["data"][0]["seats_left"]) == (1, 29)
    assert_problem(await training.client.get("/v1/courses", params={"kind": "online"}), 422, "kind")
    assert_problem(await training.client.get("/v1/courses", params={"occupation_code": "x"}), 422, "occupation_code")


async def test_county_client_publishes_and_reads_only_its_county(training: InProcessService) -> None:
    kaihua = bearer(token("training:read", "training:write", county="330824"))
    inst = await accredited(training, ("2021-01-01", "2030-12-31"))
    other = await new_course(training, inst["id"], county_code="330802")
    r = await training.client.post("/v1/courses", json=course_body(inst["id"], county_code="330802"), headers=kaihua)
    assert_problem(r, 403)
    r = await training.client.post("/v1/courses", json=course_body(inst["id"], county_code="330824"), headers=kaihua)
    assert r.status_code == 201, r.text
    own = r.json()
    assert_problem(await training.client.get(f"/v1/courses/{other['id']}", headers=kaihua), 403)
    listed = (await training.client.get("/v1/courses", headers=kaihua)).json()
    assert [x["id"] for x in listed["data"]] == [own["id"]]
    assert_problem(await training.client.get("/v1/courses", params={"county_code": "330802"}, headers=kaihua), 403)
