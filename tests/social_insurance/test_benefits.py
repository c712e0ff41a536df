"""失业保险金: eligibility (art. 14), duration at the edges of art. 17 (11, 12, 59, 60, 119, 120 months), a new spell
counting afresh with the undrawn months added, the stops (re-employment, retirement age, pension) and the monthly
ledger, where a payment after the stop is recorded and published for supervision."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from hrss_contracts.employment import EMPLOYMENT_REGISTERED, UNEMPLOYMENT_REGISTERED
from hrss_shared.validators import make_id_number
from social_insurance.benefits import service as benefits
from social_insurance.benefits.service import POLICY, duration, entitled_months, retirement_of
from social_insurance.common import month_at, month_index
from social_insurance.contributions.models import Contribution
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import (
    TYPE,
    apply,
    apply_run,
    assert_problem,
    count_events,
    employment_registered,
    event,
    events_since,
    register_employment,
    types_of,
)
from tests.support import InProcessService

RULES = POLICY.at(date(2026, 1, 1))


def young() -> str:
    """A person far from the retirement age (the factories' default birth year 1975 puts women past it)."""
    return factories.id_number(birth=date(1990, 5, 17))


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))


@pytest.mark.parametrize(("months", "entitled"), [
    (0, 0), (11, 0), (12, 12), (59, 12), (60, 18), (119, 18), (120, 24), (300, 24)])
def test_duration_by_contribution_months_at_the_edges(months: int, entitled: int) -> None:
    assert entitled_months(months, RULES) == entitled


@pytest.mark.parametrize(("months", "carried", "total"), [
    (12, 0, 12), (12, 8, 20), (12, 12, 24), (60, 10, 24), (120, 5, 24), (11, 8, 0)])
def test_a_new_spell_adds_the_undrawn_months_up_to_24(months: int, carried: int, total: int) -> None:
    assert duration(months, carried, RULES) == total


def test_the_policy_names_its_sources() -> None:
    assert "第十四条" in RULES.source and "第十七条" in RULES.source and RULES.illustrative
    assert RULES.monthly_amount == Decimal("1863.00")


async def seed_months(si: InProcessService, id_number: str, n: int, last: str = "2026-02",
                      kind: str = "unemployment") -> None:
    """``n`` posted contribution months ending with ``last`` (written directly: the history before the test)."""
    async with si.runtime.maker() as session, session.begin():
        for i in range(n):
            session.add(Contribution(
                id_number=id_number, county_code="330802", insurance_type=kind, credit_code=factories.credit_code(),
                enrolment_id="history", month=month_at(month_index(last) - i), base=Decimal("5000.00"),
                employer_amount=Decimal("25.00"), personal_amount=Decimal("25.00"), paid_date=date(2026, 1, 1)))


def registration(id_number: str, **over: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "id_number": id_number, "name": "王小明", "county_code": "330802",
            "registered_date": "2026-03-02", "reason": "合同期满", "separation_reason": "contract_expired", **over}


async def decide(si: InProcessService, data: dict[str, Any]) -> dict[str, Any]:
    await apply(si, event(UNEMPLOYMENT_REGISTERED.type, data))
    r = await si.client.get("/v1/unemployment-benefits", params={"id_number": data["id_number"],
                                                                 "sort": "-registered_date"})
    found: dict[str, Any] = next(b for b in r.json()["data"] if b["unemployment_registration_id"] == data["id"])
    return found


@pytest.mark.parametrize(("months", "eligible", "entitled", "end_date"), [
    (11, False, 0, None), (12, True, 12, "2027-03-01"), (59, True, 12, "2027-03-01"),
    (60, True, 18, "2027-09-01"), (119, True, 18, "2027-09-01"), (120, True, 24, "2028-03-01")])
