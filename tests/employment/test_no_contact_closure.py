"""失业登记 automatic closure for no contact (issue 11): any recorded contact with the person counts, not only 131
services — each kind of contact at the edge of the policy's months (the day before and on the deadline), and a
contact dated after the day judged does not count yet."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from employment.registrations import contacts
from employment.registrations import service as reg_service
from hrss_shared import clock
from tests import factories
from tests.employment.helpers import outbox, unemploy
from tests.employment.test_registration_lifecycle import close_lapsed, closure_job_done
from tests.employment.test_startup_loans import application
from tests.support import InProcessService


async def status_of(svc: InProcessService, registration: dict[str, Any]) -> tuple[str, str | None, str | None]:
    row = (await svc.client.get(f"/v1/unemployment-registrations/{registration['id']}")).json()
    return row["status"], row["end_date"], row["close_reason_code"]


async def assert_closes_on(svc: InProcessService, registration: dict[str, Any], deadline: date) -> None:
    """Open the day before ``deadline``; closed for no contact on it, with it as the end date; once."""
    before = len(await outbox(svc))
    assert await close_lapsed(svc, date.fromordinal(deadline.toordinal() - 1)) == 0
    assert (await status_of(svc, registration))[0] == "open"
    assert await close_lapsed(svc, deadline) == 1
    assert await status_of(svc, registration) == ("closed", deadline.isoformat(), "no_contact")
    assert await close_lapsed(svc, deadline) == 0
    assert len(await outbox(svc)) == before + 1


def test_the_documented_contact_kinds() -> None:
    assert set(contacts.CONTACT_KINDS) == {
        "service_131", "job_seeker_registered", "job_seeker_updated", "key_group", "public_welfare", "startup_loan",
        "startup_subsidy", "startup_subsidy_refused"}


async def test_no_contact_after_the_registration_closes_exactly_six_months_later(employment: InProcessService) -> None:
    await closure_job_done(employment)
    reg = await unemploy(employment, factories.id_number(), "2026-01-31")
    await assert_closes_on(employment, reg, date(2026, 7, 31))


async def test_a_job_seeker_registration_counts_as_contact(employment: InProcessService) -> None:
    await closure_job_done(employment)
    seeker = factories.job_seeker("330802", registered_date="2026-02-15")
    r = await employment.client.post("/v1/job-seekers", json=seeker)
    assert r.status_code == 201, r.text
    reg = await unemploy(employment, seeker["id_number"], "2026-01-10")
    await assert_closes_on(employment, reg, date(2026, 8, 15))


async def test_a_job_seeker_update_counts_on_its_bureau_day(employment: InProcessService) -> None:
    await closure_job_done(employment)
    seeker = factories.job_seeker("330802", registered_date="2026-01-05")
    assert (await employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    reg = await unemploy(employment, seeker["id_number"], "2026-01-10")
    # 2026-03-01 00:30 in Beijing is still 2026-02-28 in UTC: the bureau's day counts.
    with clock.freeze(datetime.combine(date(2026, 3, 1), time(0, 30))):
        r = await employment.client.patch(f"/v1/job-seekers/{seeker['id_number']}", json={"phone": "13900001111"})
        assert r.status_code == 200, r.text
    await assert_closes_on(employment, reg, date(2026, 9, 1))


async def test_a_key_group_certification_counts_as_contact(employment: InProcessService) -> None:
    await closure_job_done(employment)
    seeker = factories.job_seeker("330802", registered_date="2026-01-05")
    assert (await employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    person = seeker["id_number"]
    reg = await unemploy(employment, person, "2026-01-10")
    r = await employment.client.post(f"/v1/job-seekers/{person}/key-groups", json={
        "group": "hard_to_employ", "source": "柯城区就业管理服务中心", "start_date": "2026-03-20",
        "category": "minimum_living", "evidence": "低保证 衢低保〔2025〕019号"})
    assert r.status_code == 201, r.text
    # The certification ends with the registration; the closure ends it (key_group.ended) as well.
    before = len(await outbox(employment))
    assert await close_lapsed(employment, date(2026, 9, 19)) == 0
    assert await close_lapsed(employment, date(2026, 9, 20)) == 1
    assert await status_of(employment, reg) == ("closed", "2026-09-20", "no_contact")
    assert len(await outbox(employment)) == before + 2


async def test_a_start_up_loan_application_counts_as_contact(employment: InProcessService) -> None:
    await closure_job_done(employment)
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-01-10")
    r = await employment.client.post("/v1/startup-loans", json=application(
        id_number=person, applied_date="2026-04-30", amount="100000"))
    assert r.status_code == 201, r.text  # eligible as a registered unemployed person
    await assert_closes_on(employment, reg, date(2026, 10, 30))


async def test_the_latest_of_several_contacts_counts_and_a_later_dated_one_not_yet(
    employment: InProcessService,
) -> None:
    await closure_job_done(employment)
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-01-10")
    for day in ("2026-02-01", "2026-03-01"):
        r = await employment.client.post("/v1/service-records", json={
            "id_number": person, "kind": "career_guidance", "service_date": day, "staff": "张老师"})
        assert r.status_code == 201, r.text
    r = await employment.client.post("/v1/startup-loans", json=application(
        id_number=person, applied_date="2026-09-15", amount="100000"))
    assert r.status_code == 201, r.text
    async with employment.runtime.maker() as session:
        assert await contacts.last_contacts(session=session, id_numbers=[person], on=date(2026, 9, 1)) == {
            person: date(2026, 3, 1)}
        assert await contacts.last_contacts(session=session, id_numbers=[person], on=date(2026, 9, 15)) == {
            person: date(2026, 9, 15)}
    # Judged on 2026-09-01 the loan application (dated 2026-09-15) is not a contact yet: six months from 03-01.
    assert await close_lapsed(employment, date(2026, 8, 31)) == 0
    assert await close_lapsed(employment, date(2026, 9, 1)) == 1
    assert await status_of(employment, reg) == ("closed", "2026-09-01", "no_contact")


def test_the_policy_months_are_read_from_the_policy_file() -> None:
    assert reg_service.POLICY.at(date(2026, 1, 1)).no_contact_months == 6


async def test_judged_a_day_after_the_deadline_it_closes_back_dated_to_the_deadline(
    employment: InProcessService,
) -> None:
    await closure_job_done(employment)
    person = factories.id_number()
    reg = await unemploy(employment, person, "2026-01-10")
    r = await employment.client.post("/v1/service-records", json={
        "id_number": person, "kind": "career_guidance", "service_date": "2026-02-28", "staff": "张老师"})
    assert r.status_code == 201, r.text
    # Six months after 02-28 is 08-28; judged first on 08-29 (one day more) it closes as of 08-28.
    assert await close_lapsed(employment, date(2026, 8, 29)) == 1
    assert await status_of(employment, reg) == ("closed", "2026-08-28", "no_contact")
