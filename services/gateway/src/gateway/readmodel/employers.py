"""The employer view's index tables (gateway.employers.models), filled from every domain topic.

These handlers run after the domain modules' handlers of the same event type (``gateway.readmodel`` chains them in
one transaction). Each row is keyed by its source record's id, so a redelivered event changes nothing; the newest
event wins (by event time) and a cancellation is final, whatever arrives after it:

- ``employer_directory``: the employer's name and county as the employer's profile document holds them after the
  employer event (the same precedence rules, so the two never disagree);
- ``employer_employees``: every employment registration; a termination that arrives before its registration leaves
  the row terminated, and the registration then fills in who and since when without reopening it;
- ``employer_contributions``: contributions that name an employer (a correction naming another employer moves the
  row; a cancellation keeps it, cancelled);
- ``employer_cases``: wage-arrears cases by id, from every case event (a correction that names another employer
  moves the case);
- ``employer_warnings``: arrears warnings by id, with their level from policy/warning_levels.toml on the raised
  date; cleared is final.

The rows are worked on in memory per consumed batch (:data:`ROWS`, a batch hook: one load per table of the rows the
batch's events name before its handlers, one upsert per table of the changed rows after them; see
:mod:`gateway.readmodel.rows`), so events of one record in one batch see each other in offset order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import Any

from pydantic_core import to_json
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.employers.levels import level_of
from gateway.employers.models import (
    EmployerCase,
    EmployerContribution,
    EmployerDirectory,
    EmployerEmployee,
    EmployerWarning,
)
from gateway.readmodel.rows import RowsHook, RowTable
from gateway.readmodel.store import EMPLOYERS, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lab
from hrss_contracts import social_insurance as si
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent, Contract
from hrss_shared.registry import LABOUR_RELATIONS

FINAL = "9999"  # the updated_at of a cancelled record
TABLES = ["employer_directory", "employer_employees", "employer_contributions", "employer_cases",
          "employer_warnings"]
DIRECTORY = RowTable(EmployerDirectory)
EMPLOYEES = RowTable(EmployerEmployee)
CONTRIBUTIONS = RowTable(EmployerContribution)
CASES = RowTable(EmployerCase)
WARNINGS = RowTable(EmployerWarning)
_PREFETCH: dict[str, tuple[RowTable, str]] = {}  # event type -> the table its handler works on, the key's data field


def _keys(events: Sequence[CloudEvent]) -> dict[RowTable, set[str]]:
    keys: dict[RowTable, set[str]] = {}
    for event in events:
        found = _PREFETCH.get(event.type)
        if found is not None:
            value = event.data.get(found[1])
            if isinstance(value, str):
                keys.setdefault(found[0], set()).add(value)
    return keys


ROWS = RowsHook([DIRECTORY, EMPLOYEES, CONTRIBUTIONS, CASES, WARNINGS], _keys)
"""The batch hook of the index tables (one load per table before a batch, one upsert per table after it)."""
handlers = Handlers()
F = Callable[[AsyncSession, CloudEvent, Any], Awaitable[None]]


def on(contract: Contract[Any], table: RowTable, field: str = "id", into: Handlers = handlers) -> Callable[[F], F]:
    """Register a handler of ``contract`` working on ``table``'s row named by the data's ``field``."""
    def register(fn: F) -> F:
        _PREFETCH[contract.type] = (table, field)
        into.on(contract)(ROWS.scoped(fn))
        return fn

    return register


# ---- employers and employees (hrss.employment) ---------------------------------------------------------------


async def _directory(session: AsyncSession, event: CloudEvent, credit_code: str) -> None:
    profile = await EMPLOYERS.section(session, credit_code, "profile")
    at = stamp(event.time)
    row, _ = await DIRECTORY.get_or_new(session, credit_code, credit_code=credit_code, updated_at=at)
    row.name, row.county_code, row.updated_at = profile["name"], profile["county_code"], later(row.updated_at, at)


@on(emp.EMPLOYER_REGISTERED, DIRECTORY, "credit_code")
async def on_employer_registered(session: AsyncSession, event: CloudEvent, data: emp.EmployerRegistered) -> None:
    await _directory(session, event, data.credit_code)


@on(emp.EMPLOYER_UPDATED, DIRECTORY, "credit_code")
async def on_employer_updated(session: AsyncSession, event: CloudEvent, data: emp.EmployerUpdated) -> None:
    await _directory(session, event, data.credit_code)


@on(emp.EMPLOYER_DEACTIVATED, DIRECTORY, "credit_code")
async def on_employer_deactivated(session: AsyncSession, event: CloudEvent, data: emp.EmployerDeactivated) -> None:
    await _directory(session, event, data.credit_code)


@on(emp.EMPLOYMENT_REGISTERED, EMPLOYEES)
async def on_employment_registered(session: AsyncSession, event: CloudEvent, data: emp.EmploymentRegistered) -> None:
    at = stamp(event.time)
    row, _ = await EMPLOYEES.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                        id_number=data.id_number, status="active", updated_at=at)
    row.credit_code, row.id_number, row.name = data.credit_code, data.id_number, data.name
    row.occupation, row.start_date = data.occupation, data.start_date
    row.updated_at = later(row.updated_at, at)


@on(emp.EMPLOYMENT_TERMINATED, EMPLOYEES)
async def on_employment_terminated(session: AsyncSession, event: CloudEvent, data: emp.EmploymentTerminated) -> None:
    at = stamp(event.time)
    row, _ = await EMPLOYEES.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                        id_number=data.id_number, status="terminated", updated_at=at)
    row.status, row.end_date, row.updated_at = "terminated", data.end_date, later(row.updated_at, at)


# ---- contributions (hrss.social-insurance) --------------------------------------------------------------------


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


async def _contribution(session: AsyncSession, event: CloudEvent, data: si.ContributionPosted) -> None:
    at = stamp(event.time)
    row, new = await CONTRIBUTIONS.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                          id_number=data.id_number, insurance_type=data.insurance_type, month=data.month,
                          employer_fen=0, personal_fen=0, updated_at=at)
    if new or (row.updated_at != FINAL and at >= row.updated_at):
        row.credit_code, row.id_number, row.insurance_type = data.credit_code, data.id_number, data.insurance_type
        row.month, row.employer_fen, row.personal_fen = data.month, _fen(data.employer_amount), _fen(
            data.personal_amount)
        row.updated_at = at


@on(si.CONTRIBUTION_POSTED, CONTRIBUTIONS)
async def on_contribution_posted(session: AsyncSession, event: CloudEvent, data: si.ContributionPosted) -> None:
    await _contribution(session, event, data)


@on(si.CONTRIBUTION_CORRECTED, CONTRIBUTIONS)
async def on_contribution_corrected(session: AsyncSession, event: CloudEvent,
                                    data: si.ContributionCorrected) -> None:
    await _contribution(session, event, data)


@on(si.CONTRIBUTION_CANCELLED, CONTRIBUTIONS)
async def on_contribution_cancelled(session: AsyncSession, event: CloudEvent,
                                    data: si.ContributionCancelled) -> None:
    row, _ = await CONTRIBUTIONS.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                        id_number=data.id_number, insurance_type=data.insurance_type, month=data.month,
                        employer_fen=0, personal_fen=0, updated_at=FINAL)
    row.cancelled, row.updated_at = True, FINAL


async def on_contributions_posted(session: AsyncSession, event: CloudEvent, data: si.ContributionsPosted) -> None:
    """批量缴费记账: one row per contribution the event names, as its own contribution.posted would give."""
    postings = data.postings()
    await CONTRIBUTIONS.load(session, {CONTRIBUTIONS.load_column: [p.id for p in postings]})  # one query
    for posting in postings:
        await _contribution(session, event, posting)


handlers.on(si.CONTRIBUTIONS_POSTED)(ROWS.scoped(on_contributions_posted))  # keys are the items' ids: loaded above


# ---- wage-arrears cases and warnings (hrss.labour-relations) ----------------------------------------------------


async def _case(session: AsyncSession, event: CloudEvent, data: lab.ArrearsCaseChanged) -> None:
    at = stamp(event.time)
    final = data.status == "cancelled"
    row, new = await CASES.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                          employer_name=data.employer_name, county_code=data.county_code, status=data.status,
                          filed_date=data.filed_date, workers_affected=data.workers_affected,
                          group_case=data.group_case, amount_owed=data.amount_owed, updated_at=at, as_of=at)
    if new or final or (row.updated_at != FINAL and at >= row.updated_at):
        for key in ("credit_code", "employer_name", "county_code", "project_id", "status", "filed_date",
                    "accepted_date", "deadline_date", "deadline_provisional", "extended", "concluded_date",
                    "on_time", "workers_affected", "group_case", "amount_owed", "amount_recovered"):
            setattr(row, key, getattr(data, key))
        row.updated_at = FINAL if final else at
    row.as_of = later(row.as_of, at)


def _case_handlers() -> dict[str, Handler]:
    found = Handlers()
    for contract in contracts_of(str(LABOUR_RELATIONS.topic)):
        if contract.entity == "arrears_case":
            on(contract, CASES, into=found)(_case)
    return found.by_type


@on(lab.WARNING_RAISED, WARNINGS)
async def on_warning_raised(session: AsyncSession, event: CloudEvent, data: lab.WarningRaised) -> None:
    at = stamp(event.time)
    row, _ = await WARNINGS.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                        status="open", updated_at=at)
    level = level_of(data.score, data.threshold, data.raised_date)
    row.credit_code, row.county_code = data.credit_code, data.county_code or row.county_code
    row.score, row.threshold, row.raised_date, row.level = data.score, data.threshold, data.raised_date, level.level
    row.signals = to_json([s.model_dump(mode="json") for s in data.signals]).decode()
    row.policy_source, row.illustrative = data.policy_source, data.illustrative or level.illustrative
    row.updated_at = later(row.updated_at, at)


@on(lab.WARNING_CLEARED, WARNINGS)
async def on_warning_cleared(session: AsyncSession, event: CloudEvent, data: lab.WarningCleared) -> None:
    at = stamp(event.time)
    row, _ = await WARNINGS.get_or_new(session, data.id, id=data.id, credit_code=data.credit_code,
                        status="cleared", updated_at=at)
    row.status, row.cleared_date, row.cleared_score = "cleared", data.cleared_date, data.score
    row.county_code = row.county_code or data.county_code
    row.updated_at = later(row.updated_at, at)


HANDLERS: dict[str, Handler] = {**handlers.by_type, **_case_handlers()}
