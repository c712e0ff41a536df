"""Set-based rules of the bulk paths (the synthetic city, large imports). "Today" is the bureau's.

Each path checks its rows the way the single-record API does, but over a staging table in one statement
(:func:`hrss_shared.bulk.staged`), writes the accepted rows with ``COPY`` (:func:`hrss_shared.bulk.copy_rows`)
and stages their events with :meth:`hrss_shared.outbox.Outbox.add_many`, all in the request's transaction:

- 参保登记 (enrolments): recorded by hand, active from the start date, ``enrolment.registered`` per row (the API
  publishes no ``activated`` for these). Skipped when the person already has an open (pending, active or suspended)
  enrolment of the type with the same employer (or, without one, as an individual); refused where the API
  answers 409/422: another active enrolment of the type, an active enrolment of the other pension (employee and
  resident pension are never active together), the employer the type needs (policy/insurance_types.toml), a county
  the client may not write. Within one request the first row of a person and type (pensions: of either pension)
  wins.
- 发卡 (cards): one valid card per person, skipped when the person has an active or lost card; numbers follow the
  service's sequence (``Q`` + 8 digits) in row order; the policy's default scenarios; ``card.issued`` per card.
- 缴费 (contributions): the base clamped to the floor and ceiling of the month's policy and the amounts computed
  with the same functions and policy table as ``POST /v1/contributions`` (half up to the fen). Skipped when the
  person, type and month is already posted; refused when no enrolment of the type with that employer (or as an
  individual) covers the month, when the month is after the current one, when the paid date is in the future.
  A pending enrolment (参保"一件事") is activated by its first contribution as in the API (``enrolment.activated``,
  naming the earliest month's contribution of the request); when the person has another active enrolment of the
  type or of the other pension (the API would transfer it), the row is refused: post it with the single-record
  API. One ``contributions.posted`` event per employer, month and type (at most 1000 persons each) instead of one
  ``contribution.posted`` per row; a contribution without an employer (灵活就业人员, 城乡居民) gets its own
  ``contribution.posted`` as from the API (the events are keyed by their subject, an employer or a person).
  The employer's arrears are not re-checked here: the daily arrears job does it.
"""

from __future__ import annotations

import functools
import operator
import os
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, Integer, String, exists, func, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CARD_ISSUED,
    CONTRIBUTION_POSTED,
    CONTRIBUTIONS_POSTED,
    ENROLMENT_ACTIVATED,
    ENROLMENT_REGISTERED,
    MAX_POSTED_ITEMS,
    CardIssued,
    ContributionPosted,
    InsuranceEnrolmentActivated,
    InsuranceEnrolmentRegistered,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.bulk import BulkReport, Refusal, chunks, copy_rows, staged, table_of
from hrss_shared.db import lock_key
from hrss_shared.outbox import Outbox
from hrss_shared.problems import InvalidField
from social_insurance.bulk.models import ContributionRow
from social_insurance.cards import service as cards
from social_insurance.cards.models import VALID_STATUSES, Card, CardCreate, CardStatus
from social_insurance.common import TYPE_NAMES, InsuranceType, first_day, month_at, month_index, month_of
from social_insurance.contributions import service as contributions
from social_insurance.contributions.models import BasePolicy, Contribution, ContributionKind, ContributionStatus
from social_insurance.enrolments import service as enrolments
from social_insurance.enrolments.models import OPEN_STATUSES, Enrolment, EnrolmentCreate, EnrolmentStatus, Origin

ENROLMENTS = table_of(Enrolment)
CARDS = table_of(Card)
CONTRIBUTIONS = table_of(Contribution)
ZERO = Decimal("0.00")


def _unindexed(column: Any) -> Any:
    """``column`` as a term no index serves (``coalesce(column, '')`` of a NOT NULL column: the same value).

    Every look-up here goes by the person's ID number; SQLite's planner, with no statistics of a fresh table, would
    otherwise take the insurance-type, status or start-date index and scan every enrolment of the type for each
    staged row. PostgreSQL plans by its statistics either way."""
    return func.coalesce(column, "")


def _uuid() -> str:
    return str(uuid.uuid4())


