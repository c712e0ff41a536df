"""职业技能等级认定 and 专项职业能力 certificates: recording, the 高技能 boundary, corrections and cancellations."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import factories
from tests.support import InProcessService
from tests.training.helpers import (
    TYPE,
    assert_problem,
    certificate_body,
    enrol,
    events_since,
    new_certificate,
    new_course,
    outbox,
)


async def test_a_certificate_is_recorded_with_its_occupation_code_and_published(training: InProcessService) -> None:
    before = len(await outbox(training))
    body = certificate_body(level=3)
    r = await training.client.post("/v1/certificates", json=body)
    assert r.status_code == 201, r.text
    cert = r.json()
    assert (cert["level"], cert["level_name"], cert["high_skill"], cert["status"]) == (3, "三级/高级工", True, "valid")
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("certificate.issued")
    data = row["event"]["data"]
    assert (data["occupation_code"], data["occupation"], data["level"], data["certificate_number"],
            data["evaluation_org"]) == ("6-31-01-03", "电工", 3, body["certificate_number"], body["evaluation_org"])


async def test_level_three_is_high_skill_and_level_four_is_not(training: InProcessService) -> None:
    three = await new_certificate(training, level=3)
    four = await new_certificate(training, level=4)
    one = await new_certificate(training, level=1)
    assert (three["high_skill"], four["high_skill"], one["high_skill"]) == (True, False, True)
    assert (one["level_name"], four["level_name"]) == ("一级/高级技师", "四级/中级工")


async def test_a_certificate_number_is_recorded_once(training: InProcessService) -> None:
    first = await new_certificate(training)
    r = await training.client.post("/v1/certificates", json=certificate_body(
        certificate_number=first["certificate_number"]))
    assert_problem(r, 409, "certificate_number")
    assert r.json()["existing_id"] == first["id"]


async def test_bad_certificates_are_refused_naming_the_field(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    for over, field in (({"level": 0}, "level"), ({"level": 6}, "level"), ({"occupation_code": "6-31-1-03"},
                        "occupation_code"), ({"issued_date": "2026-03-11"}, "issued_date"),
                        ({"certificate_number": " "}, "certificate_number"), ({"id_number": "330802"}, "id_number")):
        r = await training.client.post("/v1/certificates", json=certificate_body(**over))
        assert_problem(r, 422, field)
    r = await training.client.post("/v1/certificates", json=certificate_body(issued_date="2026-03-10"))
    assert r.status_code == 201  # the issue date may be today


async def test_a_certificate_naming_an_enrolment_needs_the_holders_passed_completion(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    course = await new_course(training)
    person = factories.id_number()
    enrolment = await enrol(training, course["id"], person)
    r = await training.client.post("/v1/certificates", json=certificate_body(person, enrolment_id=enrolment["id"],
                                                                             issued_date="2026-03-01"))
    assert_problem(r, 422, "enrolment_id")  # not completed yet
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/attendance", json={"hours": 100})
    move_today(date(2026, 4, 30))
    assert (await training.client.post(f"/v1/enrolments/{enrolment['id']}/complete",
                                       json={"result": "passed"})).status_code == 200
    r = await training.client.post("/v1/certificates", json=certificate_body(enrolment_id=enrolment["id"],
                                                                             issued_date="2026-04-30"))
    assert_problem(r, 422, "enrolment_id")  # someone else's
    r = await training.client.post("/v1/certificates", json=certificate_body(
        person, enrolment_id=enrolment["id"], occupation_code="6-18-02-04", issued_date="2026-04-30"))
    assert_problem(r, 422, "enrolment_id")  # another occupation
    r = await training.client.post("/v1/certificates", json=certificate_body(
        person, enrolment_id=enrolment["id"], issued_date="2026-04-30"))
    assert r.status_code == 201, r.text


async def test_a_correction_changes_the_fields_sent_and_publishes_the_certificate_after_it(
    training: InProcessService,
) -> None:
    cert = await new_certificate(training, level=4)
    before = len(await outbox(training))
    r = await training.client.post(f"/v1/certificates/{cert['id']}/correct",
                                   json={"level": 3, "reason": "等级录入错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["level"], r.json()["corrections"], r.json()["high_skill"]) == (3, 1, True)
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("certificate.corrected")
    assert (row["event"]["data"]["changed"], row["event"]["data"]["level"]) == (["level"], 3)
    r = await training.client.post(f"/v1/certificates/{cert['id']}/correct", json={"level": 3, "reason": "再次"})
    assert_problem(r, 409, "reason")  # changes nothing
    r = await training.client.post(f"/v1/certificates/{cert['id']}/correct", json={"reason": "无内容"})
    assert r.status_code == 422
    r = await training.client.post(f"/v1/certificates/{cert['id']}/correct", json={"level": None, "reason": "x"})
    assert_problem(r, 422, "level")


async def test_a_cancelled_certificate_is_final(training: InProcessService) -> None:
    cert = await new_certificate(training)
    before = len(await outbox(training))
    r = await training.client.post(f"/v1/certificates/{cert['id']}/cancel", json={"reason": "证书信息虚假"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("certificate.cancelled")
    for action, body in (("cancel", {"reason": "再撤销"}), ("correct", {"level": 3, "reason": "更正"})):
        r = await training.client.post(f"/v1/certificates/{cert['id']}/{action}", json=body)
        assert_problem(r, 409, "status")
    assert (await training.client.get("/v1/certificates/no-such-id")).status_code == 404
    listed = (await training.client.get("/v1/certificates", params={"id_number": cert["id_number"],
                                                                   "status": "cancelled"})).json()
    assert [c["id"] for c in listed["data"]] == [cert["id"]]


async def test_certificates_list_by_level_occupation_and_issue_date(training: InProcessService) -> None:
    person = factories.id_number()
    a = await new_certificate(training, person, level=5, issued_date="2025-06-01")
    b = await new_certificate(training, person, level=4, issued_date="2026-02-01")
    listed = (await training.client.get("/v1/certificates", params={"id_number": person})).json()
    assert [c["id"] for c in listed["data"]] == [b["id"], a["id"]]  # newest first
    by_level = (await training.client.get("/v1/certificates", params={"id_number": person, "level": 5})).json()
    assert [c["id"] for c in by_level["data"]] == [a["id"]]
    in_2026 = (await training.client.get("/v1/certificates", params={
        "id_number": person, "from_date": "2026-01-01", "to_date": "2026-12-31"})).json()
    assert [c["id"] for c in in_2026["data"]] == [b["id"]]


async def test_a_special_ability_certificate_has_no_level_and_its_own_event(training: InProcessService) -> None:
    before = len(await outbox(training))
    body = {"certificate_number": "ZX2026000123", "id_number": factories.id_number(), "name": "周师傅",
            "county_code": "330881", "ability_name": "衢州鸭头制作", "evaluation_org": "江山市职业技能鉴定所",
            "issued_date": "2026-05-20"}
    r = await training.client.post("/v1/special-certificates", json=body)
    assert r.status_code == 201, r.text
    assert "level" not in r.json()
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("special_certificate.issued")
    assert_problem(await training.client.post("/v1/special-certificates", json=body), 409, "certificate_number")
    r = await training.client.post(f"/v1/special-certificates/{r.json()['id']}/cancel", json={"reason": "录入错误"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert (await events_since(training, before))[-1]["event_type"] == TYPE("special_certificate.cancelled")
