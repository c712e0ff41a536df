"""电子培训券: issue, redemption against an enrolment at its edges, expiry (on read and by the daily job),
cancellation, bad input, scopes and masking — each change writing exactly one event valid against its contract."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete

from hrss_shared import clock
from tests import factories
from tests.support import InProcessService, bearer, token
from tests.training.helpers import (
    TYPE,
    WELDER,
    accredit,
    assert_problem,
    enrol,
    events_since,
    new_course,
    new_institution,
    outbox,
    reason,
)
from training.institutions.models import Accreditation
from training.vouchers.service import EXPIRY_JOB

READ, WRITE, PII = "training:read", "training:write", "pii:read"


def voucher_body(id_number: str | None = None, **over: Any) -> dict[str, Any]:
    return {"id_number": id_number or factories.id_number(), "name": "王小明", "county_code": "330802",
            "kind": "reemployment", "face_value": "2000.00",
            "eligible_course_kinds": ["employment_skills", "entrepreneurship"], "eligible_occupation_codes": [],
            "issue_date": "2026-03-01", "expiry_date": "2026-03-10", **over}


async def new_voucher(svc: InProcessService, id_number: str | None = None, **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/vouchers", json=voucher_body(id_number, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def voucher_and_enrolment(
    svc: InProcessService, voucher: dict[str, Any] | None = None, course: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A voucher (expiring 2026-03-10 unless given) and an enrolment of its holder on a 1280.00 电工 course."""
    person = factories.id_number()
    course = course or await new_course(svc)
    enrolment = await enrol(svc, course["id"], person)
    return await new_voucher(svc, person, **(voucher or {})), enrolment


async def redeem(svc: InProcessService, voucher_id: str, enrolment_id: str) -> Any:
    return await svc.client.post(f"/v1/vouchers/{voucher_id}/redeem", json={"enrolment_id": enrolment_id})


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(date(2026, 3, 5))


async def test_issue_answers_the_voucher_and_publishes_one_event(training: InProcessService) -> None:
    before = len(await outbox(training))
    v = await new_voucher(training, eligible_occupation_codes=["6-31-01-03"], face_value="1500.5")
    assert {k: v[k] for k in ("kind", "face_value", "eligible_course_kinds", "eligible_occupation_codes", "status",
                              "issue_date", "expiry_date", "illustrative", "policy_source", "amount_applied")} == {
        "kind": "reemployment", "face_value": "1500.50", "eligible_course_kinds": ["employment_skills",
                                                                                   "entrepreneurship"],
        "eligible_occupation_codes": ["6-31-01-03"], "status": "issued", "issue_date": "2026-03-01",
        "expiry_date": "2026-03-10", "illustrative": False, "policy_source": None, "amount_applied": None}
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("voucher.issued")
    assert row["event"]["data"]["face_value"] == "1500.50" and row["event"]["data"]["id"] == v["id"]
    assert (await training.client.get(f"/v1/vouchers/{v['id']}")).json()["status"] == "issued"


@pytest.mark.parametrize(("day", "ok"), [(date(2026, 3, 9), True), (date(2026, 3, 10), True),
                                         (date(2026, 3, 11), False)])
async def test_redeemable_up_to_and_on_the_expiry_day_not_after(
    training: InProcessService, move_today: Any, day: date, ok: bool
) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    move_today(day)
    before = len(await outbox(training))
    r = await redeem(training, voucher["id"], enrolment["id"])
    rows = await events_since(training, before)
    if ok:
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["redeemed_date"]) == ("redeemed", str(day))
        assert [row["event_type"] for row in rows] == [TYPE("voucher.redeemed")]
        return
    body = assert_problem(r, 409, "expiry_date")
    assert "2026-03-10" in reason(body, "expiry_date") and body["expiry_date"] == "2026-03-10"
    # The refusal records the lapse (one expired event); a second attempt is refused without another.
    assert [row["event_type"] for row in rows] == [TYPE("voucher.expired")]
    assert rows[0]["event"]["data"]["expired_date"] == str(day)
    assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "expiry_date")
    assert len(await events_since(training, before)) == 1
    got = (await training.client.get(f"/v1/vouchers/{voucher['id']}")).json()
    assert (got["status"], got["expired_date"]) == ("expired", str(day))
    assert (await training.client.get(f"/v1/enrolments/{enrolment['id']}")).json()["voucher_id"] is None