def _uuids(count: int) -> Iterator[str]:
    """``count`` random (version 4) UUIDs as strings, as ``str(uuid.uuid4())`` gives them, from one urandom call."""
    raw = os.urandom(16 * count).hex()
    for i in range(0, 32 * count, 32):
        h = raw[i:i + 32]
        yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _county_refusal(principal: Principal, n: int, county_code: str) -> Refusal | None:
    reason = principal.county_problem(county_code)
    return None if reason is None else Refusal(row=n, field="county_code", reason=reason)


def _slot(insurance_type: str) -> str:
    """Types that may not be active together share a slot: the two pensions."""
    return "pension" if insurance_type in enrolments.PENSIONS else insurance_type


# ---- 参保登记 -------------------------------------------------------------------------------------------------

ENROLMENT_COLUMNS = ("id", "id_number", "name", "county_code", "insurance_type", "credit_code", "flexible", "status",
                     "origin", "start_date", "activated_date", "created_at")


async def post_enrolments(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                          rows: Sequence[EnrolmentCreate]) -> BulkReport:
    """参保登记 in bulk: active from the start date, ``enrolment.registered`` per written row."""
    refused: list[Refusal] = []
    skipped = 0
    keys: set[tuple[str, str, str | None]] = set()
    slots: dict[tuple[str, str], int] = {}
    candidates: list[tuple[int, EnrolmentCreate]] = []
    for n, row in enumerate(rows):
        if (refusal := _county_refusal(principal, n, row.county_code)) is not None:
            refused.append(refusal)
            continue
        try:
            enrolments.check_employer(insurance_type=row.insurance_type, credit_code=row.credit_code,
                                      flexible=row.flexible, on=row.start_date)
        except InvalidField as exc:  # also a start before 2011-07-01 (社会保险法): no insurance-types policy
            refused.append(Refusal(row=n, field=exc.errors[0].field, reason=exc.errors[0].reason))
            continue
        key = (row.id_number, str(row.insurance_type), row.credit_code)
        if key in keys:
            skipped += 1
            continue
        slot = (row.id_number, _slot(row.insurance_type))
        if slot in slots:
            refused.append(Refusal(row=n, field="insurance_type", reason=(
                f"本请求第 {slots[slot]} 行已为该人员登记{TYPE_NAMES[row.insurance_type]}或另一种养老保险，不能同时"
                f"有效 (row {slots[slot]} of this request enrols the person in this type or the other pension)")))
            continue
        keys.add(key)
        slots[slot] = n
        candidates.append((n, row))

    columns: list[Column[Any]] = [
        Column("row", Integer), Column("id_number", String(18)), Column("insurance_type", String(20)),
        Column("other_type", String(20)), Column("credit_code", String(18))]
    staged_rows = [(n, r.id_number, str(r.insurance_type), str(enrolments.PENSIONS.get(r.insurance_type,
                                                                                         r.insurance_type)),
                    r.credit_code) for n, r in candidates]
    verdicts: dict[int, tuple[bool, str | None]] = {}
    if staged_rows:
        async with staged(session, "si_enrolments", columns, staged_rows) as s:
            e = ENROLMENTS
            present = select(e.c.id).where(
                e.c.id_number == s.c.id_number, _unindexed(e.c.insurance_type) == s.c.insurance_type,
                func.coalesce(e.c.credit_code, "") == func.coalesce(s.c.credit_code, ""),
                _unindexed(e.c.status).in_([str(v) for v in OPEN_STATUSES])).exists()
            conflict = select(e.c.id).where(
                e.c.id_number == s.c.id_number, _unindexed(e.c.status) == EnrolmentStatus.active.value,
                _unindexed(e.c.insurance_type).in_([s.c.insurance_type, s.c.other_type]),
            ).limit(1).scalar_subquery()
            result = await session.execute(select(s.c.row, present, conflict))
            verdicts = {n: (bool(p), c) for n, p, c in result.all()}

    now = clock.now()
    written: list[tuple[Any, ...]] = []
    events: list[InsuranceEnrolmentRegistered] = []
    for n, row in candidates:
        is_present, existing = verdicts[n]
        if is_present:
            skipped += 1
            continue
        if existing is not None:
            refused.append(Refusal(row=n, field="insurance_type", existing_id=existing, reason=(
                f"该人员已有有效的{TYPE_NAMES[row.insurance_type]}参保登记或另一种养老保险参保登记 {existing} "
                "(an active enrolment of the type, or of the other pension, exists)")))
            continue
        enrolment_id = _uuid()
        written.append((enrolment_id, row.id_number, row.name, row.county_code, str(row.insurance_type),
                        row.credit_code, row.flexible, EnrolmentStatus.active.value, Origin.manual.value,
                        row.start_date, row.start_date, now))
        events.append(InsuranceEnrolmentRegistered(
            id=enrolment_id, id_number=row.id_number, county_code=row.county_code,
            insurance_type=row.insurance_type, credit_code=row.credit_code, flexible=row.flexible,
            status=EnrolmentStatus.active, start_date=row.start_date, end_date=None, origin=Origin.manual))
    await copy_rows(session, ENROLMENTS, ENROLMENT_COLUMNS, written)
    published = await outbox.add_many(session, ENROLMENT_REGISTERED, events)
    return BulkReport(kind="enrolments", received=len(rows), written=len(written), skipped=skipped,
                      events=published, refused=sorted(refused, key=lambda r: r.row))


