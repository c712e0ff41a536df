"""单位欠缴: two consecutive unpaid months of an active enrolment make one arrears record and event per employer and
month; re-running the check or posting again publishes nothing new; paying up resolves it once."""

from __future__ import annotations

from datetime import date

from social_insurance.arrears import service as arrears
from social_insurance.arrears.service import runs
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import TYPE, count_events, enrol, events_since, pay, types_of
from tests.support import InProcessService


async def check(si: InProcessService, today: date) -> tuple[int, int]:
    """The daily job's work on ``today``."""
    assert si.runtime.outbox is not None
    async with si.runtime.maker() as session, session.begin():
        return await arrears.check_all(session=session, outbox=si.runtime.outbox, today=today)


def test_runs_split_consecutive_months() -> None:
    assert runs(["2026-03", "2025-12", "2026-01", "2026-05"]) == [["2025-12", "2026-01"], ["2026-03"], ["2026-05"]]
    assert runs([]) == []


async def test_one_unpaid_month_is_not_arrears_two_are(si: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 3, 1))
    employer = factories.credit_code()
    e = await enrol(si, "unemployment", credit_code=employer, start_date="2026-01-01")
    await pay(si, e, "2026-01")
    before = await count_events(si)
    # On 2026-03-31 only February is due and unpaid: one month, no arrears.
    assert await check(si, date(2026, 3, 31)) == (0, 0)
    # On 2026-04-01 February and March are due and unpaid: arrears for March.
    assert await check(si, date(2026, 4, 1)) == (1, 0)
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("arrears.raised")
    data = row["event"]["data"]
    assert (data["id"], data["credit_code"], data["county_code"], data["month"], data["consecutive_months"],
            data["person_count"]) == (f"{employer}-2026-03", employer, "330802", "2026-03", 2, 1)
    assert data["persons"] == [{"id_number": e["id_number"], "insurance_type": "unemployment",
                                "months": ["2026-02", "2026-03"]}]
    # The same check again, and on another day of the month: nothing new.
    assert await check(si, date(2026, 4, 1)) == (0, 0)
    assert await check(si, date(2026, 4, 30)) == (0, 0)
    assert len(await events_since(si, before)) == 1
    r = await si.client.get("/v1/arrears", params={"credit_code": employer})
    [record] = r.json()["data"]
    assert (record["status"], record["month"], record["illustrative"], record["raised_date"]) == (
        "open", "2026-03", True, "2026-04-01")
    r = await si.client.get("/v1/arrears", params={"id_number": e["id_number"]})
    assert r.json()["count"] == 1


async def test_each_further_month_is_a_record_and_paying_up_resolves_each_once(
    si: InProcessService, move_today: MoveToday
) -> None:
    move_today(date(2026, 4, 1))
    employer = factories.credit_code()
    a = await enrol(si, "employee_pension", credit_code=employer, start_date="2026-02-01")
    b = await enrol(si, "work_injury", credit_code=employer, start_date="2026-02-01")
    before = await count_events(si)
    assert await check(si, date(2026, 4, 1)) == (1, 0)
    assert await check(si, date(2026, 5, 2)) == (1, 0)  # April unpaid too: a record for April
    raised = await events_since(si, before)
    assert [(r["event"]["data"]["month"], r["event"]["data"]["consecutive_months"]) for r in raised] == [
        ("2026-03", 2), ("2026-04", 3)]
    assert raised[1]["event"]["data"]["person_count"] == 2
    move_today(date(2026, 5, 2))
    before = await count_events(si)
    for month in ("2026-02", "2026-03"):
        await pay(si, a, month)
        await pay(si, b, month)
    # The March record is paid up; the April one still misses April.
    assert types_of(await events_since(si, before))[-1] == "arrears.resolved"
    await pay(si, a, "2026-04")
    before = await count_events(si)
    await pay(si, b, "2026-04")
    rows = await events_since(si, before)
    assert types_of(rows) == ["contribution.posted", "arrears.resolved"]
    assert (rows[1]["event"]["data"]["id"], rows[1]["event"]["data"]["resolved_on"]) == (
        f"{employer}-2026-04", "2026-05-02")
    listed = (await si.client.get("/v1/arrears", params={"credit_code": employer, "sort": "month"})).json()["data"]
    assert [(x["month"], x["status"], x["resolved_date"]) for x in listed] == [
        ("2026-03", "resolved", "2026-05-02"), ("2026-04", "resolved", "2026-05-02")]
    assert await check(si, date(2026, 5, 2)) == (0, 0)


async def test_suspended_pending_and_personal_enrolments_owe_nothing(si: InProcessService,
                                                                      move_today: MoveToday) -> None:
    move_today(date(2026, 1, 1))
    suspended = await enrol(si, "unemployment", start_date="2026-01-01")
    await si.client.post(f"/v1/enrolments/{suspended['id']}/suspend", json={"suspended_date": "2026-01-01",
                                                                            "reason": "停薪留职"})
    await enrol(si, "employee_pension", flexible=True, start_date="2026-01-01")
    await enrol(si, "resident_pension", start_date="2026-01-01")
    assert await check(si, date(2026, 6, 1)) == (0, 0)


async def test_the_scheduled_job_runs_the_check(scheduled: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 4, 1))
    await enrol(scheduled, "unemployment", start_date="2026-02-01")
    assert scheduled.runtime.scheduler is not None
    record = await scheduled.runtime.scheduler.run_now(arrears.JOB)
    assert record is not None and "arrears raised" in record.outcome
