"""The read model of ``hrss.social-insurance``: each person's insurance and card sections, and the card-number index.

Insurance (``insurance``): enrolments by id as their latest event left them (every enrolment event carries the
whole enrolment after the change, so the newest one wins; a cancelled enrolment stays cancelled), the paid months
per insurance type (from each contribution's latest posted/corrected/cancelled event: a month counts while any
uncancelled contribution of that type names it), coverage gaps (open while their enrolment is still pending),
unemployment-benefit decisions with their stops and paid months. Other person events (the medical-insurance
request, pension top-ups) are folded generically into the section's ``records``; arrears, about employers, into
the employer's insurance section.

Card (``card``): every card of the person by number, as its latest event left it; a cancelled (or replaced) card
stays cancelled whatever arrives late. Each card's number and status are also written to ``person_cards``, the
index through which ``GET /v1/persons/{card_number}`` finds the holder (only a valid card — active or lost —
finds them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel import identity
from gateway.readmodel.models import PersonCard
from gateway.readmodel.records import record_handlers
from gateway.readmodel.rows import RowsHook, RowTable
from gateway.readmodel.store import PERSONS, Doc, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import social_insurance as c
from hrss_shared.consumer import Handlers
from hrss_shared.events import CloudEvent, Contract
from hrss_shared.registry import SOCIAL_INSURANCE

SECTION = "insurance"
CARD_SECTION = "card"
VALID_CARD_STATUSES = ("active", "lost")
PENDING = "pending"
FINAL = "9999"  # the updated_at of a cancelled item: no later event, late or redelivered, changes it
handlers = Handlers()
F = Callable[[AsyncSession, CloudEvent, Any], Awaitable[None]]
CARD_INDEX = RowTable(PersonCard)
CARDS = RowsHook([CARD_INDEX], lambda events: {})
"""The card-number index's batch hook: a batch's card changes are written in one upsert after it (nothing to
prefetch: a card event rewrites every column of its person's cards' rows)."""


def empty_insurance(_: str) -> Doc:
    return {"enrolments": [], "contributions": {}, "contribution_months": {}, "coverage_gaps": [], "benefits": [],
            "records": {}, "as_of": None}


def empty_card(_: str) -> Doc:
    return {"card": None, "cards": [], "as_of": None}


def _find(items: list[Doc], key: str, value: str) -> Doc | None:
    return next((i for i in items if i[key] == value), None)


# ---- insurance ------------------------------------------------------------------------------------------


def _settle(doc: Doc, at: str) -> None:
    """Advance ``as_of``; the rest is derived once before the batch writes the document (:func:`derive_insurance`)."""
    doc["as_of"] = later(doc["as_of"], at)


def derive_insurance(doc: Doc) -> None:
    """Derive the months per type, the gaps' status and the orders (the store runs it on each changed insurance
    document before writing it)."""
    months: dict[str, set[str]] = {}
    for entry in doc["contributions"].values():
        if not entry.get("cancelled"):
            months.setdefault(entry["insurance_type"], set()).add(entry["month"])
    doc["contribution_months"] = {t: sorted(m) for t, m in sorted(months.items())}
    enrolments = {e["id"]: e for e in doc["enrolments"]}
    for gap in doc["coverage_gaps"]:
        enrolment = enrolments.get(gap["id"])
        gap["status"] = "open" if enrolment is None or enrolment["status"] == PENDING else "closed"
    doc["enrolments"].sort(key=lambda i: (i.get("start_date") or "", i["id"]), reverse=True)
    doc["coverage_gaps"].sort(key=lambda i: (i.get("detected_date") or "", i["id"]), reverse=True)
    doc["benefits"].sort(key=lambda i: (i.get("start_date") or "", i["id"]), reverse=True)


async def _enrolment(session: AsyncSession, event: CloudEvent, data: c.InsuranceEnrolmentEvent,
                     **extra: Any) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _find(doc["enrolments"], "id", data.id)
    if item is None:
        item = {"id": data.id, "updated_at": ""}
        doc["enrolments"].append(item)
    if data.status == "cancelled" or at >= item["updated_at"]:  # a cancellation wins whenever it arrives
        item.update(insurance_type=data.insurance_type, status=data.status, credit_code=data.credit_code,
                    flexible=data.flexible, county_code=data.county_code, start_date=data.start_date.isoformat(),
                    end_date=data.end_date.isoformat() if data.end_date else None, updated_at=at, **extra)
        if data.status == "cancelled":
            item["updated_at"] = FINAL
    _settle(doc, at)


@handlers.on(c.ENROLMENT_REGISTERED)
async def on_enrolment_registered(session: AsyncSession, event: CloudEvent,
                                  data: c.InsuranceEnrolmentRegistered) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_ACTIVATED)
async def on_enrolment_activated(session: AsyncSession, event: CloudEvent,
                                 data: c.InsuranceEnrolmentActivated) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_SUSPENDED)
async def on_enrolment_suspended(session: AsyncSession, event: CloudEvent,
                                 data: c.InsuranceEnrolmentSuspended) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_RESUMED)
async def on_enrolment_resumed(session: AsyncSession, event: CloudEvent, data: c.InsuranceEnrolmentResumed) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_ENDED)
async def on_enrolment_ended(session: AsyncSession, event: CloudEvent, data: c.InsuranceEnrolmentEnded) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_CORRECTED)
async def on_enrolment_corrected(session: AsyncSession, event: CloudEvent,
                                 data: c.InsuranceEnrolmentCorrected) -> None:
    await _enrolment(session, event, data)


@handlers.on(c.ENROLMENT_CANCELLED)
async def on_enrolment_cancelled(session: AsyncSession, event: CloudEvent,
                                 data: c.InsuranceEnrolmentCancelled) -> None:
    await _enrolment(session, event, data.model_copy(update={"status": "cancelled"}))


async def _contribution(session: AsyncSession, event: CloudEvent, id_number: str, contribution_id: str,
                        insurance_type: str, month: str, cancelled: bool) -> None:
    """One contribution's type and month (not its amounts): the newest event wins, a cancellation is final."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, id_number, SECTION)
    entry = doc["contributions"].get(contribution_id)
    if entry is None or cancelled or at >= entry["updated_at"]:  # a cancellation wins whenever it arrives
        doc["contributions"][contribution_id] = {
            "insurance_type": insurance_type, "month": month, "cancelled": cancelled,
            "updated_at": FINAL if cancelled else at}
    _settle(doc, at)