async def test_decisions_at_the_duration_edges(si: InProcessService, months: int, eligible: bool, entitled: int,
                                               end_date: str | None) -> None:
    person = young()
    await seed_months(si, person, months)
    await seed_months(si, person, 30, kind="employee_pension")  # other types do not count
    before = await count_events(si)
    b = await decide(si, registration(person))
    assert (b["status"], b["contribution_months"], b["months_entitled"], b["end_date"]) == (
        "active" if eligible else "not_eligible", months, entitled, end_date)
    if eligible:
        assert (b["monthly_amount"], b["start_date"], b["illustrative"]) == ("1863.00", "2026-03-02", True)
    else:
        assert (b["reason"], b["monthly_amount"]) == ("insufficient_contributions", None)
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("unemployment_benefit.decided")
    assert (row["event"]["data"]["eligible"], row["event"]["data"]["months_entitled"]) == (eligible, entitled)


async def test_contributions_after_the_registration_month_do_not_count(si: InProcessService) -> None:
    person = young()
    await seed_months(si, person, 12, last="2026-03")  # March is the registration month: counts
    assert (await decide(si, registration(person)))["contribution_months"] == 12
    other = young()
    await seed_months(si, other, 12, last="2026-04")
    assert (await decide(si, registration(other)))["contribution_months"] == 11


@pytest.mark.parametrize(("separation", "reason"), [
    ("voluntary_resignation", "voluntary_separation"), (None, "separation_reason_missing")])
async def test_a_voluntary_or_unknown_separation_is_not_eligible(si: InProcessService, separation: str | None,
                                                                  reason: str) -> None:
    person = young()
    await seed_months(si, person, 120)
    data = registration(person, separation_reason=separation)
    if separation is None:
        del data["separation_reason"]  # an event published before the field existed
    b = await decide(si, data)
    assert (b["status"], b["reason"], b["months_entitled"]) == ("not_eligible", reason, 0)
    assert "第十四条" in b["reason_text"]


@pytest.mark.parametrize("separation", ["contract_expired", "employer_terminated", "dismissed", "employer_fault",
                                        "employer_closed", "mutual_by_employer"])
async def test_every_involuntary_separation_is_eligible(si: InProcessService, separation: str) -> None:
    person = young()
    await seed_months(si, person, 12)
    assert (await decide(si, registration(person, separation_reason=separation)))["status"] == "active"


async def test_a_registration_is_decided_once(si: InProcessService) -> None:
    person = young()
    await seed_months(si, person, 24)
    data = registration(person)
    before = await count_events(si)
    ev = event(UNEMPLOYMENT_REGISTERED.type, data)
    await apply(si, ev)
    await apply(si, ev)
    await apply(si, event(UNEMPLOYMENT_REGISTERED.type, data))
    assert types_of(await events_since(si, before)) == ["unemployment_benefit.decided"]


async def test_the_retirement_age_ends_the_period_and_refuses_a_decision(si: InProcessService) -> None:
    man = make_id_number("330802", date(1966, 5, 17), 11)  # male: 60 years + 5 months (2025 raise) → 2026-10-17
    assert retirement_of(man, RULES) == date(2026, 10, 17)
    await seed_months(si, man, 60)
    b = await decide(si, registration(man))
    assert (b["months_entitled"], b["end_date"], b["retirement_date"]) == (18, "2026-10-16", "2026-10-17")
    retired = make_id_number("330802", date(1965, 1, 17), 13)  # 60 years + 1 month → 2025-02-17
    await seed_months(si, retired, 60)
    b = await decide(si, registration(retired))
    assert (b["status"], b["reason"]) == ("not_eligible", "retirement_age")
    woman = make_id_number("330802", date(1976, 1, 10), 12)  # female, table of 50: 50 + 7 months → 2026-08-10
    assert retirement_of(woman, RULES) == date(2026, 8, 10)


