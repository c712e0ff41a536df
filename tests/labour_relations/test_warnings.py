"""欠薪联合预警: social insurance's contribution-arrears events (the consumer's handlers, called directly) and the
service's own signals make a decaying score; reaching the threshold raises exactly one warning — also when events
are delivered again — listing its signals; resolved arrears and decay clear it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from hrss_contracts.social_insurance import CONTRIBUTION_ARREARS_RAISED, CONTRIBUTION_ARREARS_RESOLVED
from hrss_shared import clock
from hrss_shared.events import CloudEvent, Contract
from labour_relations import consumers
from labour_relations.warnings.service import REVIEW_JOB
from tests import factories
from tests.labour_relations.helpers import TYPE, events_since, mark, new_case, run_job, types_since
from tests.support import InProcessService, bearer, token

TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(TODAY)


def raised(credit_code: str, month: str = "2026-02", arrears_id: str | None = None) -> dict[str, Any]:
    return {"id": arrears_id or str(uuid.uuid4()), "credit_code": credit_code, "county_code": "330802",
            "month": month, "consecutive_months": 2, "person_count": 1,
            "persons": [{"id_number": factories.id_number(), "insurance_type": "employee_pension",
                         "months": ["2026-01", month]}]}


def event(contract: Contract[Any], data: dict[str, Any], at: datetime | None = None) -> CloudEvent:
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/social-insurance", type=contract.type,
                      time=at or clock.now(), subject=data["credit_code"], data=data)


async def apply(svc: InProcessService, ev: CloudEvent) -> None:
    """Run the handler in one transaction, as the consumer runner does."""
    handlers = consumers.handlers(lambda: svc.runtime.outbox)  # type: ignore[arg-type,return-value]
    async with svc.runtime.maker() as session, session.begin():
        await handlers[ev.type](session, ev)


async def risk(svc: InProcessService, credit_code: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/employers/{credit_code}/risk")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_consumer_reads_the_social_insurance_topic() -> None:
    assert consumers.TOPICS == ["hrss.social-insurance"]
    assert set(consumers.handlers(lambda: None)) == {  # type: ignore[arg-type,return-value]
        CONTRIBUTION_ARREARS_RAISED.type, CONTRIBUTION_ARREARS_RESOLVED.type}


async def test_crossing_the_threshold_raises_one_warning_whatever_the_redeliveries(labour: InProcessService) -> None:
    employer = factories.credit_code()
    january, february = raised(employer, "2026-01"), raised(employer, "2026-02")
    before = await mark(labour)
    first = event(CONTRIBUTION_ARREARS_RAISED, january)
    await apply(labour, first)
    await apply(labour, first)  # redelivered
    assert (await risk(labour, employer))["score"] == 40.0  # below the threshold (60)
    assert await types_since(labour, before) == []
    second = event(CONTRIBUTION_ARREARS_RAISED, february)
    for ev in (second, second, event(CONTRIBUTION_ARREARS_RAISED, february)):  # and re-published as a new event
        await apply(labour, ev)
    # a complaint: 15 more, the warning is already open
    await new_case(labour, credit_code=employer, filed_date="2026-03-20")
    rows = [r for r in await events_since(labour, before) if r["event_type"].startswith(TYPE("warning")[:-3])]
    assert [r["event_type"] for r in rows] == [TYPE("warning.raised")]
    data = rows[0]["event"]["data"]
    assert (data["credit_code"], data["score"], data["threshold"], data["illustrative"]) == (employer, 80.0, 60.0,
                                                                                           True)
    assert sorted(s["kind"] for s in data["signals"]) == ["contribution_arrears", "contribution_arrears"]
    now = await risk(labour, employer)
    assert (now["score"], now["above_threshold"], now["open_warning"]["id"]) == (95.0, True, data["id"])
    assert sorted(s["kind"] for s in now["signals"]) == ["complaint", "contribution_arrears", "contribution_arrears"]
    warnings = (await labour.client.get("/v1/warnings", params={"credit_code": employer})).json()
    assert [(w["id"], w["status"], w["score"]) for w in warnings["data"]] == [(data["id"], "open", 80.0)]

    # Paid up: the arrears stop counting; 15 points left, the warning clears (once).
    before = await mark(labour)
    for arrears in (january, february):
        resolved = {"id": arrears["id"], "credit_code": employer, "county_code": "330802", "month": arrears["month"],
                    "resolved_on": "2026-03-20"}
        for _ in range(2):
            await apply(labour, event(CONTRIBUTION_ARREARS_RESOLVED, resolved))
    assert await types_since(labour, before) == [TYPE("warning.cleared")]
    now = await risk(labour, employer)
    assert (now["score"], now["above_threshold"], now["open_warning"]) == (15.0, False, None)


@pytest.mark.parametrize(("days_ago", "points"), [(0, 40.0), (90, 20.0), (180, 10.0), (364, 2.42), (365, None)])
async def test_a_signal_halves_every_90_days_and_stops_counting_after_365(
    labour: InProcessService, days_ago: int, points: float | None
) -> None:
    employer = factories.credit_code()
    at = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC) + timedelta(hours=4)
    await apply(labour, event(CONTRIBUTION_ARREARS_RAISED, raised(employer), at=at))
    signals = (await risk(labour, employer))["signals"]
    assert [s["points"] for s in signals] == ([points] if points else [])


async def test_the_daily_review_clears_a_warning_whose_score_decayed(labour: InProcessService, move_today: Any) -> None:
    employer = factories.credit_code()
    for month in ("2026-01", "2026-02"):
        await apply(labour, event(CONTRIBUTION_ARREARS_RAISED, raised(employer, month)))
    assert (await risk(labour, employer))["open_warning"] is not None
    move_today(TODAY + timedelta(days=36))  # 80 × 0.5^(36/90) = 60.63: still open
    before = await mark(labour)
    assert await run_job(labour, REVIEW_JOB) == "cleared 0 warnings"
    move_today(TODAY + timedelta(days=37))  # 80 × 0.5^(37/90) = 60.16
    assert await run_job(labour, REVIEW_JOB) == "cleared 0 warnings"
    move_today(TODAY + timedelta(days=38))  # 59.70: below 60
    assert await run_job(labour, REVIEW_JOB) == "cleared 1 warnings"
    assert await run_job(labour, REVIEW_JOB) == "cleared 0 warnings"
    assert await types_since(labour, before) == [TYPE("warning.cleared")]


async def test_a_group_case_and_its_complaint_raise_a_warning_and_cancelling_it_clears_it(
    labour: InProcessService,
) -> None:
    employer = factories.credit_code()
    before = await mark(labour)
    case = await new_case(labour, credit_code=employer, workers=12, filed_date="2026-03-20")  # 15 + 50
    assert await types_since(labour, before) == [
        TYPE("arrears_case.registered"), TYPE("arrears_case.escalated"), TYPE("warning.raised")]
    before = await mark(labour)
    r = await labour.client.post(f"/v1/arrears-cases/{case['id']}/cancel", json={"reason": "重复登记"})
    assert r.status_code == 200, r.text
    assert await types_since(labour, before) == [TYPE("arrears_case.cancelled"), TYPE("warning.cleared")]
    assert (await risk(labour, employer))["score"] == 0.0


async def test_risk_needs_a_valid_credit_code_and_a_reader(labour: InProcessService) -> None:
    r = await labour.client.get("/v1/employers/91330802MA2ABCDE1X/risk")
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("credit_code")
    r = await labour.client.get(f"/v1/employers/{factories.credit_code()}/risk",
                                headers=bearer(token("training:read")))
    assert r.status_code == 403
    empty = await risk(labour, factories.credit_code())
    assert (empty["score"], empty["signals"], empty["dishonest"], empty["illustrative"]) == (0.0, [], False, True)
