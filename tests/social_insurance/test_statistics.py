"""社保统计: insured persons at year end per type and county at the edges of 31 December, cards issued and held,
benefits paid, arrears employers and coverage gaps, the city total and the plan's targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from social_insurance.arrears import service as arrears
from social_insurance.onestop import service as onestop
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import assert_problem, employment_registered, enrol, register_employment
from tests.social_insurance.test_benefits import decide, registration, seed_months, young
from tests.support import InProcessService, bearer, token


async def stats(si: InProcessService, year: int, **params: Any) -> dict[str, Any]:
    r = await si.client.get("/v1/statistics", params={"year": year, **params})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def area(body: dict[str, Any], code: str) -> dict[str, Any]:
    if code == "330800":
        city: dict[str, Any] = body["city"]
        return city
    found: dict[str, Any] = next(c for c in body["counties"] if c["county_code"] == code)
    return found


async def test_insured_at_year_end_at_the_edges_of_31_december(si: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))
    ended_on_31st = await enrol(si, "unemployment", start_date="2025-01-01")
    await si.client.post(f"/v1/enrolments/{ended_on_31st['id']}/end", json={"end_date": "2025-12-31", "reason": "x"})
    ended_on_30th = await enrol(si, "unemployment", start_date="2025-01-01")
    await si.client.post(f"/v1/enrolments/{ended_on_30th['id']}/end", json={"end_date": "2025-12-30", "reason": "x"})
    await enrol(si, "unemployment", start_date="2026-01-01")  # starts after the year
    suspended = await enrol(si, "work_injury", start_date="2025-12-31", county_code="330881")
    await si.client.post(f"/v1/enrolments/{suspended['id']}/suspend", json={"suspended_date": "2025-12-31",
                                                                          "reason": "x"})
    cancelled = await enrol(si, "work_injury", start_date="2025-06-01")
    await si.client.post(f"/v1/enrolments/{cancelled['id']}/cancel", json={"reason": "误登记"})
    both = factories.id_number()
    await enrol(si, "employee_pension", id_number=both, start_date="2025-01-01")
    await enrol(si, "unemployment", id_number=both, start_date="2025-01-01", county_code="330881")
    await enrol(si, "resident_pension", start_date="2025-03-01")
    await register_employment(si, employment_registered(start_date="2025-12-01"))  # pending: not insured
    body = await stats(si, 2025)
    assert area(body, "330802")["insured"] == {"employee_pension": 1, "resident_pension": 1, "pension": 2,
                                                "unemployment": 1, "work_injury": 0}
    assert area(body, "330881")["insured"] == {"employee_pension": 0, "resident_pension": 0, "pension": 0,
                                                "unemployment": 1, "work_injury": 1}
    assert area(body, "330800")["insured"]["unemployment"] == 2
    assert area(body, "330800")["county_name"] == "衢州市"
    assert [c["county_code"] for c in body["counties"]] == ["330802", "330803", "330822", "330824", "330825",
                                                            "330881"]
    assert body["targets"] == {"target_year": 2025, "pension_insured": 2040000, "unemployment_insured": 390000,
                               "work_injury_insured": 620000, "cards": 2680000,
                               "source": body["targets"]["source"]}
    assert "衢市人社发〔2021〕89号" in body["targets"]["source"]
    assert (await stats(si, 2024))["city"]["insured"]["unemployment"] == 0


async def test_cards_benefits_arrears_and_gaps(si: InProcessService, move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))
    person = young()
    for issued in ("2025-12-31", "2026-01-01"):
        r = await si.client.post("/v1/cards", json={"id_number": factories.id_number(), "name": "王小明",
                                                    "county_code": "330802", "issued_date": issued})
        assert r.status_code == 201
    r = await si.client.post("/v1/cards", json={"id_number": person, "name": "王小明", "county_code": "330802",
                                                "issued_date": "2026-02-01"})
    await si.client.post(f"/v1/cards/{r.json()['card_number']}/replace", json={"reason": "损坏换卡"})
    await seed_months(si, person, 12)
    b = await decide(si, registration(person))
    await si.client.post(f"/v1/unemployment-benefits/{b['id']}/payments", json={"month": "2026-03"})
    await register_employment(si, employment_registered(person, start_date="2026-03-09"))  # stops; gap later
    await si.client.post(f"/v1/unemployment-benefits/{b['id']}/payments", json={"month": "2026-04"})
    move_today(date(2026, 5, 2))
    employer = factories.credit_code()
    await enrol(si, "unemployment", credit_code=employer, start_date="2026-03-01")
    assert si.runtime.outbox is not None
    async with si.runtime.maker() as session, session.begin():
        await arrears.check_all(session=session, outbox=si.runtime.outbox, today=date(2026, 5, 2))
        await onestop.detect_gaps(session=session, outbox=si.runtime.outbox, today=date(2026, 5, 2))
    body = await stats(si, 2026)
    city = area(body, "330800")
    assert (city["cards_issued"], city["cards_valid"]) == (3, 3)  # the replaced card left; its replacement came
    assert (city["benefit_persons"], city["benefit_amount"], city["benefit_payments_after_stop"]) == (
        1, "3726.00", 1)
    assert (city["arrears_employers"], city["arrears_employers_open"]) == (1, 1)
    assert (city["coverage_gaps"], city["coverage_gap_persons"]) == (3, 1)
    assert (await stats(si, 2025))["city"]["cards_valid"] == 1


async def test_a_county_sees_its_own_figures_only(si: InProcessService) -> None:
    body = await stats(si, 2025, county_code="330881")
    assert ([c["county_code"] for c in body["counties"]], body["city"]) == (["330881"], None)
    county = bearer(token("social-insurance:read", county="330803"))
    r = await si.client.get("/v1/statistics", params={"year": 2025}, headers=county)
    assert [c["county_code"] for c in r.json()["counties"]] == ["330803"]
    r = await si.client.get("/v1/statistics", params={"year": 2025, "county_code": "330881"}, headers=county)
    assert r.status_code == 403
    assert_problem(await si.client.get("/v1/statistics", params={"year": 1989}), 422, "year")
    assert_problem(await si.client.get("/v1/statistics"), 422, "year")
