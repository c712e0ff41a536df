"""The rules of 政策监管: what each finds in a subject's facts, and the reconciliation of what they find with the
alerts already raised.

Each evaluation looks at all of one subject's facts (a person's, or an employer's; in memory, see "the facts and
alerts of a batch" below) and lists the alerts the rules find now; :func:`reconcile` then inserts the new ones,
refreshes the evidence of the others and retracts (``retracted``) those no rule finds any more because a source
record was corrected or cancelled. So a rule fires whichever of its facts arrives last, a redelivered event finds
nothing to change, and a rule switched off (policy.toml) neither raises nor retracts anything.
"""

from __future__ import annotations

import functools
import hashlib
from calendar import monthrange
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic_core import from_json, to_json
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.alerts.models import Alert, AlertFact
from gateway.alerts.policy import POLICY, AlertPolicy
from gateway.readmodel import views
from gateway.readmodel.rows import RowTable
from hrss_shared import clock

PERSON_RULES = ("benefit_after_reemployment", "unemployed_while_contributing", "duplicate_subsidy_claim",
                "subsidy_paid_twice", "coverage_gap", "welfare_post_after_eligibility",
                "talent_benefit_after_employment")
EMPLOYER_RULES = ("dishonest_employer_benefit", "below_minimum_wage")
PERSON_KINDS = ("employment", "unemployment", "benefit", "benefit_payment", "contribution", "enrolment", "subsidy",
                "subsidy_refused", "training_enrolment", "talent_payment", "placement", "key_group")
EMPLOYER_KINDS = ("dishonest", "employer_benefit", "payroll_below_minimum")
CANCELLED = "cancelled"
INSURANCE_NAMES = {"employee_pension": "企业职工基本养老保险", "unemployment": "失业保险", "work_injury": "工伤保险",
                   "resident_pension": "城乡居民基本养老保险"}
RECEIVED_NAMES = {"startup_loan": "创业担保贷款", "startup_subsidy": "乡村创业一次性补贴",
                  "public_welfare_post": "公益性岗位开发", "training_base": "培训基地认定"}


@dataclass
class Found:
    """An alert a rule finds now."""

    rule: str
    key: str  # what makes it one alert among the subject's alerts of the rule (the evidence key)
    summary: str
    facts: list[AlertFact]
    day: date | None  # the day of the fact it is about (``applies_from``)
    detail: dict[str, Any] = field(default_factory=dict)
    detected_at: datetime | None = None  # None: the time of the event being applied


def alert_id(rule: str, subject: str, key: str) -> str:
    """Deterministic: the same rule, subject and evidence key give the same id after a rebuild."""
    return hashlib.sha256(f"{rule}|{subject}|{key}".encode()).hexdigest()[:32]


def month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, monthrange(year, number)[1])


def _live(facts: Iterable[AlertFact]) -> list[AlertFact]:
    return [f for f in facts if f.status != CANCELLED]


def dumps(value: Any) -> str:
    """Facts' and alerts' JSON columns: compact, keys sorted (one text for one content, whatever the order the
    events came in), values JSON cannot hold (dates) as their ``str``. pydantic-core's encoder: a few times faster
    than the json module's with these options, and this runs on every event the alerts consume."""
    if isinstance(value, dict):
        value = dict(sorted(value.items()))
    return to_json(value, fallback=str).decode()


def loads(text: str) -> Any:
    return from_json(text)


_parsed_detail = functools.lru_cache(maxsize=4096)(from_json)  # a detail text parsed once (the rules only read it)


def _detail(fact: AlertFact) -> dict[str, Any]:
    value: dict[str, Any] = _parsed_detail(fact.detail)
    return value


def _overlaps(fact: AlertFact, first: date, last: date) -> bool:
    """A period (start_date … end_date, open-ended without an end) has a day in first … last."""
    return fact.start_date is not None and fact.start_date <= last and (fact.end_date is None or fact.end_date >= first)


# ---- person rules ------------------------------------------------------------------------------------------------


