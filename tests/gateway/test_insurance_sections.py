"""The person view's insurance and card sections from hrss.social-insurance, and the look-up by card number:
corrections and cancellations followed, redelivered and late events change nothing, each section with its as_of."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from gateway.readmodel.social_insurance import HANDLERS
from hrss_contracts.social_insurance import (
    BENEFIT_PAYMENT_POSTED,
    CARD_CANCELLED,
    CARD_ISSUED,
    CARD_REPLACED,
    CARD_REPORTED_LOST,
    CARD_SERVICES_CHANGED,
    CONTRIBUTION_CANCELLED,
    CONTRIBUTION_CORRECTED,
    CONTRIBUTION_POSTED,
    COVERAGE_GAP_DETECTED,
    ENROLMENT_ACTIVATED,
    ENROLMENT_CANCELLED,
    ENROLMENT_CORRECTED,
    ENROLMENT_REGISTERED,
    MEDICAL_ENROLMENT_REQUESTED,
    UNEMPLOYMENT_BENEFIT_DECIDED,
    UNEMPLOYMENT_BENEFIT_STOPPED,
)
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.gateway.events import apply, apply_batch, event
from tests.support import InProcessService, bearer, token

CREDIT = factories.credit_code("330802")
MASKED_ID = re.compile(r"^3308\*{10}[\dX]{4}$")


def si(contract: Contract[Any], id_number: str, data: dict[str, Any], *, time: datetime | None = None) -> CloudEvent:
    """A social-insurance event, validated against its contract before the gateway sees it."""
    payload = {"id_number": id_number, "county_code": "330802", **data}
    contract.parse(payload)
    e = event(contract.type, id_number, payload, time=time)
    return e.model_copy(update={"source": "/hrss/social-insurance"})


def enrolment(contract: Contract[Any], id_number: str, enrolment_id: str, status: str, *,
              time: datetime | None = None, **extra: Any) -> CloudEvent:
    return si(contract, id_number, {"id": enrolment_id, "insurance_type": "employee_pension", "credit_code": CREDIT,
                                    "status": status, "start_date": "2026-03-01", **extra}, time=time)


def posted(id_number: str, contribution_id: str, month: str, insurance_type: str = "unemployment",
           contract: Contract[Any] = CONTRIBUTION_POSTED, **extra: Any) -> CloudEvent:
    return si(contract, id_number, {
        "id": contribution_id, "insurance_type": insurance_type, "credit_code": CREDIT, "enrolment_id": "e1",
        "month": month, "employer_amount": "25.00", "personal_amount": "25.00", "paid_date": "2026-03-15", **extra})


def cancelled_contribution(id_number: str, contribution_id: str, month: str) -> CloudEvent:
    return si(CONTRIBUTION_CANCELLED, id_number, {
        "id": contribution_id, "insurance_type": "unemployment", "credit_code": CREDIT, "enrolment_id": "e1",
        "month": month, "cancelled_date": "2026-04-01", "reason": "重复记账"})


def card(contract: Contract[Any], id_number: str, number: str, status: str = "active", **extra: Any) -> CloudEvent:
    return si(contract, id_number, {"id": f"card-{number}", "card_number": number, "status": status,
                                    "services": ["medical"], **extra})


def issued(id_number: str, number: str, issued_date: str = "2026-03-01", **extra: Any) -> CloudEvent:
    return card(CARD_ISSUED, id_number, number, name="王小明", issued_date=issued_date, **extra)


def card_number() -> str:
    return f"Q{uuid.uuid4().int % 10**8:08d}"


READER = bearer(token("gateway:read"))


async def view(svc: InProcessService, key: str) -> dict[str, Any]:
    """The person view as a client without pii:read sees it."""
    r = await svc.client.get(f"/v1/persons/{key}", headers=READER)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_every_social_insurance_person_event_has_a_handler() -> None:
    for contract in (ENROLMENT_REGISTERED, CONTRIBUTION_POSTED, CARD_ISSUED, UNEMPLOYMENT_BENEFIT_DECIDED,
                     MEDICAL_ENROLMENT_REQUESTED):
        assert contract.type in HANDLERS


# ---- enrolments ------------------------------------------------------------------------------------------


async def test_an_enrolment_follows_its_events_and_a_correction_replaces_its_fields(gateway: InProcessService) -> None:
    person = factories.id_number()
    other = factories.credit_code("330803")
    registered = enrolment(ENROLMENT_REGISTERED, person, "e1", "pending", origin="one_stop")
    activated = enrolment(ENROLMENT_ACTIVATED, person, "e1", "active", activated_date="2026-03-15",
                          contribution_id="c1")
    corrected = enrolment(ENROLMENT_CORRECTED, person, "e1", "active", credit_code=other, reason="单位录入错误",
                          changed=["credit_code"], previous={"credit_code": CREDIT})
    await apply(gateway, registered)
    [item] = (await view(gateway, person))["insurance"]["enrolments"]
    assert (item["status"], item["credit_code"], item["insurance_type"]) == ("pending", CREDIT, "employee_pension")
    await apply(gateway, activated, corrected, registered)  # the registration redelivered last changes nothing
    insurance = (await view(gateway, person))["insurance"]
    [item] = insurance["enrolments"]
    assert (item["status"], item["credit_code"], item["start_date"]) == ("active", other, "2026-03-01")
    assert datetime.fromisoformat(insurance["as_of"]) == corrected.time


async def test_a_cancelled_enrolment_stays_cancelled_when_an_older_event_arrives_late(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    late = enrolment(ENROLMENT_ACTIVATED, person, "e1", "active", activated_date="2026-03-15", contribution_id="c1",
                     time=datetime(2026, 1, 1, tzinfo=UTC))
    cancel = enrolment(ENROLMENT_CANCELLED, person, "e1", "cancelled", cancelled_date="2026-04-01",
                       reason="误登记")
    await apply(gateway, enrolment(ENROLMENT_REGISTERED, person, "e1", "active", origin="manual"), cancel, late,
                cancel)
    [item] = (await view(gateway, person))["insurance"]["enrolments"]
    assert item["status"] == "cancelled"


# ---- contribution months ---------------------------------------------------------------------------------


async def test_paid_months_per_type_follow_corrections_and_cancellations(gateway: InProcessService) -> None:
    person = factories.id_number()
    jan, feb_a = posted(person, "c1", "2026-01"), posted(person, "c2", "2026-02")
    feb_b = posted(person, "c3", "2026-02")
    pension = posted(person, "c4", "2026-02", insurance_type="employee_pension")
    await apply_batch(gateway, jan, feb_a, feb_b, pension, feb_a)  # one batch, one event twice
    months = (await view(gateway, person))["insurance"]["contribution_months"]
    assert months == {"employee_pension": ["2026-02"], "unemployment": ["2026-01", "2026-02"]}

    await apply(gateway, cancelled_contribution(person, "c2", "2026-02"))  # c3 still pays February
    assert (await view(gateway, person))["insurance"]["contribution_months"]["unemployment"] == ["2026-01", "2026-02"]
    await apply(gateway, cancelled_contribution(person, "c3", "2026-02"), feb_b)  # redelivered after: stays cancelled
    assert (await view(gateway, person))["insurance"]["contribution_months"]["unemployment"] == ["2026-01"]

    moved = posted(person, "c1", "2026-03", contract=CONTRIBUTION_CORRECTED, reason="所属期录入错误",
                   changed=["month"], previous={"month": "2026-01"})
    await apply(gateway, moved, jan)  # the original posting redelivered after its correction changes nothing
    insurance = (await view(gateway, person))["insurance"]
    assert insurance["contribution_months"] == {"employee_pension": ["2026-02"], "unemployment": ["2026-03"]}
    assert "contributions" not in insurance  # amounts and record ids are not part of the answer


# ---- coverage gaps and benefits ----------------------------------------------------------------------------


async def test_a_coverage_gap_is_open_while_its_enrolment_is_pending(gateway: InProcessService) -> None:
    person = factories.id_number()
    gap = si(COVERAGE_GAP_DETECTED, person, {
        "id": "e1", "insurance_type": "employee_pension", "credit_code": CREDIT, "start_date": "2026-03-01",
        "grace_days": 30, "due_date": "2026-03-31", "detected_date": "2026-04-01", "policy_source": "浙人社发"})
    await apply(gateway, enrolment(ENROLMENT_REGISTERED, person, "e1", "pending", origin="one_stop"), gap, gap)
    [found] = (await view(gateway, person))["insurance"]["coverage_gaps"]
    assert (found["status"], found["due_date"], found["detected_date"]) == ("open", "2026-03-31", "2026-04-01")
    await apply(gateway, enrolment(ENROLMENT_ACTIVATED, person, "e1", "active", activated_date="2026-04-02",
                                   contribution_id="c1"))
    [found] = (await view(gateway, person))["insurance"]["coverage_gaps"]
    assert found["status"] == "closed"


def decided(person: str, **extra: Any) -> CloudEvent:
    return si(UNEMPLOYMENT_BENEFIT_DECIDED, person, {
        "id": "b1", "unemployment_registration_id": "u1", "eligible": True, "status": "active",
        "contribution_months": 24, "carried_over_months": 0, "months_entitled": 12, "monthly_amount": "1890.00",
        "start_date": "2026-03-01", "end_date": "2027-02-28", "policy_source": "失业保险条例", **extra})


def payment(person: str, month: str, *, after_stop: bool) -> CloudEvent:
    return si(BENEFIT_PAYMENT_POSTED, person, {
        "id": f"p-{month}", "benefit_id": "b1", "month": month, "amount": "1890.00", "paid_date": f"{month}-10",
        "after_stop": after_stop})


async def test_a_benefit_shows_its_newest_decision_its_stop_and_the_months_paid_after_it(
    gateway: InProcessService,
) -> None:
    person = factories.id_number()
    first = decided(person)
    stop = si(UNEMPLOYMENT_BENEFIT_STOPPED, person, {
        "id": "b1", "stopped_date": "2026-05-01", "stop_reason": "reemployed", "reason_text": "重新就业",
        "months_paid": 2, "months_remaining": 10})
    redecided = decided(person, months_entitled=18, revision=1, correction_reason="缴费更正")
    await apply(gateway, first, payment(person, "2026-03", after_stop=False), stop, redecided,
                payment(person, "2026-05", after_stop=True), first, payment(person, "2026-03", after_stop=False))
    [benefit] = (await view(gateway, person))["insurance"]["benefits"]
    assert (benefit["status"], benefit["months_entitled"], benefit["revision"], benefit["monthly_amount"]) == (
        "stopped", 18, 1, "1890.00")
    assert (benefit["stopped_date"], benefit["stop_reason"]) == ("2026-05-01", "reemployed")
    assert (benefit["paid_months"], benefit["paid_after_stop"]) == (["2026-03"], ["2026-05"])


async def test_a_not_eligible_decision_has_its_reason(gateway: InProcessService) -> None:
    person = factories.id_number()
    await apply(gateway, decided(person, eligible=False, status="not_eligible", reason="insufficient_contributions",
                                 months_entitled=0, monthly_amount=None, start_date=None, end_date=None))
    [benefit] = (await view(gateway, person))["insurance"]["benefits"]
    assert (benefit["status"], benefit["eligible"], benefit["reason"]) == (
        "not_eligible", False, "insufficient_contributions")


async def test_other_person_events_are_records_with_ids_masked(gateway: InProcessService) -> None:
    person = factories.id_number()
    await apply(gateway, si(MEDICAL_ENROLMENT_REQUESTED, person, {
        "id": "m1", "name": "王小明", "credit_code": CREDIT, "employer_name": "衢州测试企业有限公司",
        "start_date": "2026-03-01", "employment_registration_id": "r1", "requested_date": "2026-03-01"}))
    [record] = (await view(gateway, person))["insurance"]["records"]["medical_enrolment"]
    assert record["status"] == "requested"
    assert MASKED_ID.match(record["data"]["id_number"])


# ---- card and the look-up by card number -------------------------------------------------------------------


async def test_the_valid_card_finds_its_holder_and_the_view_is_the_same_as_by_id_number(
    gateway: InProcessService,
) -> None:
    person, number = factories.id_number(), card_number()
    first = issued(person, number)
    await apply(gateway, first)
    by_card, by_id = await view(gateway, number), await view(gateway, person)
    assert by_card == by_id
    assert MASKED_ID.match(by_card["id_number"])  # masked without pii:read, whichever identifier found them
    assert (by_card["card"]["card"]["card_number"], by_card["card"]["card"]["status"]) == (number, "active")
    assert by_card["identity"]["name"] == "王小明"
    assert datetime.fromisoformat(by_card["card"]["as_of"]) == first.time

    services = card(CARD_SERVICES_CHANGED, person, number, services=["medical", "transport"], enabled=["transport"])
    lost = card(CARD_REPORTED_LOST, person, number, status="lost", services=["medical", "transport"],
                lost_date="2026-04-01")
    await apply(gateway, services, lost, services)  # redelivered after the loss: not active again
    section = (await view(gateway, number))["card"]  # a lost card still finds its holder
    assert (section["card"]["status"], section["card"]["services"], section["card"]["lost_date"]) == (
        "lost", ["medical", "transport"], "2026-04-01")


async def test_a_replaced_cards_number_finds_no_one_and_the_new_one_does(gateway: InProcessService) -> None:
    person, old, new = factories.id_number(), card_number(), card_number()
    first = issued(person, old)
    replaced = card(CARD_REPLACED, person, old, status="cancelled", new_card_number=new, new_card_id=f"card-{new}",
                    replaced_date="2026-04-01", reason="挂失补卡")
    await apply(gateway, first, replaced, issued(person, new, "2026-04-01", replaces_card_number=old), first)
    r = await gateway.client.get(f"/v1/persons/{old}")
    assert r.status_code == 404, r.text
    section = (await view(gateway, new))["card"]
    assert (section["card"]["card_number"], section["card"]["replaces_card_number"]) == (new, old)
    assert [(c["card_number"], c["status"]) for c in section["cards"]] == [(new, "active"), (old, "cancelled")]
    assert section["cards"][1]["replaced_by"] == new


async def test_a_cancelled_card_finds_no_one_and_the_section_has_no_valid_card(gateway: InProcessService) -> None:
    person, number = factories.id_number(), card_number()
    await apply(gateway, issued(person, number), card(CARD_CANCELLED, person, number, status="cancelled",
                                                     cancelled_date="2026-04-01", reason="死亡注销"))
    assert (await gateway.client.get(f"/v1/persons/{number}")).status_code == 404
    section = (await view(gateway, person))["card"]
    assert section["card"] is None
    assert section["cards"][0]["cancelled_date"] == "2026-04-01"


async def test_an_unknown_card_number_is_404_and_a_malformed_key_is_422(gateway: InProcessService) -> None:
    assert (await gateway.client.get(f"/v1/persons/{card_number()}")).status_code == 404
    r = await gateway.client.get("/v1/persons/Q1234")
    assert r.status_code == 422, r.text
    assert "18" in r.json()["errors"][0]["reason"]  # not a card number, so the ID number's reason


async def test_by_card_number_a_county_limited_client_sees_only_its_county(gateway: InProcessService) -> None:
    person, number = factories.id_number(), card_number()
    await apply(gateway, issued(person, number))
    other = bearer(token("gateway:read", county="330803"))
    assert (await gateway.client.get(f"/v1/persons/{number}", headers=other)).status_code == 403
    own = bearer(token("gateway:read", "pii:read", county="330802"))
    body = (await gateway.client.get(f"/v1/persons/{number}", headers={**own, "X-Purpose": "verification"})).json()
    assert body["id_number"] == person