# ---- 发卡 -------------------------------------------------------------------------------------------------------

CARD_COLUMNS = ("id", "card_number", "id_number", "name", "county_code", "status", "services", "issued_date",
                "created_at")


async def post_cards(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                     rows: Sequence[CardCreate]) -> BulkReport:
    """发卡 in bulk: one valid card per person, ``card.issued`` per card written."""
    today = clock.today()
    refused: list[Refusal] = []
    skipped = 0
    seen: set[str] = set()
    candidates: list[tuple[int, CardCreate, date]] = []
    for n, row in enumerate(rows):
        if (refusal := _county_refusal(principal, n, row.county_code)) is not None:
            refused.append(refusal)
            continue
        issued = row.issued_date or today
        if issued > today:
            refused.append(Refusal(row=n, field="issued_date",
                                   reason=f"发卡日期 {issued} 晚于今天 {today} (issued_date in the future)"))
            continue
        try:
            cards.POLICY.in_force(issued, field="issued_date", label="社会保障卡应用")
        except InvalidField as exc:
            refused.append(Refusal(row=n, field="issued_date", reason=exc.errors[0].reason))
            continue
        if row.id_number in seen:
            skipped += 1
            continue
        seen.add(row.id_number)
        candidates.append((n, row, issued))

    holders: set[str] = set()
    if candidates:
        columns: list[Column[Any]] = [Column("row", Integer), Column("id_number", String(18))]
        async with staged(session, "si_cards", columns, [(n, r.id_number) for n, r, _ in candidates]) as s:
            valid = select(CARDS.c.id).where(
                CARDS.c.id_number == s.c.id_number,
                _unindexed(CARDS.c.status).in_([str(v) for v in VALID_STATUSES])).exists()
            holders = {i for (i,) in (await session.execute(select(s.c.id_number).where(valid))).all()}
    accepted = [(n, r, issued) for n, r, issued in candidates if r.id_number not in holders]
    skipped += len(candidates) - len(accepted)

    written: list[tuple[Any, ...]] = []
    events: list[CardIssued] = []
    if accepted:
        await lock_key(session, cards.NUMBER_LOCK)
        latest = await session.scalar(select(func.max(CARDS.c.card_number)).where(
            CARDS.c.card_number.startswith(cards.PREFIX)))
        serial = int(latest[1:]) if latest else 0
        now = clock.now()
        for _, row, issued in accepted:
            serial += 1
            number = f"{cards.PREFIX}{serial:08d}"
            services = list(cards.POLICY.at(issued).default_enabled)
            card_id = _uuid()
            written.append((card_id, number, row.id_number, row.name, row.county_code, CardStatus.active.value,
                            services, issued, now))
            events.append(CardIssued(id=card_id, card_number=number, id_number=row.id_number,
                                     county_code=row.county_code, status=CardStatus.active, services=services,
                                     name=row.name, issued_date=issued))
    await copy_rows(session, CARDS, CARD_COLUMNS, written)
    published = await outbox.add_many(session, CARD_ISSUED, events)
    return BulkReport(kind="cards", received=len(rows), written=len(written), skipped=skipped,
                      events=published, refused=sorted(refused, key=lambda r: r.row))


# ---- 缴费 -------------------------------------------------------------------------------------------------------

CONTRIBUTION_COLUMNS = ("id", "id_number", "county_code", "insurance_type", "credit_code", "enrolment_id", "month",
                        "kind", "declared_base", "base", "base_adjustment", "employer_amount", "personal_amount",
                        "paid_date", "status", "policy_source", "illustrative", "created_at")
