"""职业技能培训补贴 and 技能提升补贴: 免申即享 from the service's own events, claims, once per level, no lower
level after a higher one, the voucher rule, refusals kept and published, revocation on cancellation."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import factories
from tests.support import InProcessService
from tests.training.helpers import (
    TYPE,
    WELDER,
    assert_problem,
    deliver_own_events,
    enrol,
    events_since,
    new_certificate,
    new_course,
    outbox,
)
from training.subsidies.service import POLICY


async def subsidies_of(svc: InProcessService, id_number: str, **params: Any) -> list[dict[str, Any]]:
    r = await svc.client.get("/v1/subsidies", params={"id_number": id_number, **params})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data


async def refusals_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = (await svc.client.get("/v1/subsidies/refusals",
                                                       params={"id_number": id_number})).json()["data"]
    return data


def test_the_policy_gives_each_amount_a_source_and_marks_the_unsourced_ones() -> None:
    rules = POLICY.at(date(2026, 3, 10))
    assert [(a.level, str(a.amount), a.illustrative) for a in rules.skill_upgrade] == [
        (5, "1000.00", False), (4, "1500.00", False), (3, "2000.00", False), (2, "2500.00", True),
        (1, "3000.00", True)]
    assert all("人社部发〔2017〕40号" in a.source for a in rules.skill_upgrade if not a.illustrative)
    assert all(a.illustrative for a in rules.training)


async def test_a_certificate_grants_the_skill_upgrade_subsidy_once_however_often_delivered(
    training: InProcessService,
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    cert = await new_certificate(training, person, level=4)
    await deliver_own_events(training, before, times=3)
    [subsidy] = await subsidies_of(training, person)
    assert (subsidy["kind"], subsidy["level"], subsidy["amount"], subsidy["channel"], subsidy["certificate_id"],
            subsidy["illustrative"], subsidy["status"]) == (
        "skill_upgrade", 4, "1500.00", "automatic", cert["id"], False, "granted")
    assert "人社部发〔2017〕40号" in subsidy["policy_source"]
    types = [r["event_type"] for r in await events_since(training, before)]
    assert types == [TYPE("certificate.issued"), TYPE("subsidy.granted")]
    assert await refusals_of(training, person) == []


async def test_a_claim_for_a_level_already_paid_is_refused_recorded_and_published(
    training: InProcessService,
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    cert = await new_certificate(training, person, level=4)
    done = await deliver_own_events(training, before)
    r = await training.client.post("/v1/subsidies", json={"id_number": person, "kind": "skill_upgrade",
                                                          "certificate_id": cert["id"]})
    body = assert_problem(r, 409, "certificate_id")
    [granted] = await subsidies_of(training, person)
    assert (body["reason"], body["earlier_subsidy_id"]) == ("duplicate", granted["id"])
    [refusal] = await refusals_of(training, person)
    assert (refusal["reason"], refusal["channel"], refusal["earlier_subsidy_id"]) == (
        "duplicate", "application", granted["id"])
    [row] = await events_since(training, done)
    assert row["event_type"] == TYPE("subsidy.refused")
    assert row["event"]["data"]["reason"] == "duplicate"


async def test_a_second_certificate_at_the_same_level_and_occupation_is_refused_automatically(
    training: InProcessService,
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    await new_certificate(training, person, level=4)
    await new_certificate(training, person, level=4, issued_date="2026-05-01")
    await deliver_own_events(training, before, times=2)
    assert len(await subsidies_of(training, person)) == 1
    [refusal] = await refusals_of(training, person)  # once, though delivered twice
    assert (refusal["reason"], refusal["channel"]) == ("duplicate", "automatic")


async def test_a_lower_level_after_a_higher_one_gets_nothing_and_a_higher_one_after_a_lower_one_is_paid(
    training: InProcessService,
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    await new_certificate(training, person, level=4)  # 中级 first
    await new_certificate(training, person, level=3, issued_date="2026-04-01")  # then 高级: paid
    await new_certificate(training, person, level=5, issued_date="2026-05-01")  # then 初级: nothing
    await deliver_own_events(training, before)
    paid = sorted((s["level"], s["amount"]) for s in await subsidies_of(training, person))
    assert paid == [(3, "2000.00"), (4, "1500.00")]
    [refusal] = await refusals_of(training, person)
    assert (refusal["reason"], refusal["level"]) == ("higher_level_paid", 5)


async def test_another_occupation_is_paid_on_its_own(training: InProcessService) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    await new_certificate(training, person, level=3)
    await new_certificate(training, person, level=4, occupation=WELDER)
    await deliver_own_events(training, before)
    assert sorted(s["occupation_code"] for s in await subsidies_of(training, person)) == ["6-18-02-04", "6-31-01-03"]


async def test_cancelling_a_certificate_revokes_its_subsidy_and_a_correction_re_decides(
    training: InProcessService,
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    cert = await new_certificate(training, person, level=4)
    done = await deliver_own_events(training, before)
    await training.client.post(f"/v1/certificates/{cert['id']}/correct", json={"level": 3, "reason": "等级录入错误"})
    done = await deliver_own_events(training, done, times=2)
    subsidies = await subsidies_of(training, person)
    assert sorted((s["level"], s["status"]) for s in subsidies) == [(3, "granted"), (4, "revoked")]
    await training.client.post(f"/v1/certificates/{cert['id']}/correct", json={"name": "李技工二", "reason": "姓名"})
    done = await deliver_own_events(training, done)
    assert len(await subsidies_of(training, person)) == 2  # a name does not change the subsidy
    await training.client.post(f"/v1/certificates/{cert['id']}/cancel", json={"reason": "证书信息虚假"})
    await deliver_own_events(training, done, times=2)
    assert {s["status"] for s in await subsidies_of(training, person)} == {"revoked"}
    revoked = [r for r in await events_since(training, before) if r["event_type"] == TYPE("subsidy.revoked")]
    assert len(revoked) == 2


async def passed_enrolment(svc: InProcessService, move_today: Any, person: str, **course: Any) -> dict[str, Any]:
    move_today(date(2026, 3, 1))
    c = await new_course(svc, **course)
    enrolment = await enrol(svc, c["id"], person)
    await svc.client.post(f"/v1/enrolments/{enrolment['id']}/attendance", json={"hours": c["hours"]})
    return enrolment


async def test_a_passed_course_grants_the_training_subsidy_and_a_failed_one_does_not(
    training: InProcessService, move_today: Any
) -> None:
    person, other = factories.id_number(), factories.id_number()
    before = len(await outbox(training))
    passed = await passed_enrolment(training, move_today, person)
    failed = await passed_enrolment(training, move_today, other)
    move_today(date(2026, 4, 30))
    await training.client.post(f"/v1/enrolments/{passed['id']}/complete", json={"result": "passed"})
    await training.client.post(f"/v1/enrolments/{failed['id']}/complete", json={"result": "failed"})
    await deliver_own_events(training, before, times=2)
    [subsidy] = await subsidies_of(training, person)
    assert (subsidy["kind"], subsidy["course_kind"], subsidy["level"], subsidy["amount"], subsidy["enrolment_id"],
            subsidy["illustrative"]) == ("training", "employment_skills", 4, "1500.00", passed["id"], True)
    assert await subsidies_of(training, other) == []
    r = await training.client.post("/v1/subsidies", json={"id_number": other, "kind": "training",
                                                          "enrolment_id": failed["id"]})
    assert_problem(r, 409, "enrolment_id")


async def test_an_enrolment_paid_by_a_voucher_draws_no_training_subsidy(
    training: InProcessService, move_today: Any
) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    enrolment = await passed_enrolment(training, move_today, person)
    voucher = (await training.client.post("/v1/vouchers", json={
        "id_number": person, "name": "王小明", "county_code": "330802", "kind": "reemployment",
        "face_value": "800.00", "eligible_course_kinds": ["employment_skills"], "issue_date": "2026-03-01",
        "expiry_date": "2026-12-31"})).json()
    assert (await training.client.post(f"/v1/vouchers/{voucher['id']}/redeem",
                                       json={"enrolment_id": enrolment["id"]})).status_code == 200
    move_today(date(2026, 4, 30))
    await training.client.post(f"/v1/enrolments/{enrolment['id']}/complete", json={"result": "passed"})
    await deliver_own_events(training, before)
    assert await subsidies_of(training, person) == []
    [refusal] = await refusals_of(training, person)
    assert (refusal["reason"], refusal["voucher_id"]) == ("voucher_paid", voucher["id"])


async def test_a_claim_names_its_basis(training: InProcessService) -> None:
    person = factories.id_number()
    for body, field in (({"kind": "skill_upgrade"}, "body"), ({"kind": "training", "certificate_id": "x"}, "body"),
                        ({"kind": "skill_upgrade", "certificate_id": "nope"}, "certificate_id")):
        r = await training.client.post("/v1/subsidies", json={"id_number": person, **body})
        assert r.status_code == 422, r.text
        if field != "body":
            assert_problem(r, 422, field)
    cert = await new_certificate(training, level=4)
    r = await training.client.post("/v1/subsidies", json={"id_number": person, "kind": "skill_upgrade",
                                                          "certificate_id": cert["id"]})
    assert_problem(r, 422, "certificate_id")  # someone else's certificate
