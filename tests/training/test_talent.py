"""人才服务: professional titles, talent recognition tiers at their edges, and talent benefits with the facts
they depend on (employment and paid months learnt from events) and their stop months."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

from hrss_shared.events import CloudEvent
from hrss_shared.validators import make_id_number
from tests import factories
from tests.support import InProcessService
from tests.training.helpers import TYPE, assert_problem, events_since, new_certificate, outbox
from training import consumers


def title_body(person: str, level: str = "associate_senior", **over: Any) -> dict[str, Any]:
    return {"id_number": person, "name": "陈工", "county_code": "330802", "series": "engineering",
            "specialty": "电气工程", "level": level, "certificate_number": f"ZC{uuid.uuid4().hex[:10]}",
            "issuing_body": "浙江省工程技术人员职称评审委员会", "issued_date": "2024-12-01", **over}


_seq = itertools.count(100)


def born(year: int, month: int = 6, day: int = 15) -> str:
    """A new person born on that day."""
    return make_id_number("330802", date(year, month, day), next(_seq))


async def recognise(svc: InProcessService, person: str, **over: Any) -> Any:
    return await svc.client.post("/v1/talent-recognitions", json={
        "id_number": person, "name": "陈工", "county_code": "330802", **over})


async def deliver(svc: InProcessService, type_: str, source: str, data: dict[str, Any],
                  subject: str | None = None) -> None:
    handlers = consumers.handlers(lambda: svc.runtime.outbox)  # type: ignore[arg-type,return-value]
    event = CloudEvent(id=str(uuid.uuid4()), source=source, type=type_, time=datetime.now(UTC),
                       subject=subject or str(data["id_number"]), data=data)
    async with svc.runtime.maker() as session, session.begin():
        await handlers[type_](session, event)


async def employed(svc: InProcessService, person: str, start: str, registration_id: str | None = None,
                   county: str = "330802") -> str:
    rid = registration_id or str(uuid.uuid4())
    await deliver(svc, "hrss.employment.employment.registered.v1", "/hrss/employment", {
        "id": rid, "id_number": person, "name": "陈工", "credit_code": factories.credit_code(county),
        "employer_name": "衢州测试公司", "county_code": county, "start_date": start})
    return rid


async def terminated(svc: InProcessService, person: str, registration_id: str, end: str) -> None:
    await deliver(svc, "hrss.employment.employment.terminated.v1", "/hrss/employment", {
        "id": registration_id, "id_number": person, "credit_code": factories.credit_code("330802"), "end_date": end,
        "reason": "合同到期"})


async def paid_in_bulk(svc: InProcessService, person: str, *months: str) -> None:
    """The months paid as employers' bulk postings (contributions.posted: one event per employer and month, naming
    several persons), the way most contributions reach the training service."""
    credit_code = factories.credit_code("330802")
    for month in months:
        items = [{"id": str(uuid.uuid4()), "id_number": someone, "county_code": "330802", "enrolment_id": "e1",
                  "employer_amount": "800.00", "personal_amount": "320.00", "paid_date": f"{month}-15"}
                 for someone in (factories.id_number(), person, factories.id_number())]
        await deliver(svc, "hrss.social-insurance.contributions.posted.v1", "/hrss/social-insurance", {
            "credit_code": credit_code, "insurance_type": "employee_pension", "month": month, "items": items},
            subject=credit_code)


async def paid(svc: InProcessService, person: str, *months: str) -> None:
    for month in months:
        await deliver(svc, "hrss.social-insurance.contribution.posted.v1", "/hrss/social-insurance", {
            "id": str(uuid.uuid4()), "id_number": person, "county_code": "330802", "insurance_type": "employee_pension",
            "credit_code": factories.credit_code("330802"), "enrolment_id": "e1", "month": month,
            "employer_amount": "800.00", "personal_amount": "320.00", "paid_date": f"{month}-15"})


# ---- professional titles ------------------------------------------------------------------------------


async def test_a_title_is_recorded_corrected_and_cancelled_with_its_events(training: InProcessService) -> None:
    person = factories.id_number()
    before = len(await outbox(training))
    r = await training.client.post("/v1/professional-titles", json=title_body(person))
    assert r.status_code == 201, r.text
    title = r.json()
    assert (title["level_name"], title["status"]) == ("副高级", "valid")
    dup = await training.client.post("/v1/professional-titles",
                                     json=title_body(person, certificate_number=title["certificate_number"]))
    assert_problem(dup, 409, "certificate_number")
    r = await training.client.post(f"/v1/professional-titles/{title['id']}/correct",
                                   json={"level": "senior", "reason": "级别录入错误"})
    assert r.status_code == 200 and r.json()["level"] == "senior"
    r = await training.client.post(f"/v1/professional-titles/{title['id']}/cancel", json={"reason": "虚假材料"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    types = [row["event_type"] for row in await events_since(training, before)]
    assert types == [TYPE("professional_title.granted"), TYPE("professional_title.corrected"),
                     TYPE("professional_title.cancelled")]
    assert_problem(await training.client.post("/v1/professional-titles", json=title_body(
        person, issued_date="2999-01-01")), 422, "issued_date")


# ---- talent recognition -------------------------------------------------------------------------------


async def test_tiers_are_placed_by_the_highest_criterion_met(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 6, 15))
    doctor = await recognise(training, born(1980), highest_degree="doctorate", degree_institution="浙江大学")
    assert (doctor.status_code, doctor.json()["tier"], doctor.json()["criterion"]) == (201, "E", "E1 博士研究生学历")
    assert doctor.json()["illustrative"] is True
    expert = await recognise(training, born(1980), awards=["national_technical_expert", "quzhou_craftsman"])
    assert (expert.json()["tier"], expert.json()["tier_name"]) == ("C", "省级领军人才")
    person = born(1975)
    await training.client.post("/v1/professional-titles", json=title_body(person, level="associate_senior"))
    titled = await recognise(training, person)
    assert (titled.json()["tier"], titled.json()["title_level"]) == ("D", "associate_senior")
    nothing = await recognise(training, born(1990), highest_degree="bachelor", degree_institution="衢州学院")
    assert_problem(nothing, 422, "awards")
    assert_problem(await recognise(training, born(1990), awards=["nobel"]), 422, "awards")


async def test_the_young_masters_criterion_holds_up_to_35_and_not_after(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 6, 15))
    thirty_five = await recognise(training, born(1990, 6, 16), highest_degree="master", degree_institution="浙江大学")
    assert (thirty_five.status_code, thirty_five.json()["age"], thirty_five.json()["tier"]) == (201, 35, "E")
    thirty_six = await recognise(training, born(1990, 6, 15), highest_degree="master", degree_institution="浙江大学")
    assert_problem(thirty_six, 422, "awards")  # 36 today: the young-talent criterion no longer holds


async def test_skill_levels_read_from_certificates_place_d_at_level_1_and_e_at_level_2(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 6, 15))
    one, two, three = born(1970), born(1971), born(1972)
    await new_certificate(training, one, level=1, issued_date="2025-01-01")
    await new_certificate(training, two, level=2, issued_date="2025-01-01")
    await new_certificate(training, three, level=3, issued_date="2025-01-01")
    assert (await recognise(training, one)).json()["tier"] == "D"
    assert (await recognise(training, two)).json()["tier"] == "E"
    assert_problem(await recognise(training, three), 422, "awards")


async def test_one_valid_recognition_at_a_time_and_a_higher_tier_supersedes(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 6, 15))
    person = born(1980)
    first = (await recognise(training, person, highest_degree="doctorate", degree_institution="浙江大学")).json()
    assert_problem(await recognise(training, person, highest_degree="doctorate", degree_institution="浙江大学"),
                   409, "id_number")  # pending
    before = len(await outbox(training))
    approved = (await training.client.post(f"/v1/talent-recognitions/{first['id']}/approve")).json()
    assert approved["recognition_number"] == "QZRC2026000001"
    assert (approved["valid_from"], approved["valid_until"], approved["valid"]) == ("2026-06-15", "2031-06-14", True)
    assert_problem(await recognise(training, person, highest_degree="doctorate", degree_institution="浙江大学"),
                   409, "id_number")  # same tier stands
    higher = (await recognise(training, person, awards=["zhejiang_craftsman"])).json()
    assert higher["tier"] == "D"
    r = await training.client.post(f"/v1/talent-recognitions/{higher['id']}/approve")
    assert r.status_code == 200 and r.json()["superseded_id"] == first["id"]
    old = (await training.client.get(f"/v1/talent-recognitions/{first['id']}")).json()
    assert (old["status"], old["valid"]) == ("superseded", False)
    types = [row["event_type"] for row in await events_since(training, before)]
    assert types == [TYPE("talent_recognition.approved"), TYPE("talent_recognition.applied"),
                     TYPE("talent_recognition.superseded"), TYPE("talent_recognition.approved")]
    r = await training.client.post(f"/v1/talent-recognitions/{higher['id']}/refuse", json={"reason": "x"})
    assert_problem(r, 409, "status")
    r = await training.client.post(f"/v1/talent-recognitions/{higher['id']}/correct",
                                   json={"name": "陈工程", "reason": "姓名录入错误"})
    assert (r.status_code, r.json()["name"], r.json()["tier"]) == (200, "陈工程", "D")
    assert_problem(await training.client.post(f"/v1/talent-recognitions/{higher['id']}/correct",
                                              json={"name": "陈工程", "reason": "x"}), 409, "reason")
    r = await training.client.post(f"/v1/talent-recognitions/{higher['id']}/revoke", json={"reason": "材料不实"})
    assert r.json()["status"] == "revoked"


# ---- talent benefits ----------------------------------------------------------------------------------


async def graduate(svc: InProcessService, person: str, **over: Any) -> Any:
    return await svc.client.post("/v1/talent-benefits", json={
        "id_number": person, "name": "陈工", "kind": "graduate_living_allowance", "degree": "master",
        "graduation_date": "2025-06-30", **over})


async def test_a_graduate_allowance_needs_quzhou_employment_and_paid_months(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    person = born(1999)
    assert_problem(await graduate(training, person), 409, "id_number")  # no employment known
    await employed(training, person, "2025-09-01")
    await paid(training, person, "2025-12", "2026-01")
    body = assert_problem(await graduate(training, person), 409, "id_number")
    assert (body["paid_months"], body["required_months"]) == (2, 3)
    await paid(training, person, "2026-02")
    r = await graduate(training, person)
    assert r.status_code == 201, r.text
    benefit = r.json()
    assert (benefit["amount_per_period"], benefit["periods"], benefit["first_period"], benefit["last_period"],
            benefit["illustrative"]) == ("2000.00", 36, "2026-03", "2029-02", True)
    again = await graduate(training, person, degree="doctorate")
    assert_problem(again, 409, "kind")
    assert again.json()["existing_id"] == benefit["id"]


async def test_an_employment_that_ended_does_not_count(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    person = born(1999)
    registration = await employed(training, person, "2025-09-01")
    await paid(training, person, "2025-12", "2026-01", "2026-02")
    await terminated(training, person, registration, "2026-03-09")  # the day before the application
    assert_problem(await graduate(training, person), 409, "id_number")
    await employed(training, person, "2026-03-10")  # a new job from today
    assert (await graduate(training, person)).status_code == 201


async def test_graduation_within_the_policy_years(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    on_edge, past = born(1995), born(1996)
    for person in (on_edge, past):
        await employed(training, person, "2025-09-01")
        await paid(training, person, "2025-12", "2026-01", "2026-02")
    assert (await graduate(training, on_edge, graduation_date="2021-03-10")).status_code == 201
    assert_problem(await graduate(training, past, graduation_date="2021-03-09"), 409, "graduation_date")


async def benefit_for(svc: InProcessService, move_today: Any) -> tuple[str, str, dict[str, Any]]:
    move_today(date(2026, 3, 10))
    person = born(1999)
    registration = await employed(svc, person, "2025-09-01")
    await paid(svc, person, "2025-12", "2026-01", "2026-02", "2026-03")
    r = await graduate(svc, person)
    assert r.status_code == 201, r.text
    return person, registration, r.json()


async def pay(svc: InProcessService, benefit_id: str, period: str, paid_date: str = "2026-03-10") -> Any:
    return await svc.client.post(f"/v1/talent-benefits/{benefit_id}/payments",
                                 json={"period": period, "paid_date": paid_date})


async def test_payments_stop_from_the_month_employment_ends_and_a_late_one_is_published(
    training: InProcessService, move_today: Any
) -> None:
    person, registration, benefit = await benefit_for(training, move_today)
    assert (await pay(training, benefit["id"], "2026-03")).json()["after_stop"] is False
    assert_problem(await pay(training, benefit["id"], "2026-03"), 409, "period")
    assert_problem(await pay(training, benefit["id"], "2026-02"), 422, "period")
    move_today(date(2026, 5, 20))
    assert (await pay(training, benefit["id"], "2026-05", "2026-05-20")).json()["after_stop"] is False
    before = len(await outbox(training))
    await terminated(training, person, registration, "2026-05-31")
    await terminated(training, person, registration, "2026-05-31")  # redelivered: nothing more
    [stopped] = await events_since(training, before)
    assert stopped["event_type"] == TYPE("talent_benefit.stopped")
    data = stopped["event"]["data"]
    assert (data["stop_period"], data["reason"], data["overpaid_periods"]) == ("2026-05", "employment_ended",
                                                                               ["2026-05"])
    move_today(date(2026, 6, 20))
    late = await pay(training, benefit["id"], "2026-04", "2026-06-20")
    assert late.json()["after_stop"] is False  # April is before the stop month
    late = await pay(training, benefit["id"], "2026-06", "2026-06-20")
    assert late.json()["after_stop"] is True
    rows = [r for r in await events_since(training, before) if r["event_type"] == TYPE("talent_benefit.paid")]
    assert [(r["event"]["data"]["period"], r["event"]["data"]["after_stop"]) for r in rows] == [
        ("2026-04", False), ("2026-06", True)]


async def test_a_next_day_quzhou_job_continues_the_benefit(training: InProcessService, move_today: Any) -> None:
    person, registration, benefit = await benefit_for(training, move_today)
    await employed(training, person, "2026-06-01")
    await terminated(training, person, registration, "2026-05-31")
    got = (await training.client.get(f"/v1/talent-benefits/{benefit['id']}")).json()
    assert (got["status"], got["stop_period"]) == ("active", None)


async def test_contributions_lapsing_past_the_policy_months_stop_the_benefit(
    training: InProcessService, move_today: Any
) -> None:
    person, _, benefit = await benefit_for(training, move_today)  # last paid month 2026-03, lapse_months 3
    move_today(date(2026, 7, 31))  # April, May and June unpaid: 3 months, tolerated
    assert (await pay(training, benefit["id"], "2026-07", "2026-07-31")).json()["after_stop"] is False
    move_today(date(2026, 8, 1))  # July unpaid too: 4 months, so it stops from July
    r = await pay(training, benefit["id"], "2026-08", "2026-08-01")
    assert r.json()["after_stop"] is True
    got = (await training.client.get(f"/v1/talent-benefits/{benefit['id']}")).json()
    assert (got["status"], got["stop_period"], got["stop_reason"]) == ("stopped", "2026-07", "contributions_lapsed")
    assert [p["period"] for p in got["payments"]] == ["2026-07", "2026-08"]


async def test_a_tier_benefit_reads_the_valid_recognition(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    person = born(1990)
    await employed(training, person, "2025-09-01")
    await paid(training, person, "2025-12", "2026-01", "2026-02")
    rental = {"id_number": person, "name": "陈工", "kind": "rental_subsidy"}
    assert_problem(await training.client.post("/v1/talent-benefits", json=rental), 409, "id_number")
    rec = (await recognise(training, person, highest_degree="doctorate", degree_institution="浙江大学")).json()
    await training.client.post(f"/v1/talent-recognitions/{rec['id']}/approve")
    r = await training.client.post("/v1/talent-benefits", json=rental)
    assert r.status_code == 201, r.text
    assert (r.json()["tier"], r.json()["amount_per_period"], r.json()["recognition_id"]) == ("E", "1000.00", rec["id"])


async def test_statistics_count_talent_by_tier_and_the_skill_and_title_holders(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    a, b, c = born(1980), born(1981), born(1999)
    for person, level in ((a, 3), (b, 4)):
        await new_certificate(training, person, level=level, issued_date="2025-05-01")
    await new_certificate(training, c, level=5, issued_date="2026-01-05")
    await training.client.post("/v1/professional-titles", json=title_body(a, level="associate_senior"))
    rec = (await recognise(training, a)).json()  # 副高级: D
    await training.client.post(f"/v1/talent-recognitions/{rec['id']}/approve")
    await employed(training, c, "2025-09-01")
    await paid(training, c, "2025-12", "2026-01", "2026-02")
    benefit = (await graduate(training, c)).json()
    await pay(training, benefit["id"], "2026-03")
    stats = (await training.client.get("/v1/statistics", params={"year": 2026})).json()["city"]["talent"]
    tiers = {t["tier"]: (t["new"], t["valid_at_year_end"]) for t in stats["recognised_by_tier"]}
    assert tiers["D"] == (1, 1) and tiers["E"] == (0, 0)
    assert (stats["new_graduates_attracted"], stats["benefits_paid"], stats["benefit_persons_paid"]) == (
        1, {"count": 1, "amount": "2000.00"}, 1)
    assert (stats["skill_talent"], stats["high_skill_talent"], stats["professional_technical_talent"]) == (3, 1, 1)
    earlier = (await training.client.get("/v1/statistics", params={"year": 2025})).json()["city"]["talent"]
    assert (earlier["skill_talent"], earlier["high_skill_talent"], earlier["new_graduates_attracted"]) == (2, 1, 0)