# The contributions' unique index (person, type, month): rows are staged and copied in its order, so each index page
# takes its rows together and the rule queries probe enrolments and contributions page after page, not at random.
_INDEX_ORDER = ("id_number", "insurance_type", "month")
# The staging table of a request's rows (staged copies the columns): the covering-enrolment and already-posted checks.
_STAGING: list[Column[Any]] = [
    Column("row", Integer), Column("id_number", String(18)), Column("insurance_type", String(20)),
    Column("other_type", String(20)), Column("credit_code", String(18)), Column("month", String(7)),
    Column("first", Date), Column("last", Date)]
_STAGED_ORDER = operator.itemgetter(*([c.name for c in _STAGING].index(name) for name in _INDEX_ORDER))
_WRITTEN_ORDER = operator.itemgetter(*(CONTRIBUTION_COLUMNS.index(c) for c in _INDEX_ORDER))


@functools.lru_cache(maxsize=1024)
def _bounds(month: str) -> tuple[date, date]:
    """The first and last day of ``month``."""
    return first_day(month), date.fromordinal(first_day(month_at(month_index(month) + 1)).toordinal() - 1)


@functools.lru_cache(maxsize=1024)
def _rules(month: str) -> BasePolicy | str:
    """The base policy of ``month`` (the API's ``base_rules``, once per month of a request), or why there is none."""
    try:
        return contributions.base_rules(month)
    except InvalidField as exc:
        return exc.errors[0].reason


def _row_refusal(n: int, row: ContributionRow, today: date, this_month: str) -> Refusal | None:
    """The rules of a row alone (as ``POST /v1/contributions`` checks them before looking at the database)."""
    if row.month > this_month:
        return Refusal(row=n, field="month", reason=f"费款所属期 {row.month} 晚于本月 {this_month} "
                                                    "(month after the current one)")
    if row.paid_date is not None and row.paid_date > today:
        return Refusal(row=n, field="paid_date", reason=f"缴费记账日期 {row.paid_date} 晚于今天 {today} "
                                                        "(paid_date in the future)")
    if row.insurance_type == InsuranceType.resident_pension:
        if row.declared_base is not None:
            return Refusal(row=n, field="declared_base", reason="城乡居民养老按缴费档次缴费，不填缴费工资 "
                                                                "(resident pension has no base)")
        if not row.personal_amount:
            return Refusal(row=n, field="personal_amount", reason="城乡居民养老须填写所选缴费档次的个人缴费金额 "
                                                                  "(the grade paid is needed)")
        return None
    if row.declared_base is None:
        return Refusal(row=n, field="declared_base", reason="须填写申报缴费工资 (the declared base is needed)")
    if row.personal_amount is not None:
        return Refusal(row=n, field="personal_amount", reason="按费率计算个人缴费，不填金额 "
                                                              "(the amount follows from the base and the rate)")
    rules = _rules(row.month)
    if isinstance(rules, str):
        return Refusal(row=n, field="month", reason=rules)
    return None


def _amounts(row: ContributionRow, flexible: bool,
             computed: dict[tuple[Any, ...], tuple[Any, ...]]) -> tuple[Any, ...]:
    """(declared_base, base, base_adjustment, employer, personal, policy_source, illustrative) as the API's.

    ``computed`` keeps the figures per policy, type, flexible and declared base for the request: a person's months
    of one year are computed once (the same functions and policy table as ``POST /v1/contributions``)."""
    if row.insurance_type == InsuranceType.resident_pension:
        assert row.personal_amount is not None
        return None, None, None, ZERO, row.personal_amount, None, False
    assert row.declared_base is not None
    rules = _rules(row.month)
    assert not isinstance(rules, str)  # refused before
    key = (id(rules), row.insurance_type, flexible, row.declared_base)
    found = computed.get(key)
    if found is None:
        base, adjustment = contributions.clamp_base(row.declared_base, rules)
        employer, personal = contributions.computed_amounts(row.insurance_type, flexible, base, rules)
        found = computed[key] = (row.declared_base, base, adjustment.value if adjustment else None, employer,
                                 personal, rules.source, rules.illustrative)
    return found