async def test_the_retirement_job_stops_the_benefit_on_the_day(si: InProcessService) -> None:
    man = make_id_number("330802", date(1966, 5, 17), 21)
    await seed_months(si, man, 60)
    b = await decide(si, registration(man))
    assert si.runtime.outbox is not None
    before = await count_events(si)
    for day, stopped in ((date(2026, 10, 16), 0), (date(2026, 10, 17), 1), (date(2026, 10, 18), 0)):
        async with si.runtime.maker() as session, session.begin():
            assert await benefits.stop_at_retirement(session=session, outbox=si.runtime.outbox, today=day) == stopped
    [row] = await events_since(si, before)
    assert (row["event_type"], row["event"]["data"]["stopped_date"], row["event"]["data"]["stop_reason"]) == (
        TYPE("unemployment_benefit.stopped"), "2026-10-17", "retirement_age")
    assert (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()["status"] == "stopped"


async def pay(si: InProcessService, benefit_id: str, month: str, **over: Any) -> Any:
    return await si.client.post(f"/v1/unemployment-benefits/{benefit_id}/payments", json={"month": month, **over})


async def test_the_ledger_pays_each_month_once_within_the_entitlement(si: InProcessService,
                                                                      move_today: MoveToday) -> None:
    move_today(date(2027, 6, 1))
    person = young()
    await seed_months(si, person, 12)
    b = await decide(si, registration(person))
    before = await count_events(si)
    assert_problem(await pay(si, b["id"], "2026-02"), 422, "month")
    for i in range(12):
        r = await pay(si, b["id"], month_at(month_index("2026-03") + i))
        assert r.status_code == 201, r.text
        assert (r.json()["amount"], r.json()["after_stop"]) == ("1863.00", False)
    assert_problem(await pay(si, b["id"], "2026-03"), 409, "month")  # paid already
    assert_problem(await pay(si, b["id"], "2027-03"), 409, "month")  # after the period / all 12 paid
    rows = await events_since(si, before)
    assert types_of(rows) == ["benefit_payment.posted"] * 12
    got = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()
    assert (got["months_paid"], got["amount_paid"], got["status"]) == (12, "22356.00", "ended")
    ledger = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}/payments")).json()
    assert [p["month"] for p in ledger][:2] == ["2026-03", "2026-04"] and len(ledger) == 12
    assert_problem(await pay(si, b["id"], "2026-05", paid_date="2027-06-02"), 422, "paid_date")


async def test_not_eligible_decisions_pay_nothing(si: InProcessService) -> None:
    person = young()
    b = await decide(si, registration(person))
    assert b["status"] == "not_eligible"
    assert_problem(await pay(si, b["id"], "2026-03"), 409, "status")


async def test_re_employment_stops_the_benefit_and_a_later_payment_is_flagged(si: InProcessService,
                                                                              move_today: MoveToday) -> None:
    person = young()
    await seed_months(si, person, 24)
    b = await decide(si, registration(person))
    assert (await pay(si, b["id"], "2026-03")).status_code == 201
    move_today(date(2026, 7, 20))
    for month in ("2026-04", "2026-05"):
        assert (await pay(si, b["id"], month)).status_code == 201
    before = await count_events(si)
    job = employment_registered(person, start_date="2026-06-15")
    await register_employment(si, job)
    await register_employment(si, job)  # redelivered: stopped once
    rows = [r for r in await events_since(si, before) if r["event_type"] == TYPE("unemployment_benefit.stopped")]
    [stopped] = rows
    assert (stopped["event"]["data"]["stopped_date"], stopped["event"]["data"]["stop_reason"],
            stopped["event"]["data"]["months_paid"], stopped["event"]["data"]["months_remaining"],
            stopped["event"]["data"]["employment_registration_id"]) == ("2026-06-15", "reemployed", 3, 9, job["id"])
    # June began before the stop: paid as usual. July lies after it: recorded, flagged, published.
    r = await pay(si, b["id"], "2026-06")
    assert (r.status_code, r.json()["after_stop"]) == (201, False)
    before = await count_events(si)
    r = await pay(si, b["id"], "2026-07")
    assert (r.status_code, r.json()["after_stop"]) == (201, True)
    [row] = await events_since(si, before)
    assert (row["event_type"], row["event"]["data"]["after_stop"], row["event"]["data"]["stopped_date"],
            row["event"]["data"]["stop_reason"]) == (TYPE("benefit_payment.posted"), True, "2026-06-15", "reemployed")
    got = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()
    assert (got["status"], got["months_paid"], got["amount_paid"]) == ("stopped", 4, "9315.00")


