"""The city's social-insurance rows (hrss_cli.city.social_insurance) load through the service's bulk paths: every
row accepted, a card per person, the employees' and flexible workers' 2025 months; a second load writes nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import httpx

from hrss_cli.city import AS_OF, BATCH_ROWS, City, Status
from hrss_cli.city import social_insurance as city_si
from hrss_cli.city.load import load_city
from tests.support import DEV_TOKEN, InProcessService


async def load(si: InProcessService, city: City, chunk: int) -> Counter[str]:
    written: Counter[str] = Counter()
    assert list(city_si.employer_batches(city)) == []
    batches = [b for people in city.people(chunk) for b in city_si.person_batches(city, people)]
    for batch in [*batches, *city_si.final_batches(city)]:
        assert batch.service == "social-insurance"
        assert len(batch.rows) <= (city_si.CONTRIBUTION_ROWS if batch.path.endswith("contributions")
                                   else BATCH_ROWS)
        r = await si.client.post(batch.path, json={"rows": batch.rows})
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["refused"] == [], report["refused"][:3]
        written[report["kind"]] += report["written"]
        written["events"] += report["events"]
        written[f"{report['kind']}-events"] += report["events"]
    return written


async def test_the_city_loads_once_with_no_refusal(si: InProcessService) -> None:
    city = City(persons=400, seed=7)
    people = [p for chunk in city.people(400) for p in chunk]
    written = await load(si, city, 150)
    employees = [p for p in people if p.status == Status.employee]
    flexible = [p for p in people if p.status == Status.flexible]
    residents = [p for p in people if p.status in (Status.inactive, Status.retired) and p.age() >= 16]
    assert employees and flexible and residents
    assert written["cards"] == len(people)
    assert written["enrolments"] == 2 * len(employees) + len(flexible) + len(residents)
    months = sum(len(months_of_year(p.since)) for p in [*employees, *flexible] if p.since)
    employee_months = sum(len(months_of_year(p.since)) for p in employees if p.since)
    assert written["contributions"] == months + employee_months
    flexible_months = months - employee_months
    # One event per employer, month and type (per request) instead of one per employee's month; one per flexible
    # worker's month, as from the API.
    employer_events = written["contributions-events"] - flexible_months
    assert 0 < employer_events < 2 * employee_months / 3
    # Grouped by employer across the whole city (not per chunk of people): one event per employer, month and type.
    groups = {(city.employers[p.employer].credit_code, m) for p in employees if p.since and p.employer is not None
              for m in months_of_year(p.since)}
    assert employer_events == 2 * len(groups)

    # A person's record as the API shows it: the year's months paid, the base clamped from the declared wage.
    person = employees[0]
    r = await si.client.get("/v1/contributions", params={"id_number": person.id_number, "month_from": "2025-12",
                                                         "insurance_type": "employee_pension"})
    december = r.json()["data"][0]
    wage = city_si.declared_wage(city, person)
    assert Decimal(december["declared_base"]) == wage
    assert Decimal(december["base"]) == min(max(wage, Decimal("4812.00")), Decimal("26802.00"))
    assert december["paid_date"] == "2026-01-15"

    again = await load(si, city, 400)  # another chunk size: the same rows, all there already
    assert +again == Counter()  # nothing written, no event


def months_of_year(since: date, year: int = AS_OF.year) -> list[str]:
    """The months of ``year`` from ``since`` on (the enrolment's first month counts): the test's own count."""
    if since.year > year:
        return []
    first = 1 if since.year < year else since.month
    return [f"{year:04d}-{m:02d}" for m in range(first, 13)]


def test_rows_do_not_depend_on_the_chunk_size() -> None:
    city = City(persons=120, seed=3)
    one = [b.rows for chunk in city.people(120) for b in city_si.person_batches(city, chunk)]
    many = [b.rows for chunk in city.people(7) for b in city_si.person_batches(city, chunk)]
    flat = sorted(str(r) for rows in one for r in rows)
    assert flat == sorted(str(r) for rows in many for r in rows)
    contributions = [r for b in city_si.final_batches(city) for r in b.rows]
    assert contributions == [r for b in city_si.final_batches(City(persons=120, seed=3)) for r in b.rows]
    keys = [(r.get("credit_code") is None, r.get("credit_code") or "", r["insurance_type"], r["month"],
             r["id_number"]) for r in contributions]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    employees = [p for chunk in city.people(120) for p in chunk if p.status == Status.employee and p.since]
    flexible = [p for chunk in city.people(120) for p in chunk if p.status == Status.flexible and p.since]
    assert len(contributions) == sum(2 * len(months_of_year(p.since)) for p in employees if p.since) + sum(
        len(months_of_year(p.since)) for p in flexible if p.since)
    wages = [city_si.declared_wage(city, p) for chunk in city.people(120) for p in chunk
             if p.status == Status.employee]
    assert len(set(wages)) > len(wages) // 2  # a spread, not one figure


async def test_the_loader_sends_the_contributions_after_all_people(si: InProcessService) -> None:
    city = City(persons=300, seed=11)
    transport = httpx.ASGITransport(app=si.app)
    totals = await load_city(city, {"social-insurance": "http://si"}, DEV_TOKEN, chunk_size=70, progress=False,
                             modules={"social-insurance": city_si}, transport=transport)
    kinds = totals["social-insurance"].as_dict()
    expected = sum(len(b.rows) for b in city_si.final_batches(city))
    assert kinds["contributions"]["written"] == kinds["contributions"]["received"] == expected > 0
    assert totals["social-insurance"].refusals == []
    assert kinds["cards"]["written"] == city.persons
