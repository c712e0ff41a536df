"""参保"一件事" from employment's events (the consumer's handlers called directly): pending enrolments with the
employer and one medical-insurance request per registration, activation by the first contribution, the coverage
gap after the grace days (day 30 in time, day 31 a gap), termination, and redelivery that changes nothing."""

from __future__ import annotations

from datetime import date

from hrss_contracts.employment import EMPLOYMENT_REGISTERED
from social_insurance import consumers
from social_insurance.onestop import service as onestop
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import (
    TYPE,
    apply,
    apply_run,
    assert_problem,
    count_events,
    employment_registered,
    employment_terminated,
    enrol,
    enrolments_of,
    event,
    events_since,
    pay,
    register_employment,
    terminate_employment,
    types_of,
)
from tests.support import InProcessService


async def detect(si: InProcessService, today: date) -> int:
    assert si.runtime.outbox is not None
    async with si.runtime.maker() as session, session.begin():
        return await onestop.detect_gaps(session=session, outbox=si.runtime.outbox, today=today)


def test_the_consumer_reads_the_employment_topic() -> None:
    assert consumers.TOPICS == ["hrss.employment"]
    assert set(consumers.handlers(lambda: None)) == {  # type: ignore[arg-type,return-value]
        "hrss.employment.employment.registered.v1", "hrss.employment.employment.terminated.v1",
        "hrss.employment.unemployment.registered.v1", "hrss.employment.unemployment.cancelled.v1",
        "hrss.employment.unemployment.corrected.v1"}


async def test_a_registration_opens_three_pending_enrolments_and_one_medical_request_once(
    si: InProcessService, move_today: MoveToday
) -> None:
    move_today(date(2026, 3, 5))
    data = employment_registered()
    before = await count_events(si)
    ev = event(EMPLOYMENT_REGISTERED.type, data)
    await apply(si, ev)
    await apply(si, ev)  # redelivered
    await apply(si, event(EMPLOYMENT_REGISTERED.type, data))  # the same registration republished
    found = await enrolments_of(si, data["id_number"])
    assert [(e["insurance_type"], e["status"], e["credit_code"], e["origin"], e["start_date"],
             e["employment_registration_id"]) for e in found] == [
        (kind, "pending", data["credit_code"], "one_stop", "2026-03-01", data["id"])
        for kind in ("employee_pension", "unemployment", "work_injury")]
    rows = await events_since(si, before)
    assert types_of(rows) == ["enrolment.registered"] * 3 + ["medical_enrolment.requested"]
    medical = rows[3]["event"]["data"]
    assert (medical["id_number"], medical["credit_code"], medical["employer_name"], medical["start_date"],
            medical["employment_registration_id"], medical["requested_date"]) == (
        data["id_number"], data["credit_code"], data["employer_name"], "2026-03-01", data["id"], "2026-03-05")


async def test_the_first_contribution_activates_and_a_transfer_ends_the_old_employer(
    si: InProcessService, move_today: MoveToday
) -> None:
    move_today(date(2026, 3, 20))
    person = factories.id_number()
    old = await enrol(si, "unemployment", id_number=person, start_date="2025-01-01")
    data = employment_registered(person, start_date="2026-02-01")
    await register_employment(si, data)
    pending = {e["insurance_type"]: e for e in await enrolments_of(si, person) if e["status"] == "pending"}
    before = await count_events(si)
    c = await pay(si, pending["unemployment"], "2026-03")
    rows = await events_since(si, before)
    assert types_of(rows) == ["enrolment.ended", "enrolment.activated", "contribution.posted"]
    assert (rows[0]["event"]["data"]["id"], rows[0]["event"]["data"]["end_date"]) == (old["id"], "2026-01-31")
    activated = rows[1]["event"]["data"]
    assert (activated["id"], activated["status"], activated["activated_date"], activated["contribution_id"]) == (
        pending["unemployment"]["id"], "active", "2026-03-20", c["id"])
    # A second month changes only the contribution.
    before = await count_events(si)
    await pay(si, pending["unemployment"], "2026-02")
    assert types_of(await events_since(si, before)) == ["contribution.posted"]
    statuses = {e["insurance_type"]: e["status"] for e in await enrolments_of(si, person)
                if e["credit_code"] == data["credit_code"]}
    assert statuses == {"employee_pension": "pending", "unemployment": "active", "work_injury": "pending"}