def benefit_after_reemployment(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(1) 失业保险金 paid for a month in which the person holds a job that began on or after the benefit began."""
    benefits = {f.record_id: f for f in by["benefit"]}
    found = []
    for pay in by["benefit_payment"]:
        assert pay.month is not None
        first, last = month_bounds(pay.month)
        benefit = benefits.get(_detail(pay)["benefit_id"])
        began = benefit.start_date if benefit is not None else None
        for job in _live(by["employment"]):
            if (began is None or (job.start_date is not None and job.start_date >= began)) and \
                    _overlaps(job, first, last):
                found.append(Found(
                    "benefit_after_reemployment", pay.record_id,
                    f"{pay.month} 的失业保险金于 {pay.start_date} 发放，而此人已于 {job.start_date} 重新就业"
                    f"（就业登记 {job.record_id}），该月仍在职。",
                    [pay, job, *([benefit] if benefit else [])], pay.start_date,
                    {"month": pay.month, "amount": _detail(pay).get("amount"), "reemployed_date": job.start_date,
                     "employment_registration_id": job.record_id, "benefit_id": _detail(pay)["benefit_id"]}))
                break
    return found


def unemployed_while_contributing(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(2) An employer paid contributions for a month the person was registered unemployed for the whole of."""
    months: dict[tuple[str, str], list[AlertFact]] = defaultdict(list)
    for contribution in _live(by["contribution"]):
        regular = _detail(contribution).get("kind", "regular") == "regular"
        if contribution.credit_code is not None and contribution.month is not None and regular:
            months[(contribution.credit_code, contribution.month)].append(contribution)
    found = []
    for (credit_code, month), paid in sorted(months.items()):
        first, last = month_bounds(month)
        for spell in _live(by["unemployment"]):
            if spell.start_date is not None and spell.start_date <= first and \
                    (spell.end_date is None or spell.end_date >= last):
                types = sorted({_detail(p).get("insurance_type", "") for p in paid})
                names = "、".join(INSURANCE_NAMES.get(t, t) for t in types)
                found.append(Found(
                    "unemployed_while_contributing", f"{credit_code}:{month}",
                    f"单位 {credit_code} 为其缴纳了 {month} 的社会保险费（{names}），"
                    f"而此人自 {spell.start_date} 起处于失业登记状态（失业登记 {spell.record_id}），该月整月未注销。",
                    [*paid, spell], first,
                    {"month": month, "credit_code": credit_code, "insurance_types": types,
                     "unemployment_registration_id": spell.record_id, "registered_date": spell.start_date}))
                break
    return found


def duplicate_subsidy_claim(by: dict[str, list[AlertFact]], reasons: list[str]) -> list[Found]:
    """(3a) A training-subsidy claim the training service refused as a duplicate."""
    found = []
    for refused in by["subsidy_refused"]:
        d = _detail(refused)
        if d.get("reason") in reasons:
            level = f"{d['level']}级" if d.get("level") else "（无等级）"
            found.append(Found(
                "duplicate_subsidy_claim", refused.record_id,
                f"职业 {d.get('occupation_code')} {level}的培训补贴重复申领，已于 {refused.start_date} 不予核发"
                f"（已享受的补贴 {d.get('earlier_subsidy_id') or '未列明'}）：{d.get('detail')}",
                [refused], refused.start_date,
                {"reason": d.get("reason"), "occupation_code": d.get("occupation_code"), "level": d.get("level"),
                 "earlier_subsidy_id": d.get("earlier_subsidy_id")}))
    return found


def subsidy_paid_twice(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(3b) Two or more subsidies granted and not revoked for the same occupation and level."""
    enrolments = {f.record_id: f for f in by["training_enrolment"]}
    groups: dict[tuple[str, int], list[AlertFact]] = defaultdict(list)
    for granted in _live(by["subsidy"]):
        d = _detail(granted)
        if granted.status == "granted" and d.get("level"):
            groups[(d["occupation_code"], int(d["level"]))].append(granted)
    found = []
    for (occupation, level), paid in sorted(groups.items()):
        if len(paid) < 2:
            continue
        paid.sort(key=lambda f: f.record_id)
        through = []
        for grant in paid:
            d = _detail(grant)
            enrolment = enrolments.get(d.get("enrolment_id") or "")
            if enrolment is not None:
                through.append(f"培训机构 {enrolment.credit_code}")
            elif d.get("certificate_id"):
                through.append(f"证书 {d['certificate_id']}")
            else:
                through.append(f"报名 {d.get('enrolment_id')}")
        found.append(Found(
            "subsidy_paid_twice", "+".join(f.record_id for f in paid),
            f"职业 {occupation} {level}级的培训补贴已核发 {len(paid)} 笔（{'；'.join(through)}），"
            "同一职业同一等级只能享受一次。",
            [*paid, *(e for e in (enrolments.get(_detail(g).get("enrolment_id") or "") for g in paid) if e)],
            max(f.start_date for f in paid if f.start_date) if any(f.start_date for f in paid) else None,
            {"occupation_code": occupation, "level": level, "subsidy_ids": [f.record_id for f in paid],
             "through": through}))
    return found


def coverage_gap(by: dict[str, list[AlertFact]], grace_days: int, types: list[str], today: date) -> list[Found]:
    """(4) No enrolment of a required type with the employer within the grace days of an employment registration."""
    found = []
    for job in _live(by["employment"]):
        if job.start_date is None or job.credit_code is None:
            continue
        due = job.start_date + timedelta(days=grace_days)
        if today <= due or (job.end_date is not None and job.end_date <= due):
            continue
        enrolments = [n for n in _live(by["enrolment"]) if n.credit_code == job.credit_code]
        covered = {_detail(n).get("insurance_type") for n in enrolments if n.start_date and n.start_date <= due}
        missing = [t for t in types if t not in covered]
        if not missing:
            continue
        found.append(Found(
            "coverage_gap", job.record_id,
            f"自 {job.start_date} 起在单位 {job.credit_code} 就业（就业登记 {job.record_id}），至宽限期末 {due}"
            f"（{grace_days} 日）仍未参保：{'、'.join(INSURANCE_NAMES.get(t, t) for t in missing)}。",
            [job, *enrolments], job.start_date,
            {"credit_code": job.credit_code, "start_date": job.start_date, "due_date": due, "grace_days": grace_days,
             "missing_insurance_types": missing},
            detected_at=datetime.combine(due + timedelta(days=1), time(), clock.BUREAU_TZ)))
    return found


def welfare_post_after_eligibility(by: dict[str, list[AlertFact]], grace_days: int) -> list[Found]:
    """(5) A public-welfare placement running more than the grace days past the end of the certification (a key
    group of the placement) that admitted the person. A certification that ended with an unemployment registration's
    closure on the same day is not an end of eligibility: the placement itself is the re-employment that closes it."""
    closures = {u.end_date for u in by["unemployment"] if u.end_date is not None}
    found = []
    for placement in by["placement"]:
        groups = set(_detail(placement).get("groups", []))
        start = placement.start_date
        admitting = [m for m in by["key_group"] if _detail(m).get("group") in groups and start is not None
                     and m.start_date is not None and m.start_date <= start
                     and (m.end_date is None or m.end_date >= start)]
        if not admitting or any(m.end_date is None or m.end_date in closures for m in admitting):
            continue
        last = max(admitting, key=lambda m: (m.end_date or start, m.record_id))
        ended = last.end_date
        assert ended is not None and placement.end_date is not None
        if placement.end_date <= ended + timedelta(days=grace_days):
            continue
        on_post = "已于 " + str(placement.end_date) + " 退出" if placement.status == "ended" else \
            "协议期至 " + str(placement.end_date) + "，尚未退出"
        found.append(Found(
            "welfare_post_after_eligibility", placement.record_id,
            f"公益性岗位安置 {placement.record_id}（单位 {placement.credit_code}，自 {start} 起）依据的认定"
            f"（{_detail(last).get('group')}）已于 {ended} 终止，超过 {grace_days} 日仍在岗（{on_post}）。",
            [placement, last], ended,
            {"credit_code": placement.credit_code, "placement_start": start, "eligibility_ended": ended,
             "on_post_until": placement.end_date, "exited": placement.status == "ended", "grace_days": grace_days,
             "group": _detail(last).get("group")}))
    return found


def talent_benefit_after_employment(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(8) A talent benefit paid for a month after all the person's Quzhou employment had ended."""
    jobs = _live(by["employment"])
    found = []
    for pay in by["talent_payment"]:
        assert pay.month is not None
        first, last = month_bounds(pay.month)
        d = _detail(pay)
        employed = any(_overlaps(job, first, last) for job in jobs)
        ended = sorted((job for job in jobs if job.end_date is not None and job.end_date < first),
                       key=lambda job: job.end_date or first)
        if not (d.get("after_stop") or (not employed and ended)):
            continue
        if ended and not employed:
            why = f"最近一次在衢就业已于 {ended[-1].end_date} 终止（就业登记 {ended[-1].record_id}）"
        else:
            why = f"人才服务已于 {d.get('stop_period')} 起停发"
        found.append(Found(
            "talent_benefit_after_employment", pay.record_id,
            f"人才政策待遇 {d.get('benefit_kind')} 的 {pay.month} 期于 {pay.start_date} 发放，而{why}。",
            [pay, *ended[-1:]], pay.start_date,
            {"period": pay.month, "benefit_kind": d.get("benefit_kind"), "after_stop": d.get("after_stop"),
             "employment_ended": ended[-1].end_date if ended else None, "amount": d.get("amount")}))
    return found


# ---- employer rules ----------------------------------------------------------------------------------------------


def dishonest_employer_benefit(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(6) An employer on the dishonesty list received a start-up loan or subsidy, a public-welfare post or a
    training-base recognition on a day it was listed (from the decision date to the day before its removal)."""
    found = []
    for received in by["employer_benefit"]:
        day = received.start_date
        for entry in by["dishonest"]:
            if day is not None and entry.start_date is not None and entry.start_date <= day and \
                    (entry.end_date is None or day < entry.end_date):
                what = _detail(received)["what"]
                found.append(Found(
                    "dishonest_employer_benefit", received.record_id,
                    f"单位 {received.credit_code} 自 {entry.start_date} 起列入拖欠农民工工资失信联合惩戒名单"
                    f"（{_detail(entry).get('decision_reference')}），于 {day} 获得{RECEIVED_NAMES.get(what, what)}。",
                    [received, entry], day,
                    {"what": what, "received_date": day, "listed_date": entry.start_date,
                     "decision_reference": _detail(entry).get("decision_reference")}))
                break
    return found


def below_minimum_wage(by: dict[str, list[AlertFact]]) -> list[Found]:
    """(7) A payroll that paid workers below the minimum wage (judged by labour relations, carried here)."""
    found = []
    for payroll in _live(by["payroll_below_minimum"]):
        d = _detail(payroll)
        if "minimum_wage" not in d:  # only a cancellation is known so far
            continue
        flag = "（示例值，未核实官方文件）" if d.get("illustrative") else ""
        found.append(Found(
            "below_minimum_wage", payroll.record_id,
            f"项目 {d.get('project_id')} {payroll.month} 的工资发放中 {d.get('workers_below')} 人低于月最低工资标准 "
            f"{d.get('minimum_wage')} 元{flag}，最低实发 {d.get('lowest_amount')} 元。"
            f"依据：{d.get('minimum_wage_source')}",
            [payroll], month_bounds(payroll.month)[0] if payroll.month else None,
            {"project_id": d.get("project_id"), "month": payroll.month, "minimum_wage": d.get("minimum_wage"),
             "minimum_wage_source": d.get("minimum_wage_source"), "illustrative": d.get("illustrative"),
             "workers_below": d.get("workers_below"), "lowest_amount": d.get("lowest_amount")}))
    return found


# ---- the facts and alerts of a batch ------------------------------------------------------------------------------
#
# A consumed batch works on the facts and alerts in memory (gateway.readmodel.rows): the batch hook of
# gateway.alerts.facts loads, before the handlers, the facts its events name and every fact and alert of the subjects
# they name (three queries); the handlers fold events into the facts and evaluate their subject's rules on the facts in
# memory after each event, as before; after the handlers, the changed facts and alerts are written back (one upsert
# per table). ``checked`` belongs to the daily coverage job: an upsert never overwrites it on an existing fact.

FACTS = RowTable(AlertFact, load_column="record_id", load_filter={"kind": (*PERSON_KINDS, *EMPLOYER_KINDS)},
                 keep=("checked",))
ALERTS = RowTable(Alert, load_column="id")
ALL_RULES = (*PERSON_RULES, *EMPLOYER_RULES)
_INFO = "hrss_alerts_batch"


class Subjects:
    """One session's batch: whose facts and alerts are loaded, facts by subject, alerts by subject."""

    __slots__ = ("alerts", "by_employer", "by_person", "dirty", "employer_kinds", "employers", "evaluated",
                 "person_kinds", "persons")

    def __init__(self) -> None:
        # (person|employer, key) -> the day and policy of its last evaluation in the batch, the kinds of its facts
        # changed since then
        self.evaluated: dict[tuple[str, str], tuple[date, AlertPolicy]] = {}
        self.dirty: dict[tuple[str, str], set[str]] = {}
        self.persons: set[str] = set()
        self.employers: set[str] = set()
        self.by_person: dict[str, set[tuple[str, str]]] = {}
        self.by_employer: dict[str, set[tuple[str, str]]] = {}
        # the kinds of facts each subject has had in the batch (a superset when a fact moved to another subject)
        self.person_kinds: dict[str, set[str]] = {}
        self.employer_kinds: dict[str, set[str]] = {}
        self.alerts: dict[str, dict[str, Any]] = {}


def batch_of(session: AsyncSession) -> Subjects | None:
    found: Subjects | None = session.info.get(_INFO)
    return found


def open_batch(session: AsyncSession) -> Subjects:
    found = batch_of(session)
    if found is None:
        found = session.info[_INFO] = Subjects()
        FACTS.open(session)
        ALERTS.open(session)
    return found


async def write_batch(session: AsyncSession) -> None:
    """Write the batch's changed facts and alerts back and close it."""
    await FACTS.write(session)
    await ALERTS.write(session)
    session.info.pop(_INFO, None)


def index(state: Subjects, fact: Any) -> None:
    """Find ``fact`` under its (current) person and employer."""
    key = (fact.kind, fact.record_id)
    if fact.id_number is not None:
        state.by_person.setdefault(fact.id_number, set()).add(key)
        state.person_kinds.setdefault(fact.id_number, set()).add(fact.kind)
    if fact.credit_code is not None:
        state.by_employer.setdefault(fact.credit_code, set()).add(key)
        state.employer_kinds.setdefault(fact.credit_code, set()).add(fact.kind)


async def load_records(session: AsyncSession, record_ids: Iterable[str]) -> None:
    """Load the facts of these record ids (every kind) into the batch."""
    state = open_batch(session)
    for fact in await FACTS.load(session, {"record_id": record_ids}):
        index(state, fact)


async def load_subjects(session: AsyncSession, persons: Iterable[str], employers: Iterable[str]) -> None:
    """Load every fact and alert of these persons and employers into the batch (those not loaded yet)."""
    state = open_batch(session)
    new_persons, new_employers = set(persons) - state.persons, set(employers) - state.employers
    if new_persons:
        for fact in await FACTS.load(session, {"kind": PERSON_KINDS, "id_number": new_persons}, mark=False):
            index(state, fact)
    if new_employers:
        for fact in await FACTS.load(session, {"kind": EMPLOYER_KINDS, "credit_code": new_employers}, mark=False):
            index(state, fact)
    if new_persons or new_employers:
        for alert in await ALERTS.load(session, {"rule": ALL_RULES, "subject": new_persons | new_employers},
                                       mark=False):
            state.alerts.setdefault(alert.subject, {})[alert.id] = alert
    state.persons |= new_persons
    state.employers |= new_employers


async def fact(session: AsyncSession, kind: str, record_id: str) -> Any | None:
    """The fact ``(kind, record_id)`` as the batch has it (None if there is none)."""
    state = open_batch(session)
    row = await FACTS.get(session, (kind, record_id))
    if row is not None:
        index(state, row)
    return row


def new_fact(session: AsyncSession, **values: Any) -> Any:
    row = FACTS.changed(session, FACTS.new(**values))
    index(open_batch(session), row)
    return row


def changed_fact(session: AsyncSession, row: Any, before: tuple[str | None, str | None] = (None, None)) -> None:
    """Mark a fact as changed (written back after the batch), index it under its current subjects and note its kind
    as changed for them and for the subjects it had ``before`` (id_number, credit_code)."""
    FACTS.changed(session, row)
    state = open_batch(session)
    index(state, row)
    kind = row.kind
    if kind in PERSON_KINDS:
        for id_number in {row.id_number, before[0]}:
            if id_number is not None:
                state.dirty.setdefault(("person", id_number), set()).add(kind)
    if kind in EMPLOYER_KINDS:
        for credit_code in {row.credit_code, before[1]}:
            if credit_code is not None:
                state.dirty.setdefault(("employer", credit_code), set()).add(kind)


def _facts(session: AsyncSession, state: Subjects, column: str, value: str,
           kinds: tuple[str, ...]) -> dict[str, list[AlertFact]]:
    keys = (state.by_person if column == "id_number" else state.by_employer).get(value, ())
    batch = FACTS.batch(session)
    rows = batch.rows if batch is not None else {}
    by: dict[str, list[AlertFact]] = {kind: [] for kind in kinds}
    for key in keys:
        row = rows.get(key)
        if row is not None and getattr(row, column) == value and row.kind in by:
            by[row.kind].append(row)
    for facts in by.values():
        facts.sort(key=lambda f: f.record_id)
    return by


# ---- evaluation and reconciliation -------------------------------------------------------------------------------


RULE_KINDS: dict[str, frozenset[str]] = {
    # the kinds of facts each rule reads (its only input besides the policy and today)
    "benefit_after_reemployment": frozenset({"benefit", "benefit_payment", "employment"}),
    "unemployed_while_contributing": frozenset({"contribution", "unemployment"}),
    "duplicate_subsidy_claim": frozenset({"subsidy_refused"}),
    "subsidy_paid_twice": frozenset({"subsidy", "training_enrolment"}),
    "coverage_gap": frozenset({"employment", "enrolment"}),
    "welfare_post_after_eligibility": frozenset({"unemployment", "placement", "key_group"}),
    "talent_benefit_after_employment": frozenset({"employment", "talent_payment"}),
    "dishonest_employer_benefit": frozenset({"employer_benefit", "dishonest"}),
    "below_minimum_wage": frozenset({"payroll_below_minimum"}),
}


NEEDS: dict[str, frozenset[str]] = {
    # the kinds of facts a subject must have for each rule to find anything: without one of them its finder finds
    # nothing, so it is not run (a person's twelfth contribution in a batch does not read the eleven before it when
    # the person was never registered unemployed)
    "benefit_after_reemployment": frozenset({"benefit_payment", "employment"}),
    "unemployed_while_contributing": frozenset({"contribution", "unemployment"}),
    "duplicate_subsidy_claim": frozenset({"subsidy_refused"}),
    "subsidy_paid_twice": frozenset({"subsidy"}),
    "coverage_gap": frozenset({"employment"}),
    "welfare_post_after_eligibility": frozenset({"placement", "key_group"}),
    "talent_benefit_after_employment": frozenset({"talent_payment"}),
    "dishonest_employer_benefit": frozenset({"employer_benefit", "dishonest"}),
    "below_minimum_wage": frozenset({"payroll_below_minimum"}),
}


Finder = Callable[[dict[str, list[AlertFact]], AlertPolicy, date], list[Found]]
FINDERS: dict[str, Finder] = {
    # each rule's finder: the subject's facts by kind, the policy in force and today -> what it finds
    "benefit_after_reemployment": lambda by, policy, today: benefit_after_reemployment(by),
    "unemployed_while_contributing": lambda by, policy, today: unemployed_while_contributing(by),
    "duplicate_subsidy_claim": lambda by, policy, today: duplicate_subsidy_claim(
        by, policy.rules["duplicate_subsidy_claim"].names("reasons")),
    "subsidy_paid_twice": lambda by, policy, today: subsidy_paid_twice(by),
    "coverage_gap": lambda by, policy, today: coverage_gap(
        by, policy.rules["coverage_gap"].number("grace_days"), policy.rules["coverage_gap"].names("insurance_types"),
        today),
    "welfare_post_after_eligibility": lambda by, policy, today: welfare_post_after_eligibility(
        by, policy.rules["welfare_post_after_eligibility"].number("grace_days")),
    "talent_benefit_after_employment": lambda by, policy, today: talent_benefit_after_employment(by),
    "dishonest_employer_benefit": lambda by, policy, today: dishonest_employer_benefit(by),
    "below_minimum_wage": lambda by, policy, today: below_minimum_wage(by),
}


@dataclass(frozen=True)
class Side:
    """Persons or employers: the rules, the facts' subject column and kinds, the batch's loaded subjects."""

    name: str
    rules: tuple[str, ...]
    column: str
    kinds: tuple[str, ...]


PERSONS = Side("person", PERSON_RULES, "id_number", PERSON_KINDS)
EMPLOYERS = Side("employer", EMPLOYER_RULES, "credit_code", EMPLOYER_KINDS)


def findings(by: dict[str, list[AlertFact]], policy: AlertPolicy, today: date, rules: Iterable[str]) -> list[Found]:
    """What the rules ``rules`` find in one subject's facts ``by``."""
    return [found for rule in rules for found in FINDERS[rule](by, policy, today)]


def _to_run(state: Subjects, subject: tuple[str, str], rules: tuple[str, ...], policy: AlertPolicy,
            today: date) -> tuple[str, ...]:
    """The rules to evaluate for ``subject`` now. The first evaluation in a batch runs them all; a later one in the
    same batch (same day and policy) only those reading a kind of fact changed since: the others would find what they
    found then, which their alerts already show, so reconciling them again would change nothing."""
    dirty: set[str] | frozenset[str] = state.dirty.pop(subject, frozenset())
    previous = state.evaluated.get(subject)
    state.evaluated[subject] = (today, policy)
    if previous is None or previous[0] != today or previous[1] is not policy:
        return rules
    return tuple(rule for rule in rules if not RULE_KINDS[rule].isdisjoint(dirty))


async def _evaluate(session: AsyncSession, side: Side, subject: str, at: datetime) -> None:
    """Evaluate ``side``'s rules on one subject's facts and reconcile its alerts (in the session's batch; outside
    one, in a batch of its own written back at once)."""
    state = batch_of(session)
    if state is None:
        open_batch(session)
        await _evaluate(session, side, subject, at)
        await write_batch(session)
        return
    person = side is PERSONS
    if subject not in (state.persons if person else state.employers):
        await load_subjects(session, (subject,) if person else (), () if person else (subject,))
    policy, today = POLICY.today(), clock.today()
    run = _to_run(state, (side.name, subject), side.rules, policy, today)
    if not run:
        return
    had = state.person_kinds if person else state.employer_kinds
    kinds: set[str] | frozenset[str] = had.get(subject, frozenset())
    finding = tuple(rule for rule in run if NEEDS[rule] <= kinds)
    found = findings(_facts(session, state, side.column, subject, side.kinds), policy, today, finding) \
        if finding else []
    if not found and not state.alerts.get(subject):
        return  # nothing found and nothing raised before: nothing to reconcile
    await reconcile(session, policy, subject=subject, rules=run, found=found, at=at, **{side.column: subject})


async def evaluate_person(session: AsyncSession, id_number: str, at: datetime) -> None:
    """Evaluate the person rules on one person's facts and reconcile their alerts."""
    await _evaluate(session, PERSONS, id_number, at)


async def evaluate_employer(session: AsyncSession, credit_code: str, at: datetime) -> None:
    """Evaluate the employer rules on one employer's facts and reconcile their alerts."""
    await _evaluate(session, EMPLOYERS, credit_code, at)


def _evidence(facts: Iterable[AlertFact]) -> str:
    proofs: list[list[str]] = []
    for fact in facts:
        for proof in from_json(fact.evidence):
            if proof not in proofs:
                proofs.append(proof)
    return to_json(proofs).decode()


async def reconcile(session: AsyncSession, policy: AlertPolicy, *, subject: str, rules: tuple[str, ...],
                    found: list[Found], at: datetime, id_number: str | None = None,
                    credit_code: str | None = None) -> None:
    """Make the subject's alerts of the rules that are on what the rules find now."""
    on = {rule for rule in rules if policy.rules[rule].enabled}
    wanted = {alert_id(f.rule, subject, f.key): f for f in found
              if f.rule in on and policy.rules[f.rule].applies_to(f.day)}
    state = open_batch(session)
    mine = state.alerts.setdefault(subject, {})
    existing = {key: alert for key, alert in mine.items() if alert.rule in on}
    for key, f in wanted.items():
        alert = existing.get(key)
        county = next((fact.county_code for fact in f.facts if fact.county_code), None)
        evidence, detail = _evidence(f.facts), dumps(f.detail)
        if alert is None:
            detected = f.detected_at or at
            views.mark(session, [id_number])
            mine[key] = ALERTS.changed(session, ALERTS.new(
                id=key, rule=f.rule, subject=subject, evidence_key=f.key[:200], id_number=id_number,
                credit_code=credit_code or f.detail.get("credit_code"), county_code=county, summary=f.summary,
                detail=detail, evidence=evidence, detected_at=detected, detected_date=clock.bureau_date(detected),
                retracted=False, retracted_at=None))
            continue
        if (alert.summary, alert.detail, alert.evidence, alert.county_code, alert.retracted) != \
                (f.summary, detail, evidence, county, False):
            alert.summary, alert.detail, alert.evidence, alert.county_code = f.summary, detail, evidence, county
            alert.retracted, alert.retracted_at = False, None
            ALERTS.changed(session, alert)
            views.mark(session, [alert.id_number])
    for key, alert in existing.items():
        if key not in wanted and not alert.retracted:
            alert.retracted, alert.retracted_at = True, at
            ALERTS.changed(session, alert)
            views.mark(session, [alert.id_number])
