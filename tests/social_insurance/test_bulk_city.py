"""The city's social-insurance rows (hrss_cli.city.social_insurance) load through the service's bulk paths: every
row accepted, a card per person, the employees' and flexible workers' 2025 months; a second load writes nothing."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hrss_cli.city import City, Status
from hrss_cli.city import social_insurance as city_si
from tests.support import InProcessService


async def load(si: InProcessService, city: City, chunk: int) -> Counter[str]:
    written: Counter[str] = Counter()
    assert list(city_si.employer_batches(city)) == []
    for people in city.people(chunk):
        for batch in city_si.person_batches(city, people):
            assert batch.service == "social-insurance" and len(batch.rows) <= city_si.BATCH_ROWS
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
    months = sum(len(city_si.months_of_year(p.since)) for p in [*employees, *flexible] if p.since)
    employee_months = sum(len(city_si.months_of_year(p.since)) for p in employees if p.since)
    assert written["contributions"] == months + employee_months
    flexible_months = months - employee_months
    # One event per employer, month and type (per request) instead of one per employee's month; one per flexible
    # worker's month, as from the API.
    employer_events = written["contributions-events"] - flexible_months
    assert 0 < employer_events < 2 * employee_months / 3

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


def test_rows_do_not_depend_on_the_chunk_size() -> None:
    city = City(persons=120, seed=3)
    one = [b.rows for chunk in city.people(120) for b in city_si.person_batches(city, chunk)]
    many = [b.rows for chunk in city.people(7) for b in city_si.person_batches(city, chunk)]
    flat = sorted(str(r) for rows in one for r in rows)
    assert flat == sorted(str(r) for rows in many for r in rows)
    wages = [city_si.declared_wage(city, p) for chunk in city.people(120) for p in chunk
             if p.status == Status.employee]
    assert len(set(wages)) > len(wages) // 2  # a spread, not one figure