@pytest.mark.parametrize(("face", "applied", "pays"), [("2000.00", "1280.00", "0.00"), ("500.00", "500.00", "780.00"),
                                                       ("1280.00", "1280.00", "0.00"),
                                                       ("1279.99", "1279.99", "0.01")])
async def test_amount_applied_is_the_smaller_of_face_value_and_fee(
    training: InProcessService, face: str, applied: str, pays: str
) -> None:
    voucher, enrolment = await voucher_and_enrolment(training, {"face_value": face})
    before = len(await outbox(training))
    r = await redeem(training, voucher["id"], enrolment["id"])
    assert r.status_code == 200, r.text
    assert (r.json()["course_fee"], r.json()["amount_applied"], r.json()["trainee_pays"],
            r.json()["enrolment_id"]) == ("1280.00", applied, pays, enrolment["id"])
    shown = (await training.client.get(f"/v1/enrolments/{enrolment['id']}")).json()
    assert (shown["voucher_id"], shown["voucher_amount"], shown["trainee_pays"]) == (voucher["id"], applied, pays)
    [row] = await events_since(training, before)
    data = row["event"]["data"]
    assert (data["face_value"], data["course_fee"], data["amount_applied"], data["trainee_pays"],
            data["enrolment_id"]) == (face, "1280.00", applied, pays, enrolment["id"])
    assert row["event"]["subject"] == voucher["id_number"]


async def test_a_free_course_applies_nothing(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training, course=await new_course(training,
                                                                                        fee_per_trainee="0"))
    r = await redeem(training, voucher["id"], enrolment["id"])
    assert (r.json()["amount_applied"], r.json()["trainee_pays"]) == ("0.00", "0.00")


async def test_redeeming_twice_names_the_enrolment(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    assert (await redeem(training, voucher["id"], enrolment["id"])).status_code == 200
    other = await enrol(training, (await new_course(training))["id"], voucher["id_number"])
    before = len(await outbox(training))
    for target in (enrolment["id"], other["id"]):
        body = assert_problem(await redeem(training, voucher["id"], target), 409, "status")
        assert enrolment["id"] in body["detail"] and body["enrolment_id"] == enrolment["id"]
    assert await events_since(training, before) == []


async def test_an_enrolment_takes_one_voucher(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    second = await new_voucher(training, voucher["id_number"])
    assert (await redeem(training, voucher["id"], enrolment["id"])).status_code == 200
    body = assert_problem(await redeem(training, second["id"], enrolment["id"]), 409, "enrolment_id")
    assert voucher["id"] in body["detail"]


async def test_someone_elses_enrolment_is_refused(training: InProcessService) -> None:
    voucher = await new_voucher(training)
    stranger = await enrol(training, (await new_course(training))["id"])
    before = len(await outbox(training))
    body = assert_problem(await redeem(training, voucher["id"], stranger["id"]), 409, "enrolment_id")
    assert "持券人本人" in reason(body, "enrolment_id")
    assert await events_since(training, before) == []
    assert (await training.client.get(f"/v1/vouchers/{voucher['id']}")).json()["status"] == "issued"


async def test_a_withdrawn_enrolment_is_refused(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    r = await training.client.post(f"/v1/enrolments/{enrolment['id']}/withdraw", json={"reason": "本人申请"})
    assert r.status_code == 200, r.text
    body = assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "enrolment_id")
    assert "退出" in body["detail"] and body["enrolment_status"] == "withdrawn"


async def test_a_completed_enrolment_may_be_paid(training: InProcessService, move_today: Any) -> None:
    voucher, enrolment = await voucher_and_enrolment(training, {"expiry_date": "2026-12-31"})
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/attendance", json={"hours": 100})
    move_today(date(2026, 4, 30))
    assert (await training.client.post(f"/v1/enrolments/{enrolment['id']}/complete",
                                       json={"result": "passed"})).status_code == 200
    assert (await redeem(training, voucher["id"], enrolment["id"])).status_code == 200


async def test_ineligible_course_kind_is_refused(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training, {"eligible_course_kinds": ["on_the_job_upgrade"]})
    body = assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "enrolment_id")
    assert body["course_kind"] == "employment_skills" and body["eligible_course_kinds"] == ["on_the_job_upgrade"]
    assert "就业技能培训" in body["detail"]


@pytest.mark.parametrize(("codes", "ok"), [([WELDER[0]], False), ([WELDER[0], "6-31-01-03"], True), ([], True)])
async def test_occupation_must_be_eligible_when_the_voucher_names_any(
    training: InProcessService, codes: list[str], ok: bool
) -> None:
    voucher, enrolment = await voucher_and_enrolment(training, {"eligible_occupation_codes": codes})
    r = await redeem(training, voucher["id"], enrolment["id"])
    if ok:
        assert r.status_code == 200, r.text
    else:
        body = assert_problem(r, 409, "enrolment_id")
        assert body["occupation_code"] == "6-31-01-03" and body["eligible_occupation_codes"] == codes


async def test_the_institution_must_be_active_and_accredited(training: InProcessService) -> None:
    institution = await new_institution(training)
    await accredit(training, institution["id"])
    course = await new_course(training, institution["id"])
    voucher, enrolment = await voucher_and_enrolment(training, course=course)
    async with training.runtime.maker() as session, session.begin():
        await session.execute(delete(Accreditation).where(Accreditation.institution_id == institution["id"]))  # type: ignore[arg-type]
    body = assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "enrolment_id")
    assert body["occupation_code"] == "6-31-01-03" and body["missing"] == [{"from": "2026-03-01",
                                                                           "until": "2026-04-30"}]
    await accredit(training, institution["id"])
    r = await training.client.patch(f"/v1/institutions/{institution['id']}", json={"status": "suspended"})
    assert r.status_code == 200, r.text
    body = assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "enrolment_id")
    assert body["institution_status"] == "suspended"


