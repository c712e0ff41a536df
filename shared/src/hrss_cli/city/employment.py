"""The city's rows for the employment service's bulk paths (``/v1/bulk/…``): plain dicts, no service import.

- every employer (用人单位登记);
- 求职登记: every unemployed person (on the day of the unemployment), a third of the self-employed (when they
  started) and one employee in ten (a month before the job started) — the people a job centre has seen;
- 就业登记: every employee with the employer the city gives them, from ``person.since``;
- 失业登记: every unemployed person, from ``person.since`` (not before 16: the working-age rule).

Which person gets what follows from the person alone (their index and status), so the rows are the same for any
chunk size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from hrss_cli.city import Batch, City, Person, Status, batches
from hrss_shared.reference.retirement import add_months

SERVICE = "employment"
SEPARATION_REASONS = ["contract_expired", "employer_terminated", "mutual_by_employer", "voluntary_resignation",
                      "employer_closed", "contract_expired", "dismissed"]


def employer_batches(city: City) -> Iterator[Batch]:
    """Every employer of the city, once."""
    rows = [{"credit_code": e.credit_code, "name": e.name, "county_code": e.county_code, "industry": e.industry,
             "size": e.size, "is_construction": e.is_construction} for e in city.employers]
    yield from batches(SERVICE, "/v1/bulk/employers", rows)


def _sixteenth(birth: date) -> date:
    return add_months(birth, 12 * 16)


def job_seeker_date(person: Person) -> date | None:
    """The day the person registered as a job seeker, or None for people who never did."""
    if person.since is None:
        return None
    if person.status == Status.unemployed:
        return max(person.since, _sixteenth(person.birth))
    if person.status == Status.flexible and person.index % 3 == 0:
        return person.since
    if person.status == Status.employee and person.index % 10 == 0:
        return person.since - timedelta(days=30)
    return None


def person_batches(city: City, chunk: list[Person]) -> Iterator[Batch]:
    """Job seekers, employment registrations and unemployment registrations of ``chunk``, in that order."""
    seekers, employed, unemployed = [], [], []
    for p in chunk:
        registered = job_seeker_date(p)
        if registered is not None:
            seekers.append({"id_number": p.id_number, "name": p.name, "phone": p.phone, "county_code": p.county_code,
                            "education": p.education, "registered_date": registered.isoformat(),
                            "occupation_wishes": [p.occupation] if p.occupation else []})
        if p.status == Status.employee and p.employer is not None and p.since is not None:
            employed.append({"id_number": p.id_number, "name": p.name,
                             "credit_code": city.employers[p.employer].credit_code,
                             "start_date": p.since.isoformat(), "occupation": p.occupation})
        elif p.status == Status.unemployed and p.since is not None:
            unemployed.append({"id_number": p.id_number, "name": p.name, "county_code": p.county_code,
                               "registered_date": max(p.since, _sixteenth(p.birth)).isoformat(),
                               "separation_reason": SEPARATION_REASONS[p.index % len(SEPARATION_REASONS)]})
    yield from batches(SERVICE, "/v1/bulk/job-seekers", seekers)
    yield from batches(SERVICE, "/v1/bulk/employment-registrations", employed)
    yield from batches(SERVICE, "/v1/bulk/unemployment-registrations", unemployed)
