"""Alerts as the API shows them (status from the staff actions), staff actions, the daily coverage-gap check and the
alerts of one person for the person view."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Table, and_, exists, false, not_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.alerts import rules
from gateway.alerts.models import Alert, AlertAction, AlertFact, AlertPublic, AlertStatus, EvidencePublic, NotePublic
from gateway.alerts.policy import POLICY
from gateway.readmodel import views
from hrss_shared import clock, db
from hrss_shared.auth import Principal
from hrss_shared.listing import DateRange
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.problems import Conflict, NotFound
from hrss_shared.scheduler import Job, daily_job

Action = Literal["acknowledge", "resolve"]
COVERAGE_JOB = "alerts-coverage-gap"
STATUS_NAMES = {AlertStatus.open: "待处理", AlertStatus.acknowledged: "已确认", AlertStatus.resolved: "已处理",
                AlertStatus.retracted: "已撤回"}
ALERT_COLUMNS = ("id", "rule", "county_code", "id_number", "credit_code", "summary", "detail", "evidence",
                 "detected_at", "retracted")


def rule_name(rule: str) -> str:
    version = POLICY.today()
    return version.rules[rule].name if rule in version.rules else rule


def status_of(retracted: bool, actions: Sequence[str]) -> AlertStatus:
    if retracted:
        return AlertStatus.retracted
    if "resolve" in actions:
        return AlertStatus.resolved
    if "acknowledge" in actions:
        return AlertStatus.acknowledged
    return AlertStatus.open


def _utc(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def public(alert: Alert | dict[str, Any], actions: Sequence[AlertAction | dict[str, Any]]) -> AlertPublic:
    """The alert as GET /v1/alerts answers it."""
    a = alert if isinstance(alert, dict) else alert.model_dump()
    notes = [n if isinstance(n, dict) else n.model_dump() for n in actions]
    notes.sort(key=lambda n: _utc(n["at"]))
    return AlertPublic(
        id=a["id"], rule=a["rule"], rule_name=rule_name(a["rule"]), county_code=a["county_code"],
        id_number=a["id_number"], credit_code=a["credit_code"], summary=a["summary"],
        status=status_of(bool(a["retracted"]), [n["action"] for n in notes]), detected_at=_utc(a["detected_at"]),
        detail=json.loads(a["detail"]) if isinstance(a["detail"], str) else a["detail"],
        evidence=[EvidencePublic(topic=t, id=i, type=k) for t, i, k in json.loads(a["evidence"])],
        notes=[NotePublic(action=n["action"], note=n["note"], by=n["by"], at=_utc(n["at"])) for n in notes],
    )


async def _actions(session: AsyncSession, ids: list[str]) -> dict[str, list[AlertAction]]:
    found: dict[str, list[AlertAction]] = {i: [] for i in ids}
    if ids:
        rows = await session.execute(select(AlertAction).where(col(AlertAction.alert_id).in_(ids)))
        for action in rows.scalars():
            found[action.alert_id].append(action)
    return found


def _has(action: str) -> Any:
    return exists().where(and_(col(AlertAction.alert_id) == col(Alert.id), col(AlertAction.action) == action))


def _status_clause(status: AlertStatus) -> Any:
    live = col(Alert.retracted) == false()
    if status == AlertStatus.retracted:
        return not_(live)
    if status == AlertStatus.resolved:
        return and_(live, _has("resolve"))
    if status == AlertStatus.acknowledged:
        return and_(live, _has("acknowledge"), not_(_has("resolve")))
    return and_(live, not_(_has("acknowledge")), not_(_has("resolve")))


async def list_alerts(
    *, session: AsyncSession, page: PageParams, rule: str | None, county_code: str | None,
    status: AlertStatus | None, detected: DateRange, id_number: str | None = None, credit_code: str | None = None,
) -> tuple[list[AlertPublic], int]:
    """Alerts filtered by rule, county, status and detected date, newest first."""
    query = select(Alert).where(*detected.clauses(col(Alert.detected_date)))
    for column, value in ((Alert.rule, rule), (Alert.county_code, county_code), (Alert.id_number, id_number),
                          (Alert.credit_code, credit_code)):
        if value is not None:
            query = query.where(col(column) == value)
    if status is not None:
        query = query.where(_status_clause(status))
    query = query.order_by(col(Alert.detected_at).desc(), col(Alert.id))
    rows, count = await fetch_page(session, query, page)
    actions = await _actions(session, [a.id for a in rows])
    return [public(a, actions[a.id]) for a in rows], count


async def get_or_404(*, session: AsyncSession, alert_id: str) -> Alert:
    alert = await session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"预警 {alert_id} 不存在 (no alert {alert_id})")
    return alert


async def get_alert(*, session: AsyncSession, principal: Principal, alert_id: str) -> AlertPublic:
    alert = await get_or_404(session=session, alert_id=alert_id)
    principal.check_county(alert.county_code)
    return public(alert, (await _actions(session, [alert.id]))[alert.id])


ALLOWED: dict[str, set[AlertStatus]] = {
    "acknowledge": {AlertStatus.open},
    "resolve": {AlertStatus.open, AlertStatus.acknowledged},
}
ACTION_NAMES = {"acknowledge": "确认", "resolve": "处理完毕"}


async def act(*, session: AsyncSession, principal: Principal, alert_id: str, action: Action, note: str) -> AlertPublic:
    """确认 / 处理完毕: recorded once, only from a status that allows it (else 409 naming the current status)."""
    await db.lock_key(session, f"alert:{alert_id}")
    alert = await get_or_404(session=session, alert_id=alert_id)
    principal.check_county(alert.county_code)
    done = (await _actions(session, [alert.id]))[alert.id]
    current = status_of(alert.retracted, [a.action for a in done])
    if current not in ALLOWED[action]:
        raise Conflict(f"预警当前状态为 {current.value} {STATUS_NAMES[current]}，不能{ACTION_NAMES[action]} "
                       f"(alert {alert_id} is {current.value}; cannot {action})", field_name="status",
                       status_now=current.value)
    record = AlertAction(alert_id=alert.id, action=action, note=note, by=principal.client_id, at=clock.now())
    session.add(record)
    try:
        await session.flush()
    except IntegrityError:  # the same action recorded at the same moment by another request
        raise Conflict(f"预警已{ACTION_NAMES[action]} (alert {alert_id} was already {action}d)",
                       field_name="status") from None
    views.mark(session, [alert.id_number])  # the person view shows the alert's status and notes
    return public(alert, [*done, record])


def audit_row(principal: Principal, *, alert: AlertPublic, action: Action, note: str,
              purpose: str | None) -> dict[str, Any]:
    """The audit-log row of a staff action (who, what, when, why)."""
    return {"at": datetime.now(UTC), "client_id": principal.client_id, "client_name": principal.name,
            "action": f"alert.{action} {alert.id} ({alert.rule}) -> {alert.status.value}: {note}"[:300],
            "subject": None, "purpose": purpose, "correlation_id": None, "fields": ["alert"]}


# ---- the daily coverage-gap check --------------------------------------------------------------------------------


async def check_coverage(session: AsyncSession, _outbox: object, today: date) -> int:
    """Evaluate the persons whose employment registrations passed their grace days since the last run."""
    rule = POLICY.today().rules["coverage_gap"]
    if not rule.enabled:
        return 0
    last_in_time = today - timedelta(days=rule.number("grace_days"))
    due = (await session.execute(select(AlertFact).where(
        col(AlertFact.kind) == "employment", col(AlertFact.checked) == false(),
        col(AlertFact.start_date) < last_in_time))).scalars().all()
    at = datetime.combine(today, time(), clock.BUREAU_TZ)
    persons = sorted({f.id_number for f in due if f.id_number})
    for fact in due:
        fact.checked = True
    await session.flush()
    rules.open_batch(session)  # the persons' facts and alerts in memory, loaded at once and written back at once
    await rules.load_subjects(session, persons, ())
    for id_number in persons:
        await rules.evaluate_person(session, id_number, at)
    await rules.write_batch(session)
    return len(due)


def coverage_job(outbox: Callable[[], object] = lambda: None) -> Job:
    """Daily at 01:30 Beijing time: employment registrations past their grace days without the enrolments."""
    return daily_job(COVERAGE_JOB, time(1, 30), outbox, check_coverage,
                     lambda n: f"checked {n} employment registrations")


# ---- the person view ---------------------------------------------------------------------------------------------


async def alerts_for_person(source: AsyncSession | db.KeyLookups, id_number: str) -> list[AlertPublic]:
    """The alerts about one person (newest first, retracted ones left out), from a session or the key look-ups."""
    if not isinstance(source, db.KeyLookups):
        return (await alerts_of_persons(source, [id_number]))[id_number]
    rows = await source.rows("alerts", "id_number", id_number, ALERT_COLUMNS)
    found = []
    for row in rows:
        alert = dict(zip(ALERT_COLUMNS, row, strict=True))
        if alert["retracted"]:
            continue
        actions = await source.rows("alert_actions", "alert_id", alert["id"], ("action", "note", "by", "at"))
        found.append(public(alert, [dict(zip(("action", "note", "by", "at"), a, strict=True)) for a in actions]))
    return _newest_first(found)


# The live alerts of a list of persons and their staff actions, as rows (no ORM objects), for SQLite (False) and
# PostgreSQL (True), built once.
_alerts: Table = Alert.__table__  # type: ignore[attr-defined]
_actions_table: Table = AlertAction.__table__  # type: ignore[attr-defined]
_LIVE_ALERTS_OF = {pg: select(*(_alerts.c[name] for name in ALERT_COLUMNS)).where(
    db.among(_alerts.c.id_number, "ids", postgres=pg), _alerts.c.retracted == false()) for pg in (False, True)}
_ACTIONS_OF = {pg: select(_actions_table.c.alert_id, _actions_table.c.action, _actions_table.c.note,
                          _actions_table.c.by, _actions_table.c.at).where(
    db.among(_actions_table.c.alert_id, "ids", postgres=pg)) for pg in (False, True)}


async def alerts_of_persons(session: AsyncSession, id_numbers: Sequence[str]) -> dict[str, list[AlertPublic]]:
    """The alerts about each of ``id_numbers`` as :func:`alerts_for_person` gives them, in two statements."""
    postgres = session.get_bind().dialect.name == "postgresql"
    alerts = (await session.execute(_LIVE_ALERTS_OF[postgres], {"ids": db.among_values(id_numbers, postgres=postgres)}
                                    )).mappings().all()
    found: dict[str, list[AlertPublic]] = {i: [] for i in id_numbers}
    if not alerts:
        return found
    by_alert: dict[str, list[dict[str, Any]]] = {a["id"]: [] for a in alerts}
    actions = await session.execute(_ACTIONS_OF[postgres], {"ids": db.among_values(list(by_alert), postgres=postgres)})
    for action in actions.mappings():
        by_alert[action["alert_id"]].append(dict(action))
    for alert in alerts:
        found[alert["id_number"]].append(public(dict(alert), by_alert[alert["id"]]))
    return {key: _newest_first(views) for key, views in found.items()}


def _newest_first(alerts: list[AlertPublic]) -> list[AlertPublic]:
    alerts.sort(key=lambda a: (a.detected_at, a.id), reverse=True)
    return alerts