async def test_an_unknown_enrolment_is_422_and_unknown_voucher_404(training: InProcessService) -> None:
    voucher = await new_voucher(training)
    assert_problem(await redeem(training, voucher["id"], "no-such-enrolment"), 422, "enrolment_id")
    assert_problem(await redeem(training, "no-such-voucher", "x"), 404)
    assert_problem(await training.client.get("/v1/vouchers/no-such-voucher"), 404)


async def test_cancel_an_unused_voucher_once(training: InProcessService) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    before = len(await outbox(training))
    r = await training.client.post(f"/v1/vouchers/{voucher['id']}/cancel", json={"reason": "重复发放"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["cancelled_date"], r.json()["cancel_reason"]) == (
        "cancelled", "2026-03-05", "重复发放")
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("voucher.cancelled") and row["event"]["data"]["reason"] == "重复发放"
    assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/cancel", json={"reason": "再次"}),
                   409, "status")
    assert_problem(await redeem(training, voucher["id"], enrolment["id"]), 409, "status")
    assert len(await events_since(training, before)) == 1


async def test_a_redeemed_or_lapsed_voucher_cannot_be_cancelled(training: InProcessService, move_today: Any) -> None:
    voucher, enrolment = await voucher_and_enrolment(training)
    await redeem(training, voucher["id"], enrolment["id"])
    body = assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/cancel",
                                                     json={"reason": "误发"}), 409, "status")
    assert enrolment["id"] in body["detail"]
    lapsed = await new_voucher(training)
    move_today(date(2026, 3, 11))
    assert_problem(await training.client.post(f"/v1/vouchers/{lapsed['id']}/cancel", json={"reason": "误发"}),
                   409, "expiry_date")


