"""The city's rows for the social-insurance service's bulk paths (``/v1/bulk/…``): plain dicts, no service import.

- 社会保障卡: a card for every person, children too (issued from 2021, the third-generation card with the 一卡通
  scenarios, or soon after birth);
- 参保登记: every employee in 企业职工基本养老 and 失业 under their employer from ``person.since``; every 灵活就业人员
  in 企业职工基本养老 as an individual (``flexible``) from ``person.since``; every inactive adult and retired person
  in 城乡居民基本养老 from their sixteenth birthday (not before 2014, when the resident pension was unified);
- 缴费 (:func:`final_batches`, after all people, grouped by employer across the city): the months of the city's year
  (2025, ``AS_OF``) covered by the employees' and flexible workers' enrolments, with a declared monthly wage drawn
  once per person (log-normal around a median of 6,000 元 — Quzhou's urban wages; the service clamps it to the
  year's floor and ceiling), paid on the 15th of the following month.

The employer needs nothing from this module (each row carries the employer's credit code), so ``employer_batches``
yields nothing. Which person gets what follows from the person alone (index, status, dates, the city's seed), so the
rows are the same for any chunk size.
"""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hrss_cli.city import AS_OF, Batch, City, Person, Status, batches
from hrss_shared.bulk import MAX_ROWS
from hrss_shared.reference.retirement import add_months

SERVICE = "social-insurance"
CONTRIBUTION_ROWS = MAX_ROWS  # contributions per request (the bulk path's limit): whole employers where they fit
CARDS_FROM = date(2021, 1, 1)  # 第三代社会保障卡 with the 一卡通 scenarios (policy/card_services.toml)
RESIDENT_PENSION_FROM = date(2014, 1, 1)  # 城乡居民基本养老保险 unified (国发〔2014〕8号)
MEDIAN_WAGE = 6000.0  # 元/月: a median declared wage (log-normal spread below)
WAGE_SIGMA = 0.45
EMPLOYEE_TYPES = ("employee_pension", "unemployment")


def employer_batches(city: City) -> Iterator[Batch]:
    """Nothing: social insurance learns its employers from the rows that name them."""
    yield from ()


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


def _paid(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return date(year, mon, 15).isoformat()


def person_batches(city: City, chunk: list[Person]) -> Iterator[Batch]:
    """Cards and enrolments of ``chunk``, in that order (the contributions follow after all people:
    :func:`final_batches`)."""
    cards: list[dict[str, Any]] = []
    enrolments: list[dict[str, Any]] = []
    for p in chunk:
        cards.append({"id_number": p.id_number, "name": p.name, "county_code": p.county_code,
                      "issued_date": card_date(p).isoformat()})
        person = {"id_number": p.id_number, "name": p.name, "county_code": p.county_code}
        if p.status == Status.employee and p.employer is not None and p.since is not None:
            credit_code = city.employers[p.employer].credit_code
            for kind in EMPLOYEE_TYPES:
                enrolments.append({**person, "insurance_type": kind, "credit_code": credit_code,
                                   "start_date": p.since.isoformat()})
        elif p.status == Status.flexible and p.since is not None:
            enrolments.append({**person, "insurance_type": "employee_pension", "flexible": True,
                               "start_date": p.since.isoformat()})
        elif p.status in (Status.inactive, Status.retired) and p.age() >= 16:
            start = max(add_months(p.birth, 12 * 16), RESIDENT_PENSION_FROM)
            enrolments.append({**person, "insurance_type": "resident_pension", "start_date": start.isoformat()})
    yield from batches(SERVICE, "/v1/bulk/cards", cards)
    yield from batches(SERVICE, "/v1/bulk/enrolments", enrolments)


def _first_month(since: date, year: int = AS_OF.year) -> int:
    """The first month of ``year`` an enrolment from ``since`` pays (13: none)."""
    return 1 if since.year < year else (since.month if since.year == year else 13)


def final_batches(city: City) -> Iterator[Batch]:
    """The city's contributions of the year, after all people (their enrolments are in): grouped by employer
    across the whole city, so one ``contributions.posted`` event per employer, month and type names all its
    persons; then the flexible workers' own contributions.

    One more pass over :meth:`City.people` collects the contributors compactly (18 bytes of ID number, a month
    and a wage in fen each, about 40 bytes a person); the rows are built employer by employer while they are
    sent. Batches are cut at an employer's boundary where the employer fits in one (``CONTRIBUTION_ROWS``),
    sorted by employer (credit code), type, month and ID number; the same for any chunk size.
    """
    ids = bytearray()  # 18 ASCII bytes per contributor
    employer = array("l")  # employer index, -1 for a flexible worker
    first = array("b")  # first month of the year paid
    wage = array("q")  # declared wage in fen
    for chunk in city.people(10_000):
        for p in chunk:
            if p.since is None or _first_month(p.since) > 12:
                continue
            if p.status == Status.employee and p.employer is not None:
                employer.append(p.employer)
            elif p.status == Status.flexible:
                employer.append(-1)
            else:
                continue
            ids += p.id_number.encode()
            first.append(_first_month(p.since))
            wage.append(int(declared_wage(city, p) * 100))
    codes = [e.credit_code for e in city.employers]
    # contributors by employer (credit code), then ID number; flexible workers (no employer) last
    order = sorted(range(len(employer)), key=lambda i: (employer[i] < 0, codes[employer[i]] if employer[i] >= 0
                                                        else "", ids[18 * i:18 * i + 18]))
    year = AS_OF.year
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    paid = [_paid(m) for m in months]
    rows: list[dict[str, Any]] = []
    start = 0
    while start < len(order):
        who = employer[order[start]]
        end = start
        while end < len(order) and employer[order[end]] == who:
            end += 1
        group = [(ids[18 * i:18 * i + 18].decode(), first[i], _money(wage[i])) for i in order[start:end]]
        # an employer's staff: pension and unemployment under its credit code; flexible workers: their own pension
        kinds, employer_field = ((EMPLOYEE_TYPES, {"credit_code": codes[who]}) if who >= 0
                                 else (("employee_pension",), {}))
        group_rows = [{"id_number": id_number, "insurance_type": kind, "month": months[m - 1], **employer_field,
                       "declared_base": base, "paid_date": paid[m - 1]}
                      for kind in kinds for m in range(1, 13) for id_number, f, base in group if f <= m]
        if rows and len(rows) + len(group_rows) > CONTRIBUTION_ROWS:
            yield Batch(SERVICE, "/v1/bulk/contributions", rows)
            rows = []
        rows.extend(group_rows)
        while len(rows) >= CONTRIBUTION_ROWS:
            yield Batch(SERVICE, "/v1/bulk/contributions", rows[:CONTRIBUTION_ROWS])
            rows = rows[CONTRIBUTION_ROWS:]
        start = end
    if rows:
        yield Batch(SERVICE, "/v1/bulk/contributions", rows)


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"
