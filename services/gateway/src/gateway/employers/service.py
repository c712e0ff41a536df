"""The employer view and the bureau's lists, read from the employer's documents and the employer index tables."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Table, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.employers import levels
from gateway.employers.models import (
    EmployerCase,
    EmployerContribution,
    EmployerDirectory,
    EmployerEmployee,
    EmployerWarning,
)
from gateway.employers.schemas import (
    ArrearsItem,
    CaseItem,
    CasesSection,
    ContributionMonth,
    DishonestyEntry,
    DishonestySection,
    EmployeeItem,
    EmployeesSection,
    EmployerProfile,
    EmployerView,
    InsuranceSection,
    OverdueCase,
    PlatformItem,
    PostingItem,
    PostingsSection,
    ProjectItem,
    ProjectsSection,
    SignalItem,
    TalentItem,
    TalentsSection,
    TrainingSection,
    WarningItem,
    WarningListItem,
    WarningSection,
)
from gateway.readmodel.models import EmployerSection, PersonSection
from hrss_shared.paging import Page, PageParams
from hrss_shared.problems import NotFound
from hrss_shared.validators import QUZHOU_COUNTIES

Doc = dict[str, Any]
RUNNING = ("accepted", "investigating", "mediating", "resolved")  # 立案 until 结案 or transfer (the deadline runs)
RECENT_MONTHS = 12
SHARE = Decimal("0.0001")
SIGNAL_NAMES = {"contribution_arrears": "社保欠缴", "missed_payroll": "未按月发薪",
                "below_minimum_wage": "低于最低工资标准", "complaint": "欠薪投诉", "group_case": "群体性欠薪"}
_sections: Table = EmployerSection.__table__  # type: ignore[attr-defined]
_persons: Table = PersonSection.__table__  # type: ignore[attr-defined]


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value and value != "9999" else None


def _newest(*values: str | None) -> datetime | None:
    found = [v for v in values if v and v != "9999"]
    return _instant(max(found)) if found else None


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _records(doc: Doc | None, entity: str) -> list[Doc]:
    return list((doc or {}).get("records", {}).get(entity, []))


async def _documents(session: AsyncSession, credit_code: str) -> dict[str, Doc]:
    rows = await session.execute(sa_select(_sections.c.section, _sections.c.doc).where(
        _sections.c.credit_code == credit_code))
    return {section: json.loads(doc) for section, doc in rows}


# ---- sections -------------------------------------------------------------------------------------------------


def _profile(doc: Doc | None) -> EmployerProfile:
    if doc is None:
        return EmployerProfile()
    return EmployerProfile(
        name=doc.get("name"), county_code=doc.get("county_code"),
        county_name=QUZHOU_COUNTIES.get(doc.get("county_code") or ""), industry=doc.get("industry"),
        size=doc.get("size"), is_construction=bool(doc.get("is_construction")), status=doc.get("status", "active"),
        deactivated_date=_day(doc.get("deactivated_date")), as_of=_instant(doc.get("as_of")))


async def _employees(session: AsyncSession, credit_code: str, today: date) -> tuple[list[EmployerEmployee],
                                                                                    datetime | None]:
    current = (await session.exec(select(EmployerEmployee).where(
        EmployerEmployee.credit_code == credit_code,
        (col(EmployerEmployee.end_date).is_(None)) | (col(EmployerEmployee.end_date) >= today),
    ).order_by(col(EmployerEmployee.start_date), col(EmployerEmployee.id)))).all()
    as_of = (await session.exec(select(func.max(EmployerEmployee.updated_at)).where(
        EmployerEmployee.credit_code == credit_code))).one()
    return list(current), _newest(as_of)


def _employees_section(rows: list[EmployerEmployee], as_of: datetime | None) -> EmployeesSection:
    return EmployeesSection(count=len(rows), as_of=as_of, employees=[EmployeeItem(
        registration_id=r.id, id_number=r.id_number, name=r.name, occupation=r.occupation, start_date=r.start_date,
        end_date=r.end_date) for r in rows])


def _yuan(fen: Any) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


async def _insurance(session: AsyncSession, credit_code: str, doc: Doc | None) -> InsuranceSection:
    paid = (col(EmployerContribution.credit_code) == credit_code) & col(EmployerContribution.cancelled).is_(False)
    months = (await session.execute(
        select(EmployerContribution.month, func.count(func.distinct(EmployerContribution.id_number)),
               func.sum(EmployerContribution.employer_fen), func.sum(EmployerContribution.personal_fen))
        .where(paid).group_by(EmployerContribution.month).order_by(col(EmployerContribution.month).desc())
        .limit(RECENT_MONTHS))).all()
    as_of = (await session.exec(select(func.max(EmployerContribution.updated_at)).where(
        col(EmployerContribution.credit_code) == credit_code, EmployerContribution.updated_at != "9999"))).one()
    arrears = [ArrearsItem(
        id=r["id"], status=r["status"], month=r["data"].get("month"),
        consecutive_months=r["data"].get("consecutive_months"), person_count=r["data"].get("person_count"),
        persons=r["data"].get("persons", []), resolved_on=_day(r["data"].get("resolved_on")),
    ) for r in _records(doc, "arrears")]
    arrears.sort(key=lambda a: (a.month or "", a.id), reverse=True)
    arrears.sort(key=lambda a: a.status != "raised")  # stable: the open ones first, each group newest first
    status = ("in_arrears" if any(a.status == "raised" for a in arrears)
              else "paid_up" if months else "no_contributions")
    return InsuranceSection(
        status=status, latest_month=months[0][0] if months else None, arrears=arrears,
        months=[ContributionMonth(month=m, persons=n, employer_amount=_yuan(e), personal_amount=_yuan(p))
                for m, n, e, p in months],
        as_of=_newest(as_of, (doc or {}).get("as_of")))


def _case_item(row: EmployerCase, today: date) -> CaseItem:
    overdue = row.status in RUNNING and row.deadline_date is not None and row.deadline_date < today
    return CaseItem(
        id=row.id, status=row.status, project_id=row.project_id, filed_date=row.filed_date,
        accepted_date=row.accepted_date, deadline_date=row.deadline_date,
        deadline_provisional=row.deadline_provisional, extended=row.extended, concluded_date=row.concluded_date,
        on_time=row.on_time, overdue=overdue,
        days_overdue=(today - row.deadline_date).days if overdue and row.deadline_date else None,
        workers_affected=row.workers_affected, group_case=row.group_case, amount_owed=row.amount_owed,
        amount_recovered=row.amount_recovered)


async def _cases(session: AsyncSession, credit_code: str, today: date) -> CasesSection:
    rows = (await session.exec(select(EmployerCase).where(
        EmployerCase.credit_code == credit_code, EmployerCase.status != "cancelled",
    ).order_by(col(EmployerCase.filed_date).desc(), col(EmployerCase.id)))).all()
    items = [_case_item(r, today) for r in rows]
    return CasesSection(running=sum(i.status in RUNNING for i in items), overdue=sum(i.overdue for i in items),
                        cases=items, as_of=_newest(*(r.as_of for r in rows)))


def _share(part: int, whole: int) -> str | None:
    return str((Decimal(part) / Decimal(whole)).quantize(SHARE)) if whole else None


def _projects(doc: Doc | None) -> ProjectsSection:
    payrolls = _records(doc, "payroll")
    projects, paid_total, online_total, missed_total = [], 0, 0, 0
    for record in sorted(_records(doc, "project"), key=lambda r: (r["data"].get("start_date") or "", r["id"]),
                         reverse=True):
        data = record["data"]
        mine = [p for p in payrolls if p["data"].get("project_id") == record["id"]]
        paid = [p for p in mine if p["status"] != "cancelled" and "paid_date" in p["data"]]
        online = [p for p in paid if p["data"].get("online")]
        missed = sorted({p["data"]["month"] for p in mine if p["status"] == "missed"})
        paid_total, online_total, missed_total = paid_total + len(paid), online_total + len(online), \
            missed_total + len(missed)
        projects.append(ProjectItem(
            id=record["id"], name=data.get("name"), county_code=data.get("county_code"), status=record["status"],
            start_date=_day(data.get("start_date")), completion_date=_day(data.get("completion_date")),
            completed_date=_day(data.get("completed_date")), has_wage_account=data.get("has_wage_account"),
            months_paid=sorted({p["data"]["month"] for p in paid}),
            months_paid_online=sorted({p["data"]["month"] for p in online}),
            online_share=_share(len(online), len(paid)), months_missed=missed,
            months_below_minimum_wage=sorted({p["data"]["month"] for p in paid
                                              if p["status"] == "below_minimum_wage"})))
    return ProjectsSection(projects=projects, payrolls=paid_total, online_share=_share(online_total, paid_total),
                           months_missed=missed_total, as_of=_instant((doc or {}).get("as_of")))


def _signals(raw: str) -> list[SignalItem]:
    return [SignalItem(
        code=s["kind"], name=SIGNAL_NAMES.get(s["kind"], s["kind"]), weight=s["weight"], points=s["points"],
        reference=s["reference"], occurred_date=s["occurred_date"],
        detail=f"{SIGNAL_NAMES.get(s['kind'], s['kind'])}：{s['occurred_date']} 发生，权重 {s['weight']:g}，"
               f"衰减后 {s['points']:g} 分（来源记录 {s['reference']}）",
    ) for s in json.loads(raw)]


def _warning_item(row: EmployerWarning) -> WarningItem:
    return WarningItem(
        id=row.id, status=row.status, score=row.score, threshold=row.threshold, level=row.level,
        level_name=levels.NAMES.get(row.level or ""), raised_date=row.raised_date, cleared_date=row.cleared_date,
        cleared_score=row.cleared_score, signals=_signals(row.signals), policy_source=row.policy_source,
        illustrative=row.illustrative)


async def _warning(session: AsyncSession, credit_code: str) -> WarningSection:
    rows = (await session.exec(select(EmployerWarning).where(EmployerWarning.credit_code == credit_code).order_by(
        col(EmployerWarning.raised_date).desc().nulls_last(), col(EmployerWarning.id)))).all()
    history = [_warning_item(r) for r in rows]
    current = next((w for w in history if w.status == "open"), None)
    return WarningSection(status="open" if current else "cleared" if history else "none", current=current,
                          history=history, as_of=_newest(*(r.updated_at for r in rows)))


def _dishonesty(doc: Doc | None) -> DishonestySection:
    entries = [DishonestyEntry(
        id=r["id"], status=r["status"], decision_reference=r["data"].get("decision_reference"),
        decision_date=_day(r["data"].get("decision_date")), removed_date=_day(r["data"].get("removed_date")),
        removal_reason=r["data"].get("removal_reason"),
    ) for r in _records(doc, "dishonest_employer")]
    entries.sort(key=lambda e: (e.decision_date or date.min, e.id), reverse=True)
    return DishonestySection(listed=any(e.status == "listed" for e in entries), entry=entries[0] if entries else None,
                             entries=entries, as_of=_instant((doc or {}).get("as_of")))


def _postings(doc: Doc | None) -> PostingsSection:
    postings = []
    for r in _records(doc, "job_posting"):
        data = r["data"]
        status = data.get("status", "closed") if r["status"] == "closed" else r["status"]
        postings.append(PostingItem(
            id=r["id"], status=status, title=data.get("title"), occupation=data.get("occupation"),
            count=data.get("count"), min_monthly_wage=data.get("min_monthly_wage"),
            max_monthly_wage=data.get("max_monthly_wage"), required_level=data.get("required_level"),
            county_code=data.get("county_code"), published_date=_day(data.get("published_date")),
            closing_date=_day(data.get("closing_date")), closed_date=_day(data.get("closed_date"))))
    postings.sort(key=lambda p: (p.published_date or date.min, p.id), reverse=True)
    return PostingsSection(open=sum(p.status == "published" for p in postings), postings=postings,
                           as_of=_instant((doc or {}).get("as_of")))


def _platforms(records: Iterable[Doc]) -> list[PlatformItem]:
    items = [PlatformItem(
        id=r["id"], status=r["status"], name=r["data"].get("name"), level=r["data"].get("level"),
        base_kind=r["data"].get("base_kind"), occupation_codes=r["data"].get("occupation_codes", []),
        recognised_date=_day(r["data"].get("recognised_date")), revoked_date=_day(r["data"].get("revoked_date")),
    ) for r in records]
    return sorted(items, key=lambda p: (p.recognised_date or date.min, p.id), reverse=True)


def _training(doc: Doc | None) -> TrainingSection:
    return TrainingSection(training_bases=_platforms(_records(doc, "training_base")),
                           master_studios=_platforms(_records(doc, "master_studio")),
                           as_of=_instant((doc or {}).get("as_of")))


async def _talents(session: AsyncSession, employees: list[EmployerEmployee], today: date,
                   employees_as_of: datetime | None) -> TalentsSection:
    names = {e.id_number: e.name for e in employees}
    talents: list[TalentItem] = []
    as_of = [employees_as_of]
    wanted = sorted(names)
    for start in range(0, len(wanted), 500):
        rows = await session.execute(sa_select(_persons.c.id_number, _persons.c.doc).where(
            _persons.c.section == "talent", _persons.c.id_number.in_(wanted[start:start + 500])))
        for id_number, raw in rows:
            doc = json.loads(raw)
            for r in doc.get("recognitions", []):
                valid_from, valid_until = _day(r.get("valid_from")), _day(r.get("valid_until"))
                if r.get("status") == "approved" and valid_from and valid_until and valid_from <= today <= valid_until:
                    talents.append(TalentItem(
                        id_number=id_number, name=names[id_number], recognition_id=r["id"], tier=r.get("tier"),
                        recognition_number=r.get("recognition_number"), valid_from=valid_from,
                        valid_until=valid_until))
                    as_of.append(_instant(doc.get("as_of")))
    talents.sort(key=lambda t: (t.tier or "", t.recognition_id))
    return TalentsSection(talents=talents, as_of=max((a for a in as_of if a), default=None))


# ---- the view and the lists -----------------------------------------------------------------------------------


async def get_employer(*, session: AsyncSession, credit_code: str, today: date) -> EmployerView:
    """The employer's view; 404 when no event has mentioned the employer (as its subject, as the employer of an
    employment registration or as the payer of a contribution)."""
    docs = await _documents(session, credit_code)
    employees, employees_as_of = await _employees(session, credit_code, today)
    insurance = await _insurance(session, credit_code, docs.get("insurance"))
    if not docs and employees_as_of is None and insurance.as_of is None:
        raise NotFound(f"暂无该单位信息 {credit_code} (no record of this employer in the gateway's read model)")
    return EmployerView(
        credit_code=credit_code, profile=_profile(docs.get("profile")),
        employees=_employees_section(employees, employees_as_of), insurance=insurance,
        arrears_cases=await _cases(session, credit_code, today), projects=_projects(docs.get("labour")),
        warning=await _warning(session, credit_code), dishonesty=_dishonesty(docs.get("labour")),
        job_postings=_postings(docs.get("employment")), training=_training(docs.get("training")),
        talents=await _talents(session, employees, today, employees_as_of))


async def list_overdue(*, session: AsyncSession, county_code: str | None, page: PageParams,
                       today: date) -> Page[OverdueCase]:
    """Accepted cases not concluded whose deadline is before today, the longest overdue first."""
    where: list[ColumnElement[bool]] = [col(EmployerCase.status).in_(RUNNING), col(EmployerCase.deadline_date) < today]
    if county_code is not None:
        where.append(col(EmployerCase.county_code) == county_code)
    total = (await session.exec(select(func.count()).select_from(EmployerCase).where(*where))).one()
    rows = (await session.exec(select(EmployerCase).where(*where).order_by(
        col(EmployerCase.deadline_date), col(EmployerCase.id)).limit(page.limit).offset(page.offset))).all()
    items = [OverdueCase(
        id=r.id, credit_code=r.credit_code, employer_name=r.employer_name, county_code=r.county_code,
        status=r.status, accepted_date=r.accepted_date, deadline_date=r.deadline_date,
        days_overdue=(today - r.deadline_date).days, workers_affected=r.workers_affected, amount_owed=r.amount_owed,
        group_case=r.group_case) for r in rows if r.deadline_date is not None]
    return Page[OverdueCase](data=items, count=int(total), limit=page.limit, offset=page.offset)


async def list_warnings(*, session: AsyncSession, county_code: str | None, level: str | None,
                        page: PageParams) -> Page[WarningListItem]:
    """Employers with an open warning, the highest score first; county from the warning, else the employer's."""
    county = func.coalesce(EmployerWarning.county_code, EmployerDirectory.county_code)
    where: list[ColumnElement[bool]] = [col(EmployerWarning.status) == "open"]
    if county_code is not None:
        where.append(county == county_code)
    if level is not None:
        where.append(col(EmployerWarning.level) == level)
    joined = select(EmployerWarning, EmployerDirectory.name, county).outerjoin(
        EmployerDirectory, col(EmployerDirectory.credit_code) == EmployerWarning.credit_code).where(*where)
    total = (await session.execute(select(func.count()).select_from(joined.subquery()))).scalar_one()
    rows = (await session.execute(joined.order_by(col(EmployerWarning.score).desc().nulls_last(),
                                                  col(EmployerWarning.credit_code), col(EmployerWarning.id))
                                  .limit(page.limit).offset(page.offset))).all()
    items = [WarningListItem(
        id=w.id, credit_code=w.credit_code, employer_name=name, county_code=county_of, score=w.score,
        threshold=w.threshold, level=w.level, level_name=levels.NAMES.get(w.level or ""), raised_date=w.raised_date,
        signals=_signals(w.signals), illustrative=w.illustrative, as_of=_instant(w.updated_at),
    ) for w, name, county_of in rows]
    return Page[WarningListItem](data=items, count=int(total), limit=page.limit, offset=page.offset)