async def test_two_jobs_in_one_batch_stop_the_benefit_once_from_the_first(si: InProcessService) -> None:
    """The consumer applies consecutive registrations as one run: the second job of the run finds the benefit
    stopped already; a person without a running benefit in the same run changes nothing."""
    person, other = young(), young()
    await seed_months(si, person, 24)
    b = await decide(si, registration(person))
    before = await count_events(si)
    jobs = [employment_registered(person, start_date="2026-03-05"), employment_registered(other),
            employment_registered(person, start_date="2026-03-09")]
    await apply_run(si, [event(EMPLOYMENT_REGISTERED.type, job) for job in jobs])
    [stopped] = [r for r in await events_since(si, before) if r["event_type"] == TYPE("unemployment_benefit.stopped")]
    assert (stopped["event"]["data"]["stopped_date"], stopped["event"]["data"]["employment_registration_id"]) == (
        "2026-03-05", jobs[0]["id"])
    got = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()
    assert (got["status"], got["stopped_date"]) == ("stopped", "2026-03-05")


async def test_a_new_spell_counts_afresh_and_adds_the_undrawn_months(si: InProcessService,
                                                                     move_today: MoveToday) -> None:
    person = young()
    await seed_months(si, person, 24, last="2024-12")
    move_today(date(2025, 3, 10))
    first = await decide(si, registration(person, registered_date="2025-01-06"))
    assert first["months_entitled"] == 12
    for month in ("2025-01", "2025-02", "2025-03", "2025-04"):
        assert (await pay(si, first["id"], month)).status_code == 201
    await register_employment(si, employment_registered(person, start_date="2025-04-20"))
    # New work from April 2025: 11 months to February 2026 → not eligible; 12 (to March 2026) → 12 + 8 undrawn.
    await seed_months(si, person, 11, last="2026-02")
    move_today(date(2026, 3, 10))
    second = await decide(si, registration(person, registered_date="2026-03-02"))
    assert (second["status"], second["contribution_months"], second["reason"]) == (
        "not_eligible", 11, "insufficient_contributions")
    await seed_months(si, person, 1, last="2026-03")
    third = await decide(si, registration(person, registered_date="2026-03-09"))
    assert (third["status"], third["contribution_months"], third["carried_over_months"],
            third["months_entitled"]) == ("active", 12, 8, 20)


async def test_a_pension_stops_the_benefit_by_hand(si: InProcessService, move_today: MoveToday) -> None:
    person = young()
    await seed_months(si, person, 12)
    b = await decide(si, registration(person))
    url = f"/v1/unemployment-benefits/{b['id']}/stop"
    assert_problem(await si.client.post(url, json={"stopped_date": "2026-03-01", "reason": "pension_started"}),
                   422, "stopped_date")
    assert_problem(await si.client.post(url, json={"stopped_date": "2026-03-11", "reason": "pension_started"}),
                   422, "stopped_date")
    assert_problem(await si.client.post(url, json={"stopped_date": "2026-03-05", "reason": "holiday"}), 422, "reason")
    before = await count_events(si)
    r = await si.client.post(url, json={"stopped_date": "2026-03-05", "reason": "pension_started"})
    assert (r.status_code, r.json()["status"], r.json()["stop_reason"]) == (200, "stopped", "pension_started")
    assert types_of(await events_since(si, before)) == ["unemployment_benefit.stopped"]
    assert_problem(await si.client.post(url, json={"stopped_date": "2026-03-06", "reason": "other"}), 409, "status")
    view = (await si.client.get(f"/v1/persons/{person}/insurance")).json()
    assert [x["id"] for x in view["benefits"]] == [b["id"]]
