"""Set-based bulk writes of employers, job seekers and registrations (the synthetic city, large loads).

Each kind runs the rules of its single-record path over a staging table (:func:`hrss_shared.bulk.staged`): one
``INSERT … SELECT … WHERE NOT EXISTS (…) RETURNING`` moves the rows the rules accept, and the events of the
written rows go out through :meth:`hrss_shared.outbox.Outbox.add_many` in the same transaction. A row whose
natural key is already there is skipped (a load runs again and writes nothing new):

- employer: its credit code; job seeker: its ID number;
- employment registration: ID number, employer and start date; unemployment registration: ID number and date.

Refused (reported, not written), as the single-record path refuses them: a client limited to a county writing
another county's row; a person outside working age on the date; an employment registration with an employer
not registered or inactive, or while the person is actively registered with that employer; an unemployment
registration while an employment registration is active or another one is open, or on a day inside a past
employment; a row repeating, with other values, the key of an earlier row of the same request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import Column, Integer, and_, exists, insert, literal, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.employers.models import Employer, EmployerCreate, EmployerStatus
from employment.job_seekers.models import JobSeeker, JobSeekerCreate
from employment.registrations import service as registrations
from employment.registrations.models import (
    EmploymentRegistration,
    EmploymentRegistrationCreate,
    EmploymentStatus,
    UnemploymentRegistration,
    UnemploymentRegistrationCreate,
    UnemploymentStatus,
)
from employment.working_age import working_age_problem
from hrss_contracts.employment import (
    EMPLOYER_REGISTERED,
    EMPLOYMENT_REGISTERED,
    JOB_SEEKER_REGISTERED,
    UNEMPLOYMENT_REGISTERED,
    ClosureReason,
    EmployerRegistered,
    EmploymentRegistered,
    JobSeekerRegistered,
    UnemploymentRegistered,
)
from hrss_shared import bulk, clock
from hrss_shared.auth import Principal
from hrss_shared.bulk import BulkReport, Refusal
from hrss_shared.outbox import Outbox

# The events are built with ``model_construct`` from rows already validated: ``Outbox.add_many`` checks each one
# against its contract, so validating them here as well would only double the per-row cost.

EMPLOYERS = bulk.table_of(Employer)
SEEKERS = bulk.table_of(JobSeeker)
EMPLOYMENTS = bulk.table_of(EmploymentRegistration)
UNEMPLOYMENTS = bulk.table_of(UnemploymentRegistration)

REPEATED = "与本批第 {first} 行同一主体但内容不同 (repeats the key of row {first} of this request with other values)"
NO_EMPLOYER = "用人单位未登记或已注销 (employer not registered or inactive)"
ACTIVE_HERE = "该人员在此单位已有有效就业登记 {id} (already actively registered with this employer)"
ACTIVE_EMPLOYMENT = "该人员有有效就业登记 {id}，不能办理失业登记 (an active employment registration exists)"
OPEN_UNEMPLOYMENT = "该人员已有未注销的失业登记 {id} (an open unemployment registration exists)"
INSIDE_EMPLOYMENT = "失业登记日期在就业登记 {id} 的就业期间内 (the date falls inside a past employment)"


def _plain(value: Any) -> Any:
    """A value as the ORM stores it (enums as their string value)."""
    return value.value if isinstance(value, Enum) else value


class _Tally:
    """Rows of one request: which go on to the SQL rules, which are refused or skipped before."""

    def __init__(self, kind: str, received: int) -> None:
        self.kind = kind
        self.received = received
        self.refused: dict[int, str] = {}
        self.skipped = 0

    def refuse(self, row: int, reason: str) -> None:
        self.refused[row] = reason

    def report(self, written: int, events: int) -> BulkReport:
        return BulkReport(
            kind=self.kind, received=self.received, written=written, events=events,
            skipped=self.received - written - len(self.refused),
            refused=[Refusal(row=row, reason=reason) for row, reason in sorted(self.refused.items())],
        )


def _first_of_each(tally: _Tally, rows: Sequence[Any], key: Any, same: Any, candidates: Iterable[int]) -> list[int]:
    """The rows of ``candidates`` that are the first of their ``key`` in the request; a later row with the same
    key is skipped when ``same`` (it is the same fact again), refused otherwise."""
    first: dict[Any, int] = {}
    kept = []
    for i in candidates:
        k = key(rows[i])
        if k not in first:
            first[k] = i
            kept.append(i)
        elif not same(rows[first[k]], rows[i]):
            tally.refuse(i, REPEATED.format(first=first[k]))
    return kept


def _county_allowed(tally: _Tally, principal: Principal, rows: Sequence[Any]) -> list[int]:
    """Rows in the client's county (all rows for a city-wide client); the others are refused."""
    kept = []
    for i, row in enumerate(rows):
        if (reason := principal.county_problem(row.county_code)) is None:
            kept.append(i)
        else:
            tally.refuse(i, reason)
    return kept