async def test_activation_is_refused_while_resident_pension_is_active(si: InProcessService,
                                                                      move_today: MoveToday) -> None:
    move_today(date(2026, 3, 20))
    resident = await enrol(si, "resident_pension", start_date="2025-01-01")
    data = employment_registered(resident["id_number"])
    await register_employment(si, data)
    r = await si.client.post("/v1/contributions", json={
        "id_number": data["id_number"], "insurance_type": "employee_pension", "credit_code": data["credit_code"],
        "month": "2026-03", "declared_base": "6000.00"})
    assert assert_problem(r, 409, "insurance_type")["existing_id"] == resident["id"]
    assert (await si.client.get("/v1/contributions", params={"id_number": data["id_number"]})).json()["count"] == 0


async def test_a_coverage_gap_from_the_31st_day_once(si: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 3, 2))
    data = employment_registered(start_date="2026-03-01")
    await register_employment(si, data)
    before = await count_events(si)
    assert await detect(si, date(2026, 3, 31)) == 0  # start + 30 days: still in time
    rows = await events_since(si, before)
    assert rows == []
    assert await detect(si, date(2026, 4, 1)) == 3  # the 31st day
    assert await detect(si, date(2026, 4, 2)) == 0  # once
    rows = await events_since(si, before)
    assert types_of(rows) == ["coverage_gap.detected"] * 3
    gap = rows[0]["event"]["data"]
    assert (gap["start_date"], gap["grace_days"], gap["due_date"], gap["detected_date"], gap["credit_code"]) == (
        "2026-03-01", 30, "2026-03-31", "2026-04-01", data["credit_code"])
    assert "第五十八条" in gap["policy_source"]
    [e] = [x for x in await enrolments_of(si, data["id_number"]) if x["insurance_type"] == "work_injury"]
    assert e["gap_detected_date"] == "2026-04-01"


async def test_a_registration_arriving_after_the_grace_period_is_a_gap_at_once(si: InProcessService,
                                                                               move_today: MoveToday) -> None:
    move_today(date(2026, 4, 1))
    before = await count_events(si)
    await register_employment(si, employment_registered(start_date="2026-03-01"))
    assert types_of(await events_since(si, before)) == (
        ["enrolment.registered"] * 3 + ["medical_enrolment.requested"] + ["coverage_gap.detected"] * 3)
    before = await count_events(si)
    on_day_30 = employment_registered(start_date="2026-03-02")
    await register_employment(si, on_day_30)
    assert "coverage_gap.detected" not in types_of(await events_since(si, before))


async def test_an_activated_enrolment_is_no_gap(si: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))
    data = employment_registered(start_date="2026-03-01")
    await register_employment(si, data)
    for kind in ("employee_pension", "unemployment", "work_injury"):
        e = next(x for x in await enrolments_of(si, data["id_number"]) if x["insurance_type"] == kind)
        await pay(si, e, "2026-03")
    assert await detect(si, date(2026, 5, 1)) == 0


