"""失业保险金 follows its unemployment registration (issue 11): a cancellation (撤销) stops the benefit from its
start and flags the months paid for recovery (追回), once even when redelivered; a correction of the registration
date decides again a benefit that paid nothing, or moves the start of a paid one and recovers the months before it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hrss_contracts.employment import UNEMPLOYMENT_CANCELLED, UNEMPLOYMENT_CORRECTED
from tests.conftest import MoveToday
from tests.social_insurance.helpers import TYPE, apply, assert_problem, count_events, event, events_since, types_of
from tests.social_insurance.test_benefits import decide, pay, registration, seed_months, young
from tests.support import InProcessService


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 7, 10))


def cancellation(reg: dict[str, Any], reason: str = "重复登记，录入错误") -> dict[str, Any]:
    return {"id": reg["id"], "id_number": reg["id_number"], "registered_date": reg["registered_date"],
            "reason": reason}


def correction(reg: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {"id": reg["id"], "id_number": reg["id_number"], "changed": ["registered_date"], "name": reg["name"],
            "county_code": reg["county_code"], "registered_date": reg["registered_date"],
            "separation_reason": reg["separation_reason"], "correction_reason": "登记日期录入错误", **over}


async def get(si: InProcessService, benefit_id: str) -> dict[str, Any]:
    r = await si.client.get(f"/v1/unemployment-benefits/{benefit_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def running(si: InProcessService, months: int = 12) -> tuple[dict[str, Any], dict[str, Any]]:
    person = young()
    await seed_months(si, person, months)
    reg = registration(person)  # registered 2026-03-02
    return reg, await decide(si, reg)


async def test_a_cancellation_stops_a_benefit_that_paid_nothing_from_its_start_once(si: InProcessService) -> None:
    reg, b = await running(si)
    before = await count_events(si)
    ev = event(UNEMPLOYMENT_CANCELLED.type, cancellation(reg))
    await apply(si, ev)
    await apply(si, ev)  # redelivered
    await apply(si, event(UNEMPLOYMENT_CANCELLED.type, cancellation(reg)))  # sent again under another id
    rows = await events_since(si, before)
    assert types_of(rows) == ["unemployment_benefit.stopped"]  # nothing was paid: nothing to recover
    data = rows[0]["event"]["data"]
    assert (data["stopped_date"], data["stop_reason"], data["reason_text"]) == (
        "2026-03-02", "registration_cancelled", "失业登记撤销")
    got = await get(si, b["id"])
    assert (got["status"], got["stopped_date"], got["registration_cancelled"], got["registration_cancel_reason"],
            got["recovery_months"], got["recovery_amount"]) == (
        "stopped", "2026-03-02", True, "重复登记，录入错误", 0, "0.00")
    # No payment on a registration that never held.
    r = await pay(si, b["id"], "2026-03")
    assert "撤销" in assert_problem(r, 409)["detail"]


async def test_months_already_paid_are_flagged_for_recovery_once(si: InProcessService) -> None:
    reg, b = await running(si)
    for month in ("2026-03", "2026-04", "2026-05"):
        assert (await pay(si, b["id"], month)).status_code == 201
    before = await count_events(si)
    ev = event(UNEMPLOYMENT_CANCELLED.type, cancellation(reg))
    await apply(si, ev)
    await apply(si, ev)
    rows = await events_since(si, before)
    assert types_of(rows) == ["unemployment_benefit.stopped", "unemployment_benefit.recovery_required"]
    recovery = rows[1]["event"]["data"]
    assert (recovery["id"], recovery["cause"], recovery["months"], recovery["amount"], recovery["decided_date"]) == (
        b["id"], "registration_cancelled", ["2026-03", "2026-04", "2026-05"], "5589.00", "2026-07-10")
    assert "重复登记" in recovery["reason_text"]
    got = await get(si, b["id"])
    assert (got["recovery_months"], got["recovery_amount"], got["amount_paid"], got["months_paid"]) == (
        3, "5589.00", "5589.00", 0)
    ledger = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}/payments")).json()
    items = ledger["data"] if isinstance(ledger, dict) else ledger
    assert [p["recovery_required"] for p in items] == [True, True, True]


async def test_a_stopped_benefit_is_not_stopped_again_but_its_payments_are_recovered(si: InProcessService) -> None:
    reg, b = await running(si)
    assert (await pay(si, b["id"], "2026-03")).status_code == 201
    r = await si.client.post(f"/v1/unemployment-benefits/{b['id']}/stop",
                             json={"stopped_date": "2026-04-01", "reason": "pension_started"})
    assert r.status_code == 200, r.text
    before = await count_events(si)
    await apply(si, event(UNEMPLOYMENT_CANCELLED.type, cancellation(reg)))
    rows = await events_since(si, before)
    assert types_of(rows) == ["unemployment_benefit.recovery_required"]
    got = await get(si, b["id"])
    assert (got["stop_reason"], got["stopped_date"], got["recovery_amount"]) == (
        "pension_started", "2026-04-01", "1863.00")


async def test_a_refused_decision_only_records_the_cancellation(si: InProcessService) -> None:
    person = young()
    await seed_months(si, person, 11)
    reg = registration(person)
    b = await decide(si, reg)
    before = await count_events(si)
    await apply(si, event(UNEMPLOYMENT_CANCELLED.type, cancellation(reg)))
    assert await events_since(si, before) == []
    got = await get(si, b["id"])
    assert (got["status"], got["registration_cancelled"]) == ("not_eligible", True)


async def test_a_cancellation_of_an_unknown_registration_changes_nothing(si: InProcessService) -> None:
    before = await count_events(si)
    await apply(si, event(UNEMPLOYMENT_CANCELLED.type, cancellation(registration(young()))))
    assert await count_events(si) == before


async def test_hand_stop_cannot_claim_a_cancellation(si: InProcessService) -> None:
    _, b = await running(si)
    r = await si.client.post(f"/v1/unemployment-benefits/{b['id']}/stop",
                             json={"stopped_date": "2026-04-01", "reason": "registration_cancelled"})
    assert_problem(r, 422, "reason")


async def test_a_cancelled_spell_is_not_a_previous_spell(si: InProcessService) -> None:
    person = young()
    await seed_months(si, person, 12)
    first = registration(person, registered_date="2026-03-02")
    await decide(si, first)
    await apply(si, event(UNEMPLOYMENT_CANCELLED.type, cancellation(first)))
    again = await decide(si, registration(person, registered_date="2026-03-20"))
    # Counted as a first spell: no carry-over, all 12 months of contributions count.
    assert (again["status"], again["contribution_months"], again["carried_over_months"]) == ("active", 12, 0)


# ---- 更正 of the registration date ------------------------------------------------------------------------


async def test_a_corrected_date_decides_again_a_benefit_that_paid_nothing(si: InProcessService) -> None:
    reg, b = await running(si)
    before = await count_events(si)
    ev = event(UNEMPLOYMENT_CORRECTED.type, correction(reg, registered_date="2026-03-16"))
    await apply(si, ev)
    await apply(si, ev)  # redelivered: the benefit already follows the corrected date
    [row] = await events_since(si, before)
    data = row["event"]["data"]
    assert (row["event_type"], data["start_date"], data["end_date"], data["revision"]) == (
        TYPE("unemployment_benefit.decided"), "2026-03-16", "2027-03-15", 1)
    assert "登记日期录入错误" in data["correction_reason"]
    got = await get(si, b["id"])
    assert (got["registered_date"], got["start_date"], got["end_date"]) == ("2026-03-16", "2026-03-16", "2027-03-15")


async def test_a_corrected_separation_reason_decides_again(si: InProcessService) -> None:
    reg, b = await running(si)
    await apply(si, event(UNEMPLOYMENT_CORRECTED.type, correction(
        reg, changed=["separation_reason"], separation_reason="voluntary_resignation")))
    got = await get(si, b["id"])
    assert (got["status"], got["reason"]) == ("not_eligible", "voluntary_separation")


@pytest.mark.parametrize(("new_date", "recovered"), [
    ("2026-03-31", []),  # still in March: the month paid stays due
    ("2026-04-01", ["2026-03"]),  # the first day of April: March was paid before the start
    ("2026-02-20", []),  # an earlier start: nothing to recover
])
async def test_a_corrected_date_moves_the_start_of_a_paid_benefit(si: InProcessService, new_date: str,
                                                                   recovered: list[str]) -> None:
    reg, b = await running(si)
    assert (await pay(si, b["id"], "2026-03")).status_code == 201
    before = await count_events(si)
    await apply(si, event(UNEMPLOYMENT_CORRECTED.type, correction(reg, registered_date=new_date)))
    rows = await events_since(si, before)
    expected = ["unemployment_benefit.recovery_required"] if recovered else []
    assert types_of(rows) == [*expected, "unemployment_benefit.decided"]
    got = await get(si, b["id"])
    assert (got["start_date"], got["months_entitled"], got["months_paid"]) == (new_date, 12, 1 - len(recovered))
    if recovered:
        assert rows[0]["event"]["data"]["months"] == recovered
        assert rows[0]["event"]["data"]["cause"] == "registration_date_corrected"
        assert got["recovery_amount"] == "1863.00"