def _of_working_age(tally: _Tally, rows: Sequence[Any], day: Any, candidates: Iterable[int]) -> list[int]:
    kept = []
    for i in candidates:
        row = rows[i]
        problem = working_age_problem(row.id_number, day(row), "id_number",
                                      female_original_age=row.female_original_age)
        if problem is None:
            kept.append(i)
        else:
            tally.refuse(i, problem.errors[0].reason if problem.errors else problem.detail)
    return kept


def _stage_columns(table: Any, names: Sequence[str]) -> list[Column[Any]]:
    return [Column("row", Integer), *(table.c[name] for name in names)]


# ---- 用人单位 ---------------------------------------------------------------------------------------------

EMPLOYER_COLUMNS = ("credit_code", "name", "county_code", "industry", "size", "is_construction", "status",
                    "created_at")


async def load_employers(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                         rows: Sequence[EmployerCreate]) -> BulkReport:
    """用人单位登记 in bulk: employer.registered once per employer written."""
    tally = _Tally("employers", len(rows))
    candidates = _first_of_each(tally, rows, lambda r: r.credit_code, lambda a, b: a == b,
                                _county_allowed(tally, principal, rows))
    now = clock.now()
    values = [(i, *(_plain(getattr(rows[i], c)) for c in EMPLOYER_COLUMNS[:6]), EmployerStatus.active.value, now)
              for i in candidates]
    async with bulk.staged(session, "employers", _stage_columns(EMPLOYERS, EMPLOYER_COLUMNS), values) as stage:
        fresh = select(*(stage.c[c] for c in EMPLOYER_COLUMNS)).where(
            ~exists().where(EMPLOYERS.c.credit_code == stage.c.credit_code))
        written = set((await session.execute(
            insert(EMPLOYERS).from_select(list(EMPLOYER_COLUMNS), fresh).returning(EMPLOYERS.c.credit_code)
        )).scalars().all())
    items = [EmployerRegistered.model_construct(**rows[i].model_dump(mode="json")) for i in candidates
             if rows[i].credit_code in written]
    events = await outbox.add_many(session, EMPLOYER_REGISTERED, items)
    return tally.report(len(written), events)


# ---- 求职登记 ---------------------------------------------------------------------------------------------

SEEKER_COLUMNS = ("id_number", "name", "phone", "county_code", "education", "graduation_year", "registered_date",
                  "occupation_wishes", "created_at")


def _seeker_values(row: JobSeekerCreate, today: date) -> dict[str, Any]:
    values = {name: _plain(value) for name, value in row.model_dump().items()}
    values["registered_date"] = row.registered_date or today
    return values


async def load_job_seekers(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                           rows: Sequence[JobSeekerCreate]) -> BulkReport:
    """求职登记 in bulk: job_seeker.registered once per job seeker written (one registration per person)."""
    tally = _Tally("job-seekers", len(rows))
    today, now = clock.today(), clock.now()
    candidates = _first_of_each(tally, rows, lambda r: r.id_number,
                                lambda a, b: _seeker_values(a, today) == _seeker_values(b, today),
                                _county_allowed(tally, principal, rows))
    values = {i: _seeker_values(rows[i], today) for i in candidates}
    staged_rows = [(i, *(values[i][c] for c in SEEKER_COLUMNS[:-1]), now) for i in candidates]
    async with bulk.staged(session, "job_seekers", _stage_columns(SEEKERS, SEEKER_COLUMNS), staged_rows) as stage:
        fresh = select(*(stage.c[c] for c in SEEKER_COLUMNS)).where(
            ~exists().where(SEEKERS.c.id_number == stage.c.id_number))
        written = set((await session.execute(
            insert(SEEKERS).from_select(list(SEEKER_COLUMNS), fresh).returning(SEEKERS.c.id_number)
        )).scalars().all())
    items = [JobSeekerRegistered.model_construct(**values[i]) for i in candidates if rows[i].id_number in written]
    events = await outbox.add_many(session, JOB_SEEKER_REGISTERED, items)
    return tally.report(len(written), events)