async def test_a_termination_ends_the_employer_bound_enrolments_once(si: InProcessService,
                                                                     move_today: MoveToday) -> None:
    move_today(date(2026, 7, 2))
    data = employment_registered(start_date="2026-03-01")
    await register_employment(si, data)
    flexible = await enrol(si, "employee_pension", id_number=data["id_number"], flexible=True)
    e = next(x for x in await enrolments_of(si, data["id_number"]) if x["insurance_type"] == "unemployment")
    await pay(si, e, "2026-03")
    before = await count_events(si)
    termination = employment_terminated(data, end_date="2026-06-30")
    await terminate_employment(si, termination)
    await terminate_employment(si, termination)  # redelivered
    rows = await events_since(si, before)
    assert types_of(rows) == ["enrolment.ended"] * 3
    assert {(r["event"]["data"]["end_date"], r["event"]["data"]["employment_registration_id"]) for r in rows} == {
        ("2026-06-30", data["id"])}
    statuses = {(x["insurance_type"], x["flexible"]): x["status"] for x in await enrolments_of(si, data["id_number"])}
    assert statuses == {("employee_pension", False): "ended", ("unemployment", False): "ended",
                        ("work_injury", False): "ended", ("employee_pension", True): "active"}
    assert flexible["credit_code"] is None
    assert TYPE("enrolment.ended") in {r["event_type"] for r in rows}


async def test_the_scheduled_gap_job_is_registered(scheduled: InProcessService) -> None:
    assert scheduled.runtime.scheduler is not None
    record = await scheduled.runtime.scheduler.run_now(onestop.GAP_JOB)
    assert record is not None and record.outcome.startswith("coverage gaps")


async def test_a_run_of_registrations_in_one_batch_applies_as_one_at_a_time_would(
    si: InProcessService, move_today: MoveToday
) -> None:
    """The consumer applies consecutive registrations set-based: each sees the ones before it in the run, the
    enrolments already there, and its events carry its own correlation id."""
    move_today(date(2026, 3, 5))
    a, b, c = factories.id_number(), factories.id_number(), factories.id_number()
    y = factories.credit_code()
    manual = await enrol(si, "unemployment", id_number=b, credit_code=y)  # B is already insured with Y
    first = employment_registered(a)
    again = employment_registered(a, credit_code=first["credit_code"])  # a second registration with the same employer
    with_y = employment_registered(b, credit_code=y)
    late = employment_registered(c, start_date="2026-02-02")  # day 31 of its grace period today: a gap at once
    run = [event(EMPLOYMENT_REGISTERED.type, data) for data in (first, again, with_y, late, first)]  # first republished
    for n, ev in enumerate(run):
        ev.correlationid = f"corr-{n}"
    before = await count_events(si)
    await apply_run(si, run)
    await apply_run(si, run)  # the whole run redelivered
    rows = await events_since(si, before)
    assert types_of(rows) == ["enrolment.registered"] * 8 + ["medical_enrolment.requested"] * 4 + [
        "coverage_gap.detected"] * 3
    by_event = [(types_of([r])[0], r["event"]["data"].get("employment_registration_id") or r["event"]["data"]["id"],
                 r["event"]["correlationid"]) for r in rows]
    registrations = {first["id"]: "corr-0", again["id"]: "corr-1", with_y["id"]: "corr-2", late["id"]: "corr-3"}
    for kind, registration_id, correlation in by_event[:12]:
        assert correlation == registrations[registration_id], (kind, registration_id)
    assert {correlation for *_, correlation in by_event[12:]} == {"corr-3"}
    assert [(e["insurance_type"], e["employment_registration_id"]) for e in await enrolments_of(si, a)] == [
        (kind, first["id"]) for kind in ("employee_pension", "unemployment", "work_injury")]
    assert sorted((e["insurance_type"], e["origin"]) for e in await enrolments_of(si, b)) == [
        ("employee_pension", "one_stop"), ("unemployment", "manual"), ("work_injury", "one_stop")]
    assert manual["status"] == "active"
    assert {e["gap_detected_date"] for e in await enrolments_of(si, c)} == {"2026-03-05"}
    on_day_30 = employment_registered(start_date="2026-02-03")
    before = await count_events(si)
    await apply_run(si, [event(EMPLOYMENT_REGISTERED.type, on_day_30)])
    assert "coverage_gap.detected" not in types_of(await events_since(si, before))
