"""更正 and 撤销 of enrolments and vouchers recorded wrongly: the record, its event, and what follows from it (the
seat, the voucher, the subsidy)."""

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
    new_course,
    outbox,
)


def voucher_body(person: str, **over: Any) -> dict[str, Any]:
    return {"id_number": person, "name": "王小明", "county_code": "330802", "kind": "skill_upgrade",
            "face_value": "800.00", "eligible_course_kinds": ["employment_skills"], "issue_date": "2026-03-01",
            "expiry_date": "2026-04-15", **over}


async def test_cancelling_an_enrolment_frees_its_seat_and_releases_its_voucher(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    course = await new_course(training, capacity=1)
    person = factories.id_number()
    enrolment = await enrol(training, course["id"], person)
    voucher = (await training.client.post("/v1/vouchers", json=voucher_body(person))).json()
    assert (await training.client.post(f"/v1/vouchers/{voucher['id']}/redeem",
                                       json={"enrolment_id": enrolment["id"]})).status_code == 200
    r = await training.client.post("/v1/enrolments", json={"course_id": course["id"],
                                                           "id_number": factories.id_number(), "name": "李四"})
    assert_problem(r, 409, "course_id")  # full
    before = len(await outbox(training))
    r = await training.client.post(f"/v1/enrolments/{enrolment['id']}/cancel", json={"reason": "重复录入"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["voucher_id"], r.json()["cancel_reason"]) == ("cancelled", None, "重复录入")
    types = [row["event_type"] for row in await events_since(training, before)]
    assert types == [TYPE("voucher.released"), TYPE("enrolment.cancelled")]
    released = (await training.client.get(f"/v1/vouchers/{voucher['id']}")).json()
    assert (released["status"], released["enrolment_id"], released["amount_applied"]) == ("issued", None, None)
    again = await training.client.post("/v1/enrolments", json={"course_id": course["id"], "id_number": person,
                                                               "name": "王小明"})
    assert again.status_code == 201, again.text  # the seat and the person's place on the course are free again
    assert_problem(await training.client.post(f"/v1/enrolments/{enrolment['id']}/cancel", json={"reason": "再次"}),
                   409, "status")


async def test_a_voucher_released_after_its_expiry_date_is_expired(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    course = await new_course(training)
    person = factories.id_number()
    enrolment = await enrol(training, course["id"], person)
    voucher = (await training.client.post("/v1/vouchers", json=voucher_body(person))).json()
    await training.client.post(f"/v1/vouchers/{voucher['id']}/redeem", json={"enrolment_id": enrolment["id"]})
    move_today(date(2026, 4, 16))  # the day after the expiry date
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/cancel", json={"reason": "录入错误"})
    released = (await training.client.get(f"/v1/vouchers/{voucher['id']}")).json()
    assert (released["status"], released["expired_date"]) == ("expired", "2026-04-16")


async def test_a_correction_of_the_result_needs_the_attendance_and_re_decides_the_subsidy(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    course = await new_course(training)
    person = factories.id_number()
    enrolment = await enrol(training, course["id"], person)
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/attendance", json={"hours": 79})
    r = await training.client.post(f"/v1/enrolments/{enrolment['id']}/correct", json={"result": "passed",
                                                                                      "reason": "x"})
    assert_problem(r, 409, "result")  # not completed: no result to correct
    move_today(date(2026, 4, 30))
    before = len(await outbox(training))
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/complete", json={"result": "failed"})
    r = await training.client.post(f"/v1/enrolments/{enrolment['id']}/correct",
                                   json={"result": "passed", "reason": "成绩录入错误"})
    body = assert_problem(r, 409, "result")  # 79 of 100 hours: 80 needed
    assert (body["required_hours"], body["attended_hours"]) == (80, 79)
    r = await training.client.post(f"/v1/enrolments/{enrolment['id']}/correct", json={
        "result": "passed", "attended_hours": 80, "reason": "考勤与成绩录入错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["result"], r.json()["attended_hours"], r.json()["corrections"]) == ("passed", 80, 1)
    assert_problem(await training.client.post(f"/v1/enrolments/{enrolment['id']}/correct", json={
        "attended_hours": 101, "reason": "x"}), 422, "attended_hours")
    await deliver_own_events(training, before, times=2)
    subsidies = (await training.client.get("/v1/subsidies", params={"id_number": person})).json()["data"]
    assert [(s["kind"], s["status"]) for s in subsidies] == [("training", "granted")]
    done = len(await outbox(training))
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/correct", json={"name": "王晓明", "reason": "姓名"})
    await deliver_own_events(training, done, times=2)
    subsidies = (await training.client.get("/v1/subsidies", params={"id_number": person})).json()["data"]
    assert [(s["kind"], s["status"]) for s in subsidies] == [("training", "granted")]  # a name changes nothing
    assert (await training.client.get("/v1/subsidies/refusals", params={"id_number": person})).json()["count"] == 0
    done = len(await outbox(training))
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/cancel", json={"reason": "虚假培训"})
    await deliver_own_events(training, done)
    subsidies = (await training.client.get("/v1/subsidies", params={"id_number": person})).json()["data"]
    assert [s["status"] for s in subsidies] == ["revoked"]
    types = [row["event_type"] for row in await events_since(training, before)]
    assert types.count(TYPE("enrolment.corrected")) == 2 and types[-1] == TYPE("subsidy.revoked")


async def test_an_unused_voucher_is_corrected_within_its_rules(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 1))
    person = factories.id_number()
    voucher = (await training.client.post("/v1/vouchers", json=voucher_body(person))).json()
    before = len(await outbox(training))
    r = await training.client.post(f"/v1/vouchers/{voucher['id']}/correct", json={
        "face_value": "1000.00", "expiry_date": "2026-12-31", "reason": "面额与有效期录入错误"})
    assert r.status_code == 200, r.text
    assert (r.json()["face_value"], r.json()["expiry_date"]) == ("1000.00", "2026-12-31")
    [row] = await events_since(training, before)
    assert (row["event_type"], row["event"]["data"]["changed"]) == (TYPE("voucher.corrected"),
                                                                     ["expiry_date", "face_value"])
    for body, status, field in (({"expiry_date": "2026-02-28", "reason": "x"}, 422, "expiry_date"),
                                ({"face_value": "0", "reason": "x"}, 422, "face_value"),
                                ({"face_value": 1.5, "reason": "x"}, 422, "face_value"),
                                ({"face_value": "1000.00", "reason": "x"}, 409, "reason")):
        assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/correct", json=body), status, field)
    r = await training.client.post(f"/v1/vouchers/{voucher['id']}/correct", json={"expiry_date": "2026-03-01",
                                                                                  "reason": "与发放日同日"})
    assert r.status_code == 200  # the issue date itself is allowed
    await training.client.post(f"/v1/vouchers/{voucher['id']}/cancel", json={"reason": "重复发放"})
    assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/correct", json={
        "face_value": "900.00", "reason": "x"}), 409, "status")