# ---- 就业登记 ---------------------------------------------------------------------------------------------

EMPLOYMENT_COLUMNS = ("id", "id_number", "name", "credit_code", "start_date", "occupation", "created_at")


async def load_employment_registrations(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, rows: Sequence[EmploymentRegistrationCreate]
) -> BulkReport:
    """就业登记 in bulk: employment.registered once per registration written; an open unemployment registration
    of the person closes from the start date (unemployment.closed), as on the single-record path."""
    tally = _Tally("employment-registrations", len(rows))
    candidates = _first_of_each(
        tally, rows, lambda r: (r.id_number, r.credit_code), lambda a, b: a.start_date == b.start_date,
        _of_working_age(tally, rows, lambda r: r.start_date, range(len(rows))))
    now = clock.now()
    ids = {i: str(uuid.uuid4()) for i in candidates}
    staged_rows = [(i, ids[i], rows[i].id_number, rows[i].name, rows[i].credit_code, rows[i].start_date,
                    rows[i].occupation, now) for i in candidates]
    e, r = EMPLOYERS.c, EMPLOYMENTS.c
    async with bulk.staged(session, "employment_registrations", _stage_columns(EMPLOYMENTS, EMPLOYMENT_COLUMNS),
                           staged_rows) as stage:
        s = stage.c
        employer_ok = [e.status == EmployerStatus.active.value]
        if principal.county is not None:
            employer_ok.append(e.county_code == principal.county)
        present = exists().where(r.id_number == s.id_number, r.credit_code == s.credit_code,
                                 r.start_date == s.start_date)
        active = exists().where(r.id_number == s.id_number, r.credit_code == s.credit_code,
                                r.status == EmploymentStatus.active.value)
        fresh = (select(s.id, s.id_number, s.name, s.credit_code, e.name, e.county_code, s.start_date, s.occupation,
                        literal(EmploymentStatus.active.value), s.created_at)
                 .select_from(stage.join(EMPLOYERS, and_(e.credit_code == s.credit_code, *employer_ok)))
                 .where(~present, ~active))
        columns = ["id", "id_number", "name", "credit_code", "employer_name", "county_code", "start_date",
                   "occupation", "status", "created_at"]
        written = {row.id: row for row in (await session.execute(
            insert(EMPLOYMENTS).from_select(columns, fresh).returning(r.id, r.employer_name, r.county_code)
        )).all()}
        if len(written) < len(candidates):  # why the others were not written: there already, or refused
            active_id = (select(r.id).where(r.id_number == s.id_number, r.credit_code == s.credit_code,
                                            r.status == EmploymentStatus.active.value).limit(1).scalar_subquery())
            for row, was_present, status, county, existing in (await session.execute(
                select(s.row, present, e.status, e.county_code, active_id)
                .select_from(stage.outerjoin(EMPLOYERS, e.credit_code == s.credit_code))
                .where(~exists().where(r.id == s.id))
            )).all():
                if was_present:
                    continue
                if status != EmployerStatus.active.value:
                    tally.refuse(row, NO_EMPLOYER)
                elif (reason := principal.county_problem(county)) is not None:
                    tally.refuse(row, reason)
                else:
                    tally.refuse(row, ACTIVE_HERE.format(id=existing))
    done = [i for i in candidates if ids[i] in written]
    await _close_unemployments(session=session, outbox=outbox, started={
        rows[i].id_number: rows[i].start_date for i in reversed(done)})
    items = [EmploymentRegistered.model_construct(
        id=ids[i], id_number=rows[i].id_number, name=rows[i].name, credit_code=rows[i].credit_code,
        employer_name=written[ids[i]].employer_name, county_code=written[ids[i]].county_code,
        start_date=rows[i].start_date, occupation=rows[i].occupation,
    ) for i in done]
    events = await outbox.add_many(session, EMPLOYMENT_REGISTERED, items)
    return tally.report(len(written), events)


