"""批量写入 在建工程项目 and 欠薪案件: the single-record paths' rules applied set-based (the synthetic city, large
loads).

- Projects: natural key (general contractor's credit code, project name): a project already registered under that
  name for the contractor is skipped, so a load can run again. Each project written publishes
  ``project.registered`` as ``POST /v1/projects`` does.
- Cases: natural key (employer's credit code, filing date): one complaint per employer and day through this path.
  Refused like ``POST /v1/arrears-cases``: a filing date after today, no case policy in force on it, an unknown
  ``project_id``. A case is written as the API writes it (登记, policy source, 群体性欠薪 from ``group_case_workers``)
  and publishes ``arrears_case.registered``, a group case ``arrears_case.escalated`` too; the complaint (and group)
  warning signals are recorded and each employer's warning is re-evaluated once.
- Both: a county-limited client's rows of another county are refused (the single-record paths' 403).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import and_, exists, insert, select
from sqlmodel import SQLModel, col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts import labour_relations as contracts
from hrss_contracts.labour_relations import ArrearsCaseChanged
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.bulk import BulkReport, Refusal, chunks, copy_rows, staged, table_of
from hrss_shared.outbox import Outbox
from hrss_shared.problems import InvalidField
from labour_relations.cases import service as cases
from labour_relations.cases.models import ArrearsCase, CaseCreate
from labour_relations.common import not_future
from labour_relations.projects.models import Project, ProjectCreate
from labour_relations.projects.service import registered_event
from labour_relations.warnings import service as warnings
from labour_relations.warnings.models import Signal, SignalKind, WarningStatus

M = TypeVar("M", bound=SQLModel)
IN_CHUNK = 1000  # ids per ``IN (…)`` lookup


async def insert_new(session: AsyncSession, name: str, model: type[M], key: Sequence[str],
                     candidates: dict[Hashable, M]) -> tuple[list[M], int]:
    """Write the ``candidates`` (by natural key) whose ``key`` columns match no stored row: staging table, then one
    ``INSERT … SELECT … WHERE NOT EXISTS``; the objects written (in the candidates' order) and the number skipped."""
    if not candidates:
        return [], 0
    table = table_of(model)
    names = [c.name for c in table.columns]
    values: list[list[Any]] = [[getattr(obj, n) for n in names] for obj in candidates.values()]
    async with staged(session, name, list(table.columns), values) as stage:
        same = and_(*(table.c[k] == stage.c[k] for k in key))
        move = insert(table).from_select(names, select(*(stage.c[n] for n in names)).where(
            ~exists().where(same))).returning(table.c.id)
        ids = set((await session.execute(move)).scalars())
    written = [obj for obj in candidates.values() if getattr(obj, "id") in ids]  # noqa: B009 - any table's id
    return written, len(candidates) - len(written)


def _report(kind: str, received: int, written: int, skipped: int, events: int,
            refused: list[Refusal]) -> BulkReport:
    return BulkReport(kind=kind, received=received, written=written, skipped=skipped, events=events,
                      refused=sorted(refused, key=lambda r: r.row))


async def load_projects(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                        rows: list[ProjectCreate]) -> BulkReport:
    """在建工程项目 in bulk: one ``project.registered`` per project written."""
    refused: list[Refusal] = []
    skipped = 0
    candidates: dict[Hashable, Project] = {}
    for i, data in enumerate(rows):
        reason = principal.county_problem(data.county_code)
        if reason is not None:
            refused.append(Refusal(row=i, reason=reason))
        elif (data.credit_code, data.name) in candidates:
            skipped += 1  # the same project twice in one request
        else:
            candidates[(data.credit_code, data.name)] = Project(**data.model_dump())
    written, there = await insert_new(session, "labour_projects", Project, ("credit_code", "name"), candidates)
    events = await outbox.add_many(session, contracts.PROJECT_REGISTERED, (registered_event(p) for p in written))
    return _report("projects", len(rows), len(written), skipped + there, events, refused)


async def _known_projects(session: AsyncSession, ids: set[str]) -> set[str]:
    found: set[str] = set()
    for part in chunks(sorted(ids), IN_CHUNK):
        found.update((await session.exec(model_select(Project.id).where(col(Project.id).in_(part)))).all())
    return found


def _case_refusal(data: CaseCreate, projects: set[str]) -> str | None:
    """The single-record path's refusals (``cases.service.register``, its rules called), as the 422 words them."""
    try:
        not_future("filed_date", data.filed_date)
        cases.policy(data.filed_date)
    except InvalidField as exc:
        return exc.detail
    if data.project_id is not None and data.project_id not in projects:
        return cases.unknown_project(data.project_id).detail
    return None


async def load_cases(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                     rows: list[CaseCreate]) -> BulkReport:
    """欠薪案件 intake in bulk, as ``POST /v1/arrears-cases`` registers each one."""
    today, now = clock.today(), clock.now()
    projects = await _known_projects(session, {r.project_id for r in rows if r.project_id is not None})
    refused: list[Refusal] = []
    skipped = 0
    candidates: dict[Hashable, ArrearsCase] = {}
    registered: dict[str, ArrearsCaseChanged] = {}  # by case id: the data as registered (before any escalation)
    escalated: dict[str, ArrearsCaseChanged] = {}
    for i, data in enumerate(rows):
        reason = principal.county_problem(data.county_code) or _case_refusal(data, projects)
        if reason is not None:
            refused.append(Refusal(row=i, reason=reason))
            continue
        if (data.credit_code, data.filed_date) in candidates:
            skipped += 1  # one case per employer and day through this path
            continue
        rules = cases.policy(data.filed_date)
        case = ArrearsCase(
            credit_code=data.credit_code, employer_name=data.employer_name, county_code=data.county_code,
            project_id=data.project_id, complainants=[c.model_dump(mode="json") for c in data.complainants],
            workers_affected=data.workers_affected, amount_owed=data.amount_owed, evidence_notes=data.evidence_notes,
            filed_date=data.filed_date, policy_source=rules.source, created_at=now,
        )
        registered[case.id] = cases.changed_event(case)
        if case.workers_affected >= rules.group_case_workers:  # 群体性欠薪: escalated at once, as the API does
            case.group_case, case.group_case_illustrative, case.updated_at = True, rules.group_case_illustrative, now
            escalated[case.id] = cases.changed_event(case, previous=case.status)
        candidates[(data.credit_code, data.filed_date)] = case
    written, there = await insert_new(session, "labour_cases", ArrearsCase, ("credit_code", "filed_date"),
                                      candidates)
    events = await outbox.add_many(session, contracts.ARREARS_CASE_REGISTERED, (registered[c.id] for c in written))
    events += await outbox.add_many(session, contracts.ARREARS_CASE_ESCALATED,
                                    (escalated[c.id] for c in written if c.id in escalated))
    events += await _signal(session, outbox, written, set(escalated), today)
    return _report("arrears-cases", len(rows), len(written), skipped + there, events, refused)


async def _signal(session: AsyncSession, outbox: Outbox, written: list[ArrearsCase], group: set[str],
                  today: date) -> int:
    """The complaint (and group-case) warning signals of the cases written, then each employer evaluated once; the
    number of warning events published."""
    if not written:
        return 0
    signals = [Signal(credit_code=c.credit_code, county_code=c.county_code, kind=kind, reference=c.id,
                      occurred_date=min(c.filed_date, today))
               for c in written for kind in (SignalKind.complaint, SignalKind.group_case)
               if kind == SignalKind.complaint or c.id in group]
    table = table_of(Signal)
    names = [c.name for c in table.columns]
    await copy_rows(session, table, names, ([getattr(s, n) for n in names] for s in signals))
    employers: dict[str, str] = {}
    for c in written:
        employers.setdefault(c.credit_code, c.county_code)
    published = 0
    for credit_code, county_code in employers.items():
        before = await warnings.open_warning(session, credit_code)
        after = await warnings.evaluate(session=session, outbox=outbox, credit_code=credit_code,
                                        county_code=county_code, today=today)
        published += after is not None and (before is None or after.status == WarningStatus.cleared)
    return published