async def test_expired_on_read_before_the_job_then_the_job_records_it_once(
    training: InProcessService, move_today: Any
) -> None:
    scheduler = training.runtime.scheduler
    assert scheduler is not None and EXPIRY_JOB in scheduler.jobs
    person = factories.id_number()
    lapsing = await new_voucher(training, person)  # expires 2026-03-10
    lasting = await new_voucher(training, person, expiry_date="2026-03-11")
    redeemed, enrolment = await voucher_and_enrolment(training)
    assert (await redeem(training, redeemed["id"], enrolment["id"])).status_code == 200
    move_today(date(2026, 3, 10))  # the expiry day: still unused, the job expires nothing
    record = await scheduler.run_now(EXPIRY_JOB)
    assert record is not None and record.error is None and record.outcome == "expired 0 vouchers"
    move_today(date(2026, 3, 11))
    before = len(await outbox(training))
    got = (await training.client.get(f"/v1/vouchers/{lapsing['id']}")).json()
    assert (got["status"], got["expired_date"]) == ("expired", None)
    assert (await training.client.get(f"/v1/vouchers/{lasting['id']}")).json()["status"] == "issued"
    listed = (await training.client.get("/v1/vouchers", params={"id_number": person, "status": "expired"})).json()
    assert [v["id"] for v in listed["data"]] == [lapsing["id"]]
    listed = (await training.client.get("/v1/vouchers", params={"id_number": person, "status": "issued"})).json()
    assert [v["id"] for v in listed["data"]] == [lasting["id"]]
    assert await events_since(training, before) == [], "a read publishes nothing"
    record = await scheduler.run_now(EXPIRY_JOB)
    assert record is not None and record.error is None and record.outcome == "expired 1 vouchers"
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("voucher.expired")
    assert (row["event"]["data"]["id"], row["event"]["data"]["expiry_date"], row["event"]["data"]["expired_date"]) == (
        lapsing["id"], "2026-03-10", "2026-03-11")
    got = (await training.client.get(f"/v1/vouchers/{lapsing['id']}")).json()
    assert (got["status"], got["expired_date"]) == ("expired", "2026-03-11")
    record = await scheduler.run_now(EXPIRY_JOB)  # nothing left to expire: no second event
    assert record is not None and record.outcome == "expired 0 vouchers"
    assert len(await events_since(training, before)) == 1
    assert (await training.client.get(f"/v1/vouchers/{redeemed['id']}")).json()["status"] == "redeemed"


async def test_readyz_shows_the_expiry_job(training: InProcessService) -> None:
    assert training.runtime.scheduler is not None
    await training.runtime.scheduler.run_now(EXPIRY_JOB)
    job = (await training.client.get("/readyz")).json()["details"]["jobs"][EXPIRY_JOB]
    assert job["schedule"].startswith("daily at 00:10") and job["last_outcome"].startswith("expired ")


async def test_list_filters_and_sorts(training: InProcessService) -> None:
    person = factories.id_number()
    a = await new_voucher(training, person, issue_date="2026-01-05", expiry_date="2026-12-31", face_value="100")
    b = await new_voucher(training, person, issue_date="2026-02-05", expiry_date="2026-12-31", face_value="300",
                          kind="skill_upgrade")
    c = await new_voucher(training, person, issue_date="2026-03-05", expiry_date="2026-12-31", face_value="200",
                          county_code="330881")

    async def ids(**params: Any) -> list[str]:
        r = await training.client.get("/v1/vouchers", params={"id_number": person, **params})
        assert r.status_code == 200, r.text
        return [v["id"] for v in r.json()["data"]]

    assert await ids() == [c["id"], b["id"], a["id"]]
    assert await ids(sort="face_value") == [a["id"], c["id"], b["id"]]
    assert await ids(kind="skill_upgrade") == [b["id"]]
    assert await ids(county_code="330881") == [c["id"]]
    assert await ids(from_date="2026-02-05", to_date="2026-03-04") == [b["id"]]
    assert await ids(status="redeemed") == []
    assert_problem(await training.client.get("/v1/vouchers", params={"sort": "name"}), 422, "sort")
    assert_problem(await training.client.get("/v1/vouchers", params={"status": "used"}), 422, "status")