@handlers.on(c.CONTRIBUTION_POSTED)
async def on_contribution_posted(session: AsyncSession, event: CloudEvent, data: c.ContributionPosted) -> None:
    await _contribution(session, event, data.id_number, data.id, data.insurance_type, data.month, False)


@handlers.on(c.CONTRIBUTION_CORRECTED)
async def on_contribution_corrected(session: AsyncSession, event: CloudEvent,
                                    data: c.ContributionCorrected) -> None:
    await _contribution(session, event, data.id_number, data.id, data.insurance_type, data.month, False)


@handlers.on(c.CONTRIBUTION_CANCELLED)
async def on_contribution_cancelled(session: AsyncSession, event: CloudEvent,
                                    data: c.ContributionCancelled) -> None:
    await _contribution(session, event, data.id_number, data.id, data.insurance_type, data.month, True)


@handlers.on(c.CONTRIBUTIONS_POSTED)
async def on_contributions_posted(session: AsyncSession, event: CloudEvent, data: c.ContributionsPosted) -> None:
    """批量缴费记账: each person the event names gets the entry its own contribution.posted would give."""
    postings = data.postings()
    await PERSONS.load(session, {p.id_number for p in postings})  # one query for the event's persons
    for posting in postings:
        await _contribution(session, event, posting.id_number, posting.id, posting.insurance_type, posting.month,
                            False)


@handlers.on(c.COVERAGE_GAP_DETECTED)
async def on_coverage_gap_detected(session: AsyncSession, event: CloudEvent, data: c.CoverageGapDetected) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    gap = _find(doc["coverage_gaps"], "id", data.id)
    if gap is None:
        gap = {"id": data.id}
        doc["coverage_gaps"].append(gap)
    gap.update(insurance_type=data.insurance_type, credit_code=data.credit_code, start_date=data.start_date.isoformat(),
               due_date=data.due_date.isoformat(), detected_date=data.detected_date.isoformat(),
               grace_days=data.grace_days)
    _settle(doc, at)


def _benefit(doc: Doc, benefit_id: str) -> Doc:
    item = _find(doc["benefits"], "id", benefit_id)
    if item is None:
        item = {"id": benefit_id, "status": None, "decided_at": "", "stopped_date": None, "stop_reason": None,
                "paid_months": [], "paid_after_stop": []}
        doc["benefits"].append(item)
    return item