async def _close_unemployments(*, session: AsyncSession, outbox: Outbox, started: dict[str, date]) -> None:
    """Close the open unemployment registrations of the people just registered employed (``started``: their
    first start date in the request) as the single-record path does; few people have one, so one by one."""
    if not started:
        return
    u = UnemploymentRegistration
    people = list(started)
    for part in bulk.chunks(people, 1000):
        found = (await session.execute(select(u).where(
            col(u.status) == UnemploymentStatus.open, col(u.id_number).in_(part)).order_by(col(u.id_number))
        )).scalars().all()
        for registration in found:
            await registrations._close_unemployment(  # noqa: SLF001 - the single-record path's own closing
                session=session, outbox=outbox, registration=registration,
                end_date=max(started[registration.id_number], registration.registered_date),
                reason=registrations.REEMPLOYED_REASON, reason_code=ClosureReason.reemployed,
            )


# ---- 失业登记 ---------------------------------------------------------------------------------------------

UNEMPLOYMENT_COLUMNS = ("id", "id_number", "name", "county_code", "registered_date", "reason", "separation_reason",
                        "status", "female_original_age", "created_at")


async def load_unemployment_registrations(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, rows: Sequence[UnemploymentRegistrationCreate]
) -> BulkReport:
    """失业登记 in bulk: unemployment.registered once per registration written."""
    tally = _Tally("unemployment-registrations", len(rows))
    candidates = _first_of_each(
        tally, rows, lambda r: r.id_number, lambda a, b: a == b,
        _of_working_age(tally, rows, lambda r: r.registered_date, _county_allowed(tally, principal, rows)))
    now = clock.now()
    ids = {i: str(uuid.uuid4()) for i in candidates}
    staged_rows = [(i, ids[i], rows[i].id_number, rows[i].name, rows[i].county_code, rows[i].registered_date,
                    rows[i].reason, _plain(rows[i].separation_reason), UnemploymentStatus.open.value,
                    rows[i].female_original_age, now) for i in candidates]
    u, r = UNEMPLOYMENTS.c, EMPLOYMENTS.c
    async with bulk.staged(session, "unemployment_registrations",
                           _stage_columns(UNEMPLOYMENTS, UNEMPLOYMENT_COLUMNS), staged_rows) as stage:
        s = stage.c
        present = exists().where(u.id_number == s.id_number, u.registered_date == s.registered_date)
        open_id = (select(u.id).where(u.id_number == s.id_number, u.status == UnemploymentStatus.open.value)
                   .limit(1).scalar_subquery())
        active_id = (select(r.id).where(r.id_number == s.id_number, r.status == EmploymentStatus.active.value)
                     .limit(1).scalar_subquery())
        inside = (select(r.id).where(r.id_number == s.id_number, r.status == EmploymentStatus.terminated.value,
                                     r.start_date <= s.registered_date, r.end_date >= s.registered_date)
                  .order_by(r.start_date).limit(1))
        fresh = select(*(s[c] for c in UNEMPLOYMENT_COLUMNS)).where(
            ~present, open_id.is_(None), active_id.is_(None), ~inside.exists())
        written = set((await session.execute(
            insert(UNEMPLOYMENTS).from_select(list(UNEMPLOYMENT_COLUMNS), fresh).returning(u.id)
        )).scalars().all())
        if len(written) < len(candidates):  # why the others were not written: there already, or refused
            past = inside.scalar_subquery()
            for row, was_present, active, opened, past_id in (await session.execute(
                select(s.row, present, active_id, open_id, past).where(~exists().where(u.id == s.id))
            )).all():
                if was_present:
                    continue
                if active is not None:
                    tally.refuse(row, ACTIVE_EMPLOYMENT.format(id=active))
                elif opened is not None:
                    tally.refuse(row, OPEN_UNEMPLOYMENT.format(id=opened))
                else:
                    tally.refuse(row, INSIDE_EMPLOYMENT.format(id=past_id))
    items = [UnemploymentRegistered.model_construct(
        id=ids[i], **rows[i].model_dump(include={"id_number", "name", "county_code", "registered_date", "reason",
                                                 "separation_reason"}),
    ) for i in candidates if ids[i] in written]
    events = await outbox.add_many(session, UNEMPLOYMENT_REGISTERED, items)
    return tally.report(len(written), events)
