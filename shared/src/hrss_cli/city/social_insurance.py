"""The city's rows for the social-insurance service's bulk paths (``/v1/bulk/…``): plain dicts, no service import.

- 社会保障卡: a card for every person, children too (issued from 2021, the third-generation card with the 一卡通
  scenarios, or soon after birth);
- 参保登记: every employee in 企业职工基本养老 and 失业 under their employer from ``person.since``; every 灵活就业人员
  in 企业职工基本养老 as an individual (``flexible``) from ``person.since``; every inactive adult and retired person
  in 城乡居民基本养老 from their sixteenth birthday (not before 2014, when the resident pension was unified);
- 缴费: the months of the city's year (2025, ``AS_OF``) covered by the employees' and flexible workers' enrolments,
  with a declared monthly wage drawn once per person (log-normal around a median of 6,000 元 — Quzhou's urban wages;
  the service clamps it to the year's floor and ceiling), paid on the 15th of the following month.

The employer needs nothing from this module (each row carries the employer's credit code), so ``employer_batches``
yields nothing. Which person gets what follows from the person alone (index, status, dates, the city's seed), so the
rows are the same for any chunk size.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hrss_cli.city import AS_OF, Batch, City, Person, Status

SERVICE = "social-insurance"
BATCH_ROWS = 10_000  # rows per request (the service takes at most 20,000)
CARDS_FROM = date(2021, 1, 1)  # 第三代社会保障卡 with the 一卡通 scenarios (policy/card_services.toml)
RESIDENT_PENSION_FROM = date(2014, 1, 1)  # 城乡居民基本养老保险 unified (国发〔2014〕8号)
MEDIAN_WAGE = 6000.0  # 元/月: a median declared wage (log-normal spread below)
WAGE_SIGMA = 0.45
EMPLOYEE_TYPES = ("employee_pension", "unemployment")


def _batches(path: str, rows: list[dict[str, Any]]) -> Iterator[Batch]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield Batch(SERVICE, path, rows[start:start + BATCH_ROWS])


def employer_batches(city: City) -> Iterator[Batch]:
    """Nothing: social insurance learns its employers from the rows that name them."""
    yield from ()


def _birthday(birth: date, years: int) -> date:
    return date(birth.year + years, birth.month, min(birth.day, 28) if birth.month == 2 else birth.day)


def card_date(person: Person) -> date:
    """The day the person's card was issued: within a year of 2021-01-01 (or of their birth, when later)."""
    start = max(CARDS_FROM, person.birth + timedelta(days=30))
    return min(AS_OF, start + timedelta(days=person.index % 365))


def declared_wage(city: City, person: Person) -> Decimal:
    """The person's declared monthly wage for the year, deterministic for the city's seed and the person."""
    rng = random.Random(f"si-wage-{city.seed}-{person.index}")
    if person.status == Status.flexible and rng.random() < 0.6:
        return Decimal("4000.00")  # most 灵活就业人员 pay on the floor (the service raises it to the floor)
    wage = MEDIAN_WAGE * rng.lognormvariate(0.0, WAGE_SIGMA)
    return Decimal(f"{wage:.2f}")


def months_of_year(since: date, year: int = AS_OF.year) -> list[str]:
    """The months of ``year`` from ``since`` on (the enrolment's first month counts)."""
    first = 1 if since.year < year else since.month
    if since.year > year:
        return []
    return [f"{year:04d}-{m:02d}" for m in range(first, 13)]


def _paid(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return date(year, mon, 15).isoformat()


def person_batches(city: City, chunk: list[Person]) -> Iterator[Batch]:
    """Cards, enrolments and contributions of ``chunk``, in that order (contributions need the enrolments)."""
    cards: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    contributions: list[dict[str, Any]] = []
    for p in chunk:
        cards.append({"id_number": p.id_number, "name": p.name, "county_code": p.county_code,
                      "issued_date": card_date(p).isoformat()})
        person = {"id_number": p.id_number, "name": p.name, "county_code": p.county_code}
        if p.status == Status.employee and p.employer is not None and p.since is not None:
            credit_code = city.employers[p.employer].credit_code
            wage = str(declared_wage(city, p))
            for kind in EMPLOYEE_TYPES:
                enrolments.append({**person, "insurance_type": kind, "credit_code": credit_code,
                                   "start_date": p.since.isoformat()})
                contributions.extend({"id_number": p.id_number, "insurance_type": kind, "month": m,
                                      "credit_code": credit_code, "declared_base": wage, "paid_date": _paid(m)}
                                     for m in months_of_year(p.since))
        elif p.status == Status.flexible and p.since is not None:
            wage = str(declared_wage(city, p))
            enrolments.append({**person, "insurance_type": "employee_pension", "flexible": True,
                               "start_date": p.since.isoformat()})
            contributions.extend({"id_number": p.id_number, "insurance_type": "employee_pension", "month": m,
                                  "declared_base": wage, "paid_date": _paid(m)} for m in months_of_year(p.since))
        elif p.status in (Status.inactive, Status.retired) and p.age() >= 16:
            start = max(_birthday(p.birth, 16), RESIDENT_PENSION_FROM)
            enrolments.append({**person, "insurance_type": "resident_pension", "start_date": start.isoformat()})
    yield from _batches("/v1/bulk/cards", cards)
    yield from _batches("/v1/bulk/enrolments", enrolments)
    # An employer's month in one request as far as possible (one contributions.posted event names its persons).
    contributions.sort(key=lambda r: (r.get("credit_code") or "", r["insurance_type"], r["month"], r["id_number"]))
    yield from _batches("/v1/bulk/contributions", contributions)