@handlers.on(c.UNEMPLOYMENT_BENEFIT_DECIDED)
async def on_benefit_decided(session: AsyncSession, event: CloudEvent, data: c.UnemploymentBenefitDecided) -> None:
    """The newest decision (a re-decision after a correction) wins; a stop stays whatever decision arrives."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _benefit(doc, data.id)
    if at >= item["decided_at"]:
        item.update(
            unemployment_registration_id=data.unemployment_registration_id, eligible=data.eligible,
            decision_status=data.status, reason=data.reason, reason_text=data.reason_text,
            months_entitled=data.months_entitled,
            monthly_amount=str(data.monthly_amount) if data.monthly_amount is not None else None,
            start_date=data.start_date.isoformat() if data.start_date else None,
            end_date=data.end_date.isoformat() if data.end_date else None, revision=data.revision, decided_at=at)
    item["status"] = "stopped" if item["stopped_date"] else item["decision_status"]
    _settle(doc, at)


@handlers.on(c.UNEMPLOYMENT_BENEFIT_STOPPED)
async def on_benefit_stopped(session: AsyncSession, event: CloudEvent, data: c.UnemploymentBenefitStopped) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _benefit(doc, data.id)
    item.update(status="stopped", stopped_date=data.stopped_date.isoformat(), stop_reason=data.stop_reason,
                months_paid=data.months_paid, months_remaining=data.months_remaining)
    _settle(doc, at)


@handlers.on(c.BENEFIT_PAYMENT_POSTED)
async def on_benefit_payment(session: AsyncSession, event: CloudEvent, data: c.BenefitPaymentPosted) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    item = _benefit(doc, data.benefit_id)
    key = "paid_after_stop" if data.after_stop else "paid_months"
    item[key] = sorted({*item[key], data.month})
    _settle(doc, at)


# ---- card -----------------------------------------------------------------------------------------------


def _index(session: AsyncSession, id_number: str, cards: list[Doc]) -> None:
    for item in cards:
        CARD_INDEX.changed(session, CARD_INDEX.new(card_number=item["card_number"], id_number=id_number,
                                                   status=item["status"]))


def _on_card(contract: Contract[Any]) -> Callable[[F], F]:
    """Register a card handler, in the index's batch (one of its own when applied alone)."""
    def register(fn: F) -> F:
        handlers.on(contract)(CARDS.scoped(fn))
        return fn

    return register


async def _card(session: AsyncSession, event: CloudEvent, data: c.CardEvent, **extra: Any) -> Doc:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, CARD_SECTION)
    cards: list[Doc] = doc["cards"]
    item = _find(cards, "card_number", data.card_number)
    if item is None:
        item = {"card_number": data.card_number, "updated_at": "", "issued_date": None}
        cards.append(item)
    if data.status == "cancelled" or at >= item["updated_at"]:  # a cancellation wins whenever it arrives
        item.update(id=data.id, status=data.status, services=list(data.services), county_code=data.county_code,
                    updated_at=FINAL if data.status == "cancelled" else at)
    item.update({k: v for k, v in extra.items() if v is not None})
    cards.sort(key=lambda i: (i.get("issued_date") or "", i["card_number"]), reverse=True)
    doc["card"] = next((dict(i) for i in cards if i["status"] in VALID_CARD_STATUSES), None)
    doc["as_of"] = later(doc["as_of"], at)
    _index(session, data.id_number, cards)
    return doc


@_on_card(c.CARD_ISSUED)
async def on_card_issued(session: AsyncSession, event: CloudEvent, data: c.CardIssued) -> None:
    await _card(session, event, data, issued_date=data.issued_date.isoformat(),
                replaces_card_number=data.replaces_card_number)
    await identity.named(session, data.id_number, data.name, data.county_code, stamp(event.time))


@_on_card(c.CARD_REPORTED_LOST)
async def on_card_reported_lost(session: AsyncSession, event: CloudEvent, data: c.CardReportedLost) -> None:
    await _card(session, event, data, lost_date=data.lost_date.isoformat())


@_on_card(c.CARD_REPLACED)
async def on_card_replaced(session: AsyncSession, event: CloudEvent, data: c.CardReplaced) -> None:
    await _card(session, event, data.model_copy(update={"status": "cancelled"}),
                cancelled_date=data.replaced_date.isoformat(), replaced_by=data.new_card_number)


@_on_card(c.CARD_CANCELLED)
async def on_card_cancelled(session: AsyncSession, event: CloudEvent, data: c.CardCancelled) -> None:
    await _card(session, event, data.model_copy(update={"status": "cancelled"}),
                cancelled_date=data.cancelled_date.isoformat())


@_on_card(c.CARD_SERVICES_CHANGED)
async def on_card_services_changed(session: AsyncSession, event: CloudEvent, data: c.CardServicesChanged) -> None:
    await _card(session, event, data)


HANDLERS = dict(handlers.by_type)
HANDLERS.update(record_handlers(
    (k for k in contracts_of(str(SOCIAL_INSURANCE.topic)) if k.type not in HANDLERS), SECTION
))
