"""技能大师工作室 and 培训基地, and the yearly training statistics (each figure as its definition says)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import factories
from tests.support import InProcessService
from tests.training.helpers import (
    TYPE,
    assert_problem,
    deliver_own_events,
    enrol,
    events_since,
    new_certificate,
    new_course,
    outbox,
)


def studio_body(**over: Any) -> dict[str, Any]:
    return {"name": "王建国电工技能大师工作室", "level": "provincial", "credit_code": factories.credit_code("330802"),
            "employer_name": "衢州电力设备有限公司", "occupation_codes": ["6-31-01-03"], "county_code": "330802",
            "recognised_date": "2026-06-01", "lead_id_number": factories.id_number(), "lead_name": "王建国", **over}


def base_body(**over: Any) -> dict[str, Any]:
    return {"name": "巨化高技能人才培训示范基地", "level": "provincial", "credit_code": factories.credit_code("330803"),
            "employer_name": "巨化集团有限公司", "occupation_codes": ["6-11-01-01", "6-31-01-03"],
            "county_code": "330803", "recognised_date": "2026-06-01", "kind": "enterprise_high_skill_demo", **over}


async def test_a_master_lead_one_active_studio_and_a_revoked_one_frees_them(training: InProcessService) -> None:
    before = len(await outbox(training))
    body = studio_body()
    r = await training.client.post("/v1/master-studios", json=body)
    assert r.status_code == 201, r.text
    studio = r.json()
    assert (studio["platform_type"], studio["status"], studio["kind"]) == ("master_studio", "active", None)
    again = await training.client.post("/v1/master-studios", json={**body, "name": "另一个工作室"})
    assert_problem(again, 409, "lead_id_number")
    assert again.json()["existing_id"] == studio["id"]
    bad = await training.client.post(f"/v1/master-studios/{studio['id']}/revoke",
                                     json={"reason": "考核不合格", "revoked_date": "2026-05-31"})
    assert_problem(bad, 422, "revoked_date")  # the day before the recognition
    r = await training.client.post(f"/v1/master-studios/{studio['id']}/revoke",
                                   json={"reason": "考核不合格", "revoked_date": "2026-06-01"})
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    assert (await training.client.post("/v1/master-studios", json={**body, "level": "national"})).status_code == 201
    types = [row["event_type"] for row in await events_since(training, before)]
    assert types == [TYPE("master_studio.recognised"), TYPE("master_studio.revoked"), TYPE("master_studio.recognised")]
    assert (await training.client.get(f"/v1/training-bases/{studio['id']}")).status_code == 404


async def test_an_employer_runs_one_active_base_of_a_kind(training: InProcessService) -> None:
    body = base_body()
    r = await training.client.post("/v1/training-bases", json=body)
    assert r.status_code == 201, r.text
    assert_problem(await training.client.post("/v1/training-bases", json=body), 409, "kind")
    other = await training.client.post("/v1/training-bases", json={**body, "kind": "public_training"})
    assert other.status_code == 201
    listed = (await training.client.get("/v1/training-bases", params={
        "credit_code": body["credit_code"], "kind": "enterprise_high_skill_demo"})).json()
    assert [b["id"] for b in listed["data"]] == [r.json()["id"]]
    by_occupation = (await training.client.get("/v1/training-bases", params={
        "credit_code": body["credit_code"], "occupation_code": "6-11-01-01"})).json()
    assert by_occupation["count"] == 2
    for over, field in (({"recognised_date": "2999-01-01"}, "recognised_date"), ({"occupation_codes": []},
                        "occupation_codes"), ({"kind": "other"}, "kind"), ({"level": "county"}, "level")):
        assert_problem(await training.client.post("/v1/training-bases", json=base_body(**over)), 422, field)


async def test_statistics_count_each_figure_in_its_year_and_county(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    before = len(await outbox(training))
    course = await new_course(training)  # 就业技能培训 in 柯城 330802
    trainees = [factories.id_number() for _ in range(3)]
    enrolments = [await enrol(training, course["id"], p) for p in trainees]
    for e in enrolments[:2]:
        await training.client.post(f"/v1/enrolments/{e['id']}/attendance", json={"hours": 100})
    move_today(date(2026, 4, 30))
    for e, result in zip(enrolments, ("passed", "passed", "failed"), strict=True):
        assert (await training.client.post(f"/v1/enrolments/{e['id']}/complete",
                                           json={"result": result})).status_code == 200
    veteran = factories.id_number()
    await new_certificate(training, veteran, level=3, issued_date="2025-05-01")  # high-skill since 2025
    await new_certificate(training, veteran, level=2, issued_date="2026-04-01")  # not new in 2026
    await new_certificate(training, trainees[0], level=3, issued_date="2026-04-30")  # new in 2026
    await new_certificate(training, trainees[1], level=4, issued_date="2026-04-30")
    cancelled = await new_certificate(training, level=3, issued_date="2026-04-30")
    await training.client.post(f"/v1/certificates/{cancelled['id']}/cancel", json={"reason": "录入错误"})
    await training.client.post("/v1/master-studios", json=studio_body(recognised_date="2026-02-01"))
    await training.client.post("/v1/training-bases", json=base_body(recognised_date="2026-02-01"))
    await deliver_own_events(training, before)

    r = await training.client.get("/v1/statistics", params={"year": 2026})
    assert r.status_code == 200, r.text
    city = r.json()["city"]
    kinds = {k["course_kind"]: (k["completed"], k["passed"]) for k in city["training"]}
    assert city["training_person_times"] == 3 and kinds["employment_skills"] == (3, 2)
    assert city["certificates_issued"] == 3  # the cancelled one and the 2025 one are not counted
    assert {c["level"]: c["issued"] for c in city["certificates_by_level"]} == {5: 0, 4: 1, 3: 1, 2: 1, 1: 0}
    assert city["new_high_skill_talent"] == 1  # trainees[0]; the veteran was high-skill in 2025
    subsidies = {s["kind"]: (s["granted"]["count"], s["persons"]) for s in city["subsidies"]}
    assert subsidies == {"training": (2, 2), "skill_upgrade": (4, 3)}  # granted (decided) in 2026, 3 persons
    assert city["platforms"] == {"new_master_studios": 1, "new_enterprise_high_skill_demo_bases": 1,
                                 "new_public_training_bases": 0}
    counties = {c["county_code"]: c for c in r.json()["counties"]}
    assert counties["330802"]["training_person_times"] == 3 and counties["330803"]["training_person_times"] == 0
    assert counties["330803"]["platforms"]["new_enterprise_high_skill_demo_bases"] == 1
    earlier = (await training.client.get("/v1/statistics", params={"year": 2025})).json()["city"]
    assert (earlier["certificates_issued"], earlier["new_high_skill_talent"]) == (1, 1)
    one = (await training.client.get("/v1/statistics", params={"year": 2026, "county_code": "330802"})).json()
    assert one["city"] is None and [c["county_code"] for c in one["counties"]] == ["330802"]