async def post_contributions(*, session: AsyncSession, outbox: Outbox, principal: Principal,
                             rows: Sequence[ContributionRow]) -> BulkReport:
    """缴费记账 in bulk; one ``contributions.posted`` per employer, month and type written (individuals: one
    ``contribution.posted`` per contribution)."""
    today = clock.today()
    this_month = month_of(today)
    refused: list[Refusal] = []
    skipped = 0
    seen: set[tuple[str, str, str]] = set()
    candidates: dict[int, ContributionRow] = {}
    for n, row in enumerate(rows):
        if (refusal := _row_refusal(n, row, today, this_month)) is not None:
            refused.append(refusal)
            continue
        key = (row.id_number, str(row.insurance_type), row.month)
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        candidates[n] = row

    # One pass over a staging table: the covering enrolments and the months already posted.
    covering: dict[int, tuple[str, str, bool, str, date]] = {}
    posted: set[int] = set()
    conflicts: dict[int, str] = {}
    if candidates:
        staged_rows = [(n, r.id_number, str(r.insurance_type), str(enrolments.PENSIONS.get(r.insurance_type,
                                                                                             r.insurance_type)),
                        r.credit_code, r.month, *_bounds(r.month))
                       for n, r in candidates.items()]
        staged_rows.sort(key=_STAGED_ORDER)
        async with staged(session, "si_contributions", _STAGING, staged_rows) as s:
            e, c = ENROLMENTS, CONTRIBUTIONS
            employer = or_(e.c.credit_code == s.c.credit_code, e.c.credit_code.is_(None) & s.c.credit_code.is_(None))
            found = await session.execute(select(
                s.c.row, e.c.id, e.c.county_code, e.c.flexible, e.c.status, e.c.start_date,
            ).join(e, (e.c.id_number == s.c.id_number) & (_unindexed(e.c.insurance_type) == s.c.insurance_type)
                   & employer & (_unindexed(e.c.status) != EnrolmentStatus.cancelled.value)
                   & (func.coalesce(e.c.start_date, s.c.last) <= s.c.last)
                   & (e.c.end_date.is_(None) | (e.c.end_date >= s.c.first))))
            for n, enrolment_id, county_code, flexible, status, start in found.all():
                if n not in covering or start > covering[n][4]:  # the latest-starting one, as the API picks
                    covering[n] = (enrolment_id, county_code, bool(flexible), status, start)
            already = exists().where(
                c.c.id_number == s.c.id_number, c.c.insurance_type == s.c.insurance_type, c.c.month == s.c.month,
                c.c.status == ContributionStatus.posted.value, c.c.kind == ContributionKind.regular.value)
            posted = {n for (n,) in (await session.execute(select(s.c.row).where(already))).all()}
            # A pending enrolment's activation: refused where the API would first end another active enrolment.
            other = select(e.c.id).where(
                e.c.id_number == s.c.id_number, _unindexed(e.c.status) == EnrolmentStatus.active.value,
                _unindexed(e.c.insurance_type).in_([s.c.insurance_type, s.c.other_type]),
            ).limit(1).scalar_subquery()
            pending_rows = [n for n, found_one in covering.items() if found_one[3] == EnrolmentStatus.pending]
            if pending_rows:
                result = await session.execute(select(s.c.row, other).where(s.c.row.in_(pending_rows)))
                conflicts = {n: o for n, o in result.all() if o is not None}

    now = clock.now()
    written: list[tuple[Any, ...]] = []
    computed: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    ids = _uuids(len(candidates))
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    group_policy: dict[tuple[str, str, str], tuple[str | None, bool]] = {}
    individual: list[ContributionPosted] = []
    first_of_pending: dict[str, tuple[str, str]] = {}  # enrolment id -> (month, contribution id) of its first
    activating: dict[tuple[str, str], str] = {}  # (person, type's slot) -> the pending enrolment activated here
    for n, row in candidates.items():
        if n in posted:
            skipped += 1
            continue
        enrolment = covering.get(n)
        if enrolment is None:
            who = f"单位 {row.credit_code} " if row.credit_code else "个人身份"
            refused.append(Refusal(row=n, field="month", reason=(
                f"该人员在 {row.month} 没有以{who}参加{TYPE_NAMES[row.insurance_type]}的参保登记，不能缴费 "
                f"(no {row.insurance_type} enrolment "
                f"{'with ' + row.credit_code if row.credit_code else 'without an employer'} covers {row.month})")))
            continue
        enrolment_id, county_code, flexible, status, _ = enrolment
        if (refusal := _county_refusal(principal, n, county_code)) is not None:
            refused.append(refusal)
            continue
        if status == EnrolmentStatus.pending:
            slot = (row.id_number, _slot(row.insurance_type))
            blocker = conflicts.get(n) or (activating[slot] if activating.get(slot, enrolment_id) != enrolment_id
                                           else None)
            if blocker is not None:
                refused.append(Refusal(row=n, field="month", existing_id=blocker, reason=(
                    f"待生效的参保登记 {enrolment_id} 生效时须先转移该人员的有效参保登记 {blocker}，请用单笔缴费接口 "
                    "(activating the pending enrolment moves another "
                    "active one: post it with POST /v1/contributions)")))
                continue
            activating[slot] = enrolment_id
        contribution_id = next(ids)
        declared, base, adjustment, employer_amount, personal_amount, source, illustrative = _amounts(
            row, flexible, computed)
        paid_date = row.paid_date or today
        written.append((contribution_id, row.id_number, county_code, str(row.insurance_type), row.credit_code,
                        enrolment_id, row.month, ContributionKind.regular.value, declared, base, adjustment,
                        employer_amount, personal_amount, paid_date, ContributionStatus.posted.value, source,
                        illustrative, now))
        if status == EnrolmentStatus.pending:
            first = first_of_pending.get(enrolment_id)
            if first is None or row.month < first[0]:
                first_of_pending[enrolment_id] = (row.month, contribution_id)
        item = {"id": contribution_id, "id_number": row.id_number, "county_code": county_code,
                "enrolment_id": enrolment_id, "declared_base": declared, "base": base, "base_adjustment": adjustment,
                "employer_amount": employer_amount, "personal_amount": personal_amount, "paid_date": paid_date}
        if row.credit_code is None:  # no employer: the person's own contribution.posted, as from the API
            individual.append(ContributionPosted.model_validate({
                **item, "insurance_type": row.insurance_type, "credit_code": None, "month": row.month,
                "policy_source": source, "illustrative": illustrative, "kind": ContributionKind.regular.value}))
            continue
        group = (row.credit_code, row.month, str(row.insurance_type))
        group_policy[group] = (source, illustrative)
        groups[group].append(item)  # one event's items, validated once with it (ContributionsPosted)
    written.sort(key=_WRITTEN_ORDER)  # not the order employers declare them in: see _INDEX_ORDER
    await copy_rows(session, CONTRIBUTIONS, CONTRIBUTION_COLUMNS, written)
    published = await _activate(session, outbox, first_of_pending, today)
    events: list[dict[str, Any]] = []
    for (credit_code, month, kind), items in sorted(groups.items()):
        source, illustrative = group_policy[(credit_code, month, kind)]
        for part in chunks(items, MAX_POSTED_ITEMS):
            # The event's data as a dict: Outbox.add_many validates it into the contract once, with its items.
            events.append({"credit_code": credit_code, "insurance_type": kind, "month": month,
                           "policy_source": source, "illustrative": illustrative,
                           "kind": ContributionKind.regular.value, "items": part})
    published += await outbox.add_many(session, CONTRIBUTIONS_POSTED, events)
    published += await outbox.add_many(session, CONTRIBUTION_POSTED, individual)
    return BulkReport(kind="contributions", received=len(rows), written=len(written), skipped=skipped,
                      events=published, refused=sorted(refused, key=lambda r: r.row))


async def _activate(session: AsyncSession, outbox: Outbox, first: dict[str, tuple[str, str]], today: date) -> int:
    """参保生效 of the pending enrolments paid for: one UPDATE, one ``enrolment.activated`` each."""
    if not first:
        return 0
    ids = sorted(first)
    await session.execute(update(ENROLMENTS).where(ENROLMENTS.c.id.in_(ids)).values(
        status=EnrolmentStatus.active.value, activated_date=today, updated_at=clock.now()))
    result = await session.execute(select(*(ENROLMENTS.c[k] for k in (
        "id", "id_number", "county_code", "insurance_type", "credit_code", "flexible", "status", "start_date",
        "end_date"))).where(ENROLMENTS.c.id.in_(ids)).order_by(ENROLMENTS.c.id))
    events = [InsuranceEnrolmentActivated(**dict(r._mapping), activated_date=today,
                                          contribution_id=first[r.id][1]) for r in result.all()]
    return await outbox.add_many(session, ENROLMENT_ACTIVATED, events)