@pytest.mark.parametrize(("over", "field"), [
    ({"face_value": 2000.5}, "face_value"), ({"face_value": "-1"}, "face_value"), ({"face_value": "0"}, "face_value"),
    ({"face_value": "10.001"}, "face_value"), ({"face_value": "abc"}, "face_value"),
    ({"expiry_date": "2026-02-28"}, "expiry_date"), ({"id_number": "330802199001011235"}, "id_number"),
    ({"name": ""}, "name"), ({"kind": "golden"}, "kind"), ({"eligible_course_kinds": []}, "eligible_course_kinds"),
    ({"eligible_course_kinds": ["yoga"]}, "eligible_course_kinds"),
    ({"eligible_course_kinds": ["entrepreneurship", "entrepreneurship"]}, "eligible_course_kinds"),
    ({"eligible_occupation_codes": ["9-99"]}, "eligible_occupation_codes"),
    ({"county_code": "110101"}, "county_code"), ({"issue_date": "2026-13-01"}, "issue_date"),
])
async def test_bad_input_is_422_naming_the_field(training: InProcessService, over: dict[str, Any], field: str) -> None:
    before = len(await outbox(training))
    body = assert_problem(await training.client.post("/v1/vouchers", json=voucher_body(**over)), 422)
    assert any(e["field"].startswith(field) for e in body["errors"]), body
    assert await events_since(training, before) == []


async def test_bad_redeem_and_cancel_bodies_are_422(training: InProcessService) -> None:
    voucher = await new_voucher(training)
    body = assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/redeem", json={}), 422)
    assert any(e["field"].endswith("enrolment_id") for e in body["errors"])
    body = assert_problem(await training.client.post(f"/v1/vouchers/{voucher['id']}/cancel", json={"reason": ""}),
                          422)
    assert any(e["field"].endswith("reason") for e in body["errors"])


async def test_scopes(training: InProcessService) -> None:
    voucher = await new_voucher(training)
    reader, writer_only = bearer(token(READ, PII)), bearer(token(WRITE))
    assert WRITE in assert_problem(await training.client.post("/v1/vouchers", json=voucher_body(), headers=reader),
                                   403)["detail"]
    for path in (f"/v1/vouchers/{voucher['id']}/redeem", f"/v1/vouchers/{voucher['id']}/cancel"):
        assert_problem(await training.client.post(path, json={"enrolment_id": "x", "reason": "x"}, headers=reader),
                       403)
    for path in ("/v1/vouchers", f"/v1/vouchers/{voucher['id']}"):
        assert READ in assert_problem(await training.client.get(path, headers=writer_only), 403)["detail"]
        assert_problem(await training.client.get(path, headers={"Authorization": ""}), 401)
    r = await training.client.post("/v1/vouchers", json=voucher_body(), headers=bearer(token(READ, WRITE)))
    assert r.status_code == 201, r.text


async def test_id_numbers_are_masked_without_pii_read(training: InProcessService) -> None:
    voucher = await new_voucher(training)
    plain = bearer(token(READ))
    shown = (await training.client.get(f"/v1/vouchers/{voucher['id']}", headers=plain)).json()["id_number"]
    assert shown != voucher["id_number"] and "*" in shown and shown[:4] == voucher["id_number"][:4]
    listed = (await training.client.get("/v1/vouchers", headers=plain)).json()["data"]
    assert all("*" in v["id_number"] for v in listed)
    full = bearer(token(READ, PII))
    assert (await training.client.get(f"/v1/vouchers/{voucher['id']}", headers=full)).json()["id_number"] == (
        voucher["id_number"])


async def test_a_county_client_sees_only_its_county(training: InProcessService) -> None:
    voucher = await new_voucher(training)  # 330802
    longyou = bearer(token(READ, WRITE, PII, county="330825"))
    assert_problem(await training.client.get(f"/v1/vouchers/{voucher['id']}", headers=longyou), 403)
    assert_problem(await training.client.post("/v1/vouchers", json=voucher_body(), headers=longyou), 403)
    listed = (await training.client.get("/v1/vouchers", headers=longyou)).json()
    assert all(v["county_code"] == "330825" for v in listed["data"])


def test_fee_face_value_decimal_is_exact() -> None:
    from training.vouchers.models import VoucherCreate
    assert VoucherCreate.model_validate(voucher_body(face_value="0.01")).face_value == Decimal("0.01")
    assert clock.today() == date(2026, 3, 5)
