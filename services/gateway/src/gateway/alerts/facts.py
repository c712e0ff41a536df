"""The facts the rules need, kept from the four domain topics (one row per source record in ``alert_facts``).

Every handler folds its event into the record's row and then re-evaluates the rules of the record's subject (the
person, or the employer), so a rule fires whichever of its facts arrives last. Rows are keyed by the record id:
a redelivered event finds its values already there and its id already in the evidence. A value set by a newer
event is not overwritten by an older one; a cancellation (撤销) is final whatever arrives after it.

Facts and alerts are worked on in memory per consumed batch: :data:`HOOK` loads what a batch's events name before its
handlers and writes the changed rows back after them (see :mod:`gateway.alerts.rules`); the rules are still evaluated
after every event, on the facts as that event left them, so what a batch raises does not depend on how the events
were batched (a rebuild replays them in other batches and finds the same alerts) — but a subject's second and later
evaluations in a batch only run the rules that read a kind of fact changed since its previous one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.alerts import rules
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lr
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared.clock import bureau_date
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent, Contract

handlers = Handlers()
CANCELLED = "cancelled"


def _day(at: datetime) -> date:
    """An event's calendar day in Beijing time."""
    day: date = bureau_date(at)
    return day


async def fold(
    session: AsyncSession, kind: str, record_id: str, event: CloudEvent, contract: Contract[Any], *,
    status: str | None = None, final: bool = False, detail: dict[str, Any] | None = None, **values: Any,
) -> Any:
    """Fold one event into the fact ``(kind, record_id)``: its values if it is the newest event of the record (the
    descriptive ones also when they are still empty), its status unless the record is cancelled, its evidence."""
    row = await rules.fact(session, kind, record_id)
    if row is None:
        row = rules.new_fact(session, kind=kind, record_id=record_id, status=status or "recorded",
                             event_time=event.time)
        newest, before = True, (None, None)
    else:
        newest, before = event.time >= row.event_time, (row.id_number, row.credit_code)
    for name, value in values.items():
        if newest or getattr(row, name) is None:
            setattr(row, name, value)
    if detail:
        current = rules.loads(row.detail)
        merged = {**current, **detail} if newest else {**detail, **current}
        row.detail = rules.dumps(merged)
    if status is not None and row.status != CANCELLED and (newest or final):
        row.status = status
    evidence = rules.loads(row.evidence)
    proof = [contract.topic, event.id, event.type]
    if proof not in evidence:
        evidence.append(proof)
        row.evidence = rules.dumps(evidence)
    if newest:
        row.event_time = event.time
    rules.changed_fact(session, row, before)
    return row


# ---- employment: employment and unemployment registrations (person rules) --------------------------------------


@handlers.on(emp.EMPLOYMENT_REGISTERED)
async def on_employment_registered(session: AsyncSession, event: CloudEvent, data: emp.EmploymentRegistered) -> None:
    row = await rules.fact(session, "employment", data.id)
    status = row.status if row is not None else "active"  # a termination that came first stands
    await fold(session, "employment", data.id, event, emp.EMPLOYMENT_REGISTERED, status=status,
               id_number=data.id_number, credit_code=data.credit_code, county_code=data.county_code,
               start_date=data.start_date, detail={"employer_name": data.employer_name})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.EMPLOYMENT_TERMINATED)
async def on_employment_terminated(session: AsyncSession, event: CloudEvent, data: emp.EmploymentTerminated) -> None:
    row = await fold(session, "employment", data.id, event, emp.EMPLOYMENT_TERMINATED, status="terminated", final=True,
                     id_number=data.id_number, credit_code=data.credit_code)
    row.end_date = data.end_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.UNEMPLOYMENT_REGISTERED)
async def on_unemployment_registered(
    session: AsyncSession, event: CloudEvent, data: emp.UnemploymentRegistered
) -> None:
    row = await rules.fact(session, "unemployment", data.id)
    status = row.status if row is not None else "open"
    corrected = row is not None and rules.loads(row.detail).get("corrected")
    values: dict[str, Any] = {} if corrected else {"county_code": data.county_code, "start_date": data.registered_date}
    await fold(session, "unemployment", data.id, event, emp.UNEMPLOYMENT_REGISTERED, status=status,
               id_number=data.id_number, **values)
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.UNEMPLOYMENT_CLOSED)
async def on_unemployment_closed(session: AsyncSession, event: CloudEvent, data: emp.UnemploymentClosed) -> None:
    row = await fold(session, "unemployment", data.id, event, emp.UNEMPLOYMENT_CLOSED, status="closed", final=True,
                     id_number=data.id_number)
    row.end_date = data.end_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.UNEMPLOYMENT_CORRECTED)
async def on_unemployment_corrected(
    session: AsyncSession, event: CloudEvent, data: emp.UnemploymentCorrected
) -> None:
    """失业登记更正: the corrected date and county replace the registered ones (the newest correction wins)."""
    row = await rules.fact(session, "unemployment", data.id)
    previous = rules.loads(row.detail).get("corrected") if row is not None else None
    if previous is None or event.time.isoformat() >= previous:
        row = await fold(session, "unemployment", data.id, event, emp.UNEMPLOYMENT_CORRECTED,
                         id_number=data.id_number, detail={"corrected": event.time.isoformat()})
        row.start_date, row.county_code = data.registered_date, data.county_code
        row.status = row.status if row.status != "recorded" else "open"
    else:
        await fold(session, "unemployment", data.id, event, emp.UNEMPLOYMENT_CORRECTED, id_number=data.id_number)
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.UNEMPLOYMENT_CANCELLED)
async def on_unemployment_cancelled(
    session: AsyncSession, event: CloudEvent, data: emp.UnemploymentCancelled
) -> None:
    await fold(session, "unemployment", data.id, event, emp.UNEMPLOYMENT_CANCELLED, status=CANCELLED, final=True,
               id_number=data.id_number, start_date=data.registered_date)
    await rules.evaluate_person(session, data.id_number, event.time)


# ---- social insurance: benefits, contributions, enrolments (person rules) ---------------------------------------


@handlers.on(si.UNEMPLOYMENT_BENEFIT_DECIDED)
async def on_benefit_decided(session: AsyncSession, event: CloudEvent, data: si.UnemploymentBenefitDecided) -> None:
    await fold(session, "benefit", data.id, event, si.UNEMPLOYMENT_BENEFIT_DECIDED, status=data.status,
               id_number=data.id_number, county_code=data.county_code, start_date=data.start_date,
               detail={"unemployment_registration_id": data.unemployment_registration_id})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(si.UNEMPLOYMENT_BENEFIT_STOPPED)
async def on_benefit_stopped(session: AsyncSession, event: CloudEvent, data: si.UnemploymentBenefitStopped) -> None:
    row = await fold(session, "benefit", data.id, event, si.UNEMPLOYMENT_BENEFIT_STOPPED, status="stopped",
                     final=True, id_number=data.id_number, county_code=data.county_code)
    row.end_date = data.stopped_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(si.BENEFIT_PAYMENT_POSTED)
async def on_benefit_paid(session: AsyncSession, event: CloudEvent, data: si.BenefitPaymentPosted) -> None:
    await fold(session, "benefit_payment", data.id, event, si.BENEFIT_PAYMENT_POSTED, status="paid",
               id_number=data.id_number, county_code=data.county_code, month=data.month, start_date=data.paid_date,
               detail={"benefit_id": data.benefit_id, "amount": str(data.amount)})
    await rules.evaluate_person(session, data.id_number, event.time)


async def _contribution(session: AsyncSession, event: CloudEvent, contract: Contract[Any],
                        data: si.ContributionPosted) -> None:
    await fold(session, "contribution", data.id, event, contract, status="posted", id_number=data.id_number,
               credit_code=data.credit_code, county_code=data.county_code, month=data.month,
               detail={"insurance_type": data.insurance_type, "kind": data.kind})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(si.CONTRIBUTION_POSTED)
async def on_contribution_posted(session: AsyncSession, event: CloudEvent, data: si.ContributionPosted) -> None:
    await _contribution(session, event, si.CONTRIBUTION_POSTED, data)


@handlers.on(si.CONTRIBUTIONS_POSTED)
async def on_contributions_posted(session: AsyncSession, event: CloudEvent, data: si.ContributionsPosted) -> None:
    """批量缴费记账: each contribution the event names, as its own contribution.posted would give."""
    for posting in data.postings():
        await _contribution(session, event, si.CONTRIBUTIONS_POSTED, posting)


@handlers.on(si.CONTRIBUTION_CORRECTED)
async def on_contribution_corrected(session: AsyncSession, event: CloudEvent, data: si.ContributionCorrected) -> None:
    await _contribution(session, event, si.CONTRIBUTION_CORRECTED, data)


@handlers.on(si.CONTRIBUTION_CANCELLED)
async def on_contribution_cancelled(session: AsyncSession, event: CloudEvent, data: si.ContributionCancelled) -> None:
    await fold(session, "contribution", data.id, event, si.CONTRIBUTION_CANCELLED, status=CANCELLED, final=True,
               id_number=data.id_number, credit_code=data.credit_code, county_code=data.county_code, month=data.month,
               detail={"insurance_type": data.insurance_type})
    await rules.evaluate_person(session, data.id_number, event.time)


def _enrolment_handler(contract: Contract[Any]) -> None:
    @handlers.on(contract)
    async def on_enrolment(session: AsyncSession, event: CloudEvent, data: si.InsuranceEnrolmentEvent) -> None:
        """参保登记: covered from its activation, or from the day an active registration was recorded."""
        covered: date | None = None
        if isinstance(data, si.InsuranceEnrolmentActivated):
            covered = data.activated_date
        elif isinstance(data, si.InsuranceEnrolmentRegistered | si.InsuranceEnrolmentCorrected) and \
                data.status == "active":
            covered = _day(event.time)
        status = CANCELLED if isinstance(data, si.InsuranceEnrolmentCancelled) else data.status
        row = await fold(session, "enrolment", data.id, event, contract, status=status,
                         final=status == CANCELLED, id_number=data.id_number, credit_code=data.credit_code,
                         county_code=data.county_code, detail={"insurance_type": data.insurance_type})
        if covered is not None and (row.start_date is None or covered < row.start_date):
            row.start_date = covered
        await rules.evaluate_person(session, data.id_number, event.time)


for _contract in (si.ENROLMENT_REGISTERED, si.ENROLMENT_ACTIVATED, si.ENROLMENT_SUSPENDED, si.ENROLMENT_RESUMED,
                  si.ENROLMENT_ENDED, si.ENROLMENT_CORRECTED, si.ENROLMENT_CANCELLED):
    _enrolment_handler(_contract)


# ---- training: subsidies, enrolments, talent benefits (person rules) ---------------------------------------------


@handlers.on(tr.ENROLMENT_ENROLLED)
async def on_training_enrolled(session: AsyncSession, event: CloudEvent, data: tr.TrainingEnrolled) -> None:
    await fold(session, "training_enrolment", data.id, event, tr.ENROLMENT_ENROLLED, status="enrolled",
               id_number=data.id_number, credit_code=data.credit_code, county_code=data.county_code,
               detail={"institution_id": data.institution_id, "occupation_name": data.occupation_name})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(tr.SUBSIDY_GRANTED)
async def on_subsidy_granted(session: AsyncSession, event: CloudEvent, data: tr.SubsidyGranted) -> None:
    await fold(session, "subsidy", data.id, event, tr.SUBSIDY_GRANTED, status="granted", id_number=data.id_number,
               county_code=data.county_code, start_date=data.granted_date,
               detail={"occupation_code": data.occupation_code, "level": data.level, "kind": data.kind,
                       "amount": str(data.amount), "enrolment_id": data.enrolment_id,
                       "certificate_id": data.certificate_id})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(tr.SUBSIDY_REVOKED)
async def on_subsidy_revoked(session: AsyncSession, event: CloudEvent, data: tr.SubsidyRevoked) -> None:
    await fold(session, "subsidy", data.id, event, tr.SUBSIDY_REVOKED, status=CANCELLED, final=True,
               id_number=data.id_number, county_code=data.county_code,
               detail={"occupation_code": data.occupation_code, "level": data.level, "kind": data.kind})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(tr.SUBSIDY_REFUSED)
async def on_subsidy_refused(session: AsyncSession, event: CloudEvent, data: tr.SubsidyRefused) -> None:
    await fold(session, "subsidy_refused", data.id, event, tr.SUBSIDY_REFUSED, status="refused",
               id_number=data.id_number, county_code=data.county_code, start_date=data.refused_date,
               detail={"reason": data.reason, "detail": data.detail, "occupation_code": data.occupation_code,
                       "level": data.level, "kind": data.kind, "earlier_subsidy_id": data.earlier_subsidy_id})
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(tr.TALENT_BENEFIT_PAID)
async def on_talent_paid(session: AsyncSession, event: CloudEvent, data: tr.TalentBenefitPaid) -> None:
    await fold(session, "talent_payment", data.payment_id, event, tr.TALENT_BENEFIT_PAID, status="paid",
               id_number=data.id_number, county_code=data.county_code, month=data.period, start_date=data.paid_date,
               detail={"benefit_id": data.id, "benefit_kind": data.kind, "after_stop": data.after_stop,
                       "stop_period": data.stop_period, "amount": str(data.amount)})
    await rules.evaluate_person(session, data.id_number, event.time)


# ---- employment: public-welfare placements and 就业困难 certifications (person rules) -----------------------------


@handlers.on(emp.PUBLIC_WELFARE_PLACEMENT_STARTED)
async def on_placement_started(
    session: AsyncSession, event: CloudEvent, data: emp.PublicWelfarePlacementStarted
) -> None:
    row = await rules.fact(session, "placement", data.id)
    ended = row is not None and row.status == "ended"  # an exit that came first keeps its date
    await fold(session, "placement", data.id, event, emp.PUBLIC_WELFARE_PLACEMENT_STARTED,
               status="ended" if ended else "placed", id_number=data.id_number, credit_code=data.credit_code,
               county_code=data.county_code, start_date=data.start_date,
               detail={"groups": sorted(data.groups), "post_id": data.post_id, "agreed_end_date": data.end_date})
    if not ended:
        row = await rules.fact(session, "placement", data.id)
        assert row is not None
        row.end_date = data.end_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.PUBLIC_WELFARE_PLACEMENT_ENDED)
async def on_placement_ended(session: AsyncSession, event: CloudEvent, data: emp.PublicWelfarePlacementEnded) -> None:
    row = await fold(session, "placement", data.id, event, emp.PUBLIC_WELFARE_PLACEMENT_ENDED, status="ended",
                     final=True, id_number=data.id_number, credit_code=data.credit_code, county_code=data.county_code)
    row.end_date = data.ended_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.KEY_GROUP_ADDED)
async def on_key_group_added(session: AsyncSession, event: CloudEvent, data: emp.KeyGroupAdded) -> None:
    row = await fold(session, "key_group", data.id, event, emp.KEY_GROUP_ADDED, status="member",
                     id_number=data.id_number, county_code=data.county_code, start_date=data.start_date,
                     detail={"group": data.group})
    if data.end_date is not None and row.end_date is None:
        row.end_date = data.end_date
    await rules.evaluate_person(session, data.id_number, event.time)


@handlers.on(emp.KEY_GROUP_ENDED)
async def on_key_group_ended(session: AsyncSession, event: CloudEvent, data: emp.KeyGroupEnded) -> None:
    row = await fold(session, "key_group", data.id, event, emp.KEY_GROUP_ENDED, status="ended", final=True,
                     id_number=data.id_number, detail={"group": data.group, "end_reason": data.reason})
    ends = rules.loads(row.detail).setdefault("ends", {})
    ends[event.time.isoformat()] = data.end_date.isoformat()
    row.end_date = date.fromisoformat(ends[max(ends)])  # the newest end recorded wins
    row.detail = rules.dumps({**rules.loads(row.detail), "ends": dict(sorted(ends.items()))})
    await rules.evaluate_person(session, data.id_number, event.time)


# ---- employers: the dishonesty list, what they receive, payroll below the minimum wage (employer rules) -----------


async def _received(session: AsyncSession, event: CloudEvent, contract: Contract[Any], what: str, record_id: str,
                    credit_code: str | None, county_code: str, day: date, **detail: Any) -> None:
    if credit_code is None:
        return
    await fold(session, "employer_benefit", f"{what}:{record_id}", event, contract, status="received",
               credit_code=credit_code, county_code=county_code, start_date=day, detail={"what": what, **detail})
    await rules.evaluate_employer(session, credit_code, event.time)


@handlers.on(emp.STARTUP_LOAN_APPROVED)
async def on_loan_approved(session: AsyncSession, event: CloudEvent, data: emp.StartupLoanApproved) -> None:
    await _received(session, event, emp.STARTUP_LOAN_APPROVED, "startup_loan", data.id, data.credit_code,
                    data.county_code, data.approved_date, amount=str(data.approved_amount))


@handlers.on(emp.STARTUP_LOAN_DISBURSED)
async def on_loan_disbursed(session: AsyncSession, event: CloudEvent, data: emp.StartupLoanDisbursed) -> None:
    await _received(session, event, emp.STARTUP_LOAN_DISBURSED, "startup_loan", data.id, data.credit_code,
                    data.county_code, data.disbursed_date, amount=str(data.amount))


@handlers.on(emp.STARTUP_SUBSIDY_GRANTED)
async def on_startup_subsidy(session: AsyncSession, event: CloudEvent, data: emp.StartupSubsidyGranted) -> None:
    # The contract carries no grant date: the day the grant was published (Beijing time) stands for it.
    await _received(session, event, emp.STARTUP_SUBSIDY_GRANTED, "startup_subsidy", data.id, data.credit_code,
                    data.county_code, _day(event.time), amount=str(data.amount))


@handlers.on(emp.PUBLIC_WELFARE_POST_CREATED)
async def on_welfare_post(session: AsyncSession, event: CloudEvent, data: emp.PublicWelfarePostCreated) -> None:
    await _received(session, event, emp.PUBLIC_WELFARE_POST_CREATED, "public_welfare_post", data.id, data.credit_code,
                    data.county_code, data.start_date, title=data.title, positions=data.positions)


@handlers.on(tr.TRAINING_BASE_RECOGNISED)
async def on_training_base(session: AsyncSession, event: CloudEvent, data: tr.PlatformRecognised) -> None:
    await _received(session, event, tr.TRAINING_BASE_RECOGNISED, "training_base", data.id, data.credit_code,
                    data.county_code, data.recognised_date, name=data.name, level=data.level)


async def _listing(session: AsyncSession, event: CloudEvent, contract: Contract[Any],
                   data: lr.DishonestEmployerChanged) -> None:
    row = await fold(session, "dishonest", data.id, event, contract, status=data.status, credit_code=data.credit_code,
                     county_code=data.county_code, start_date=data.decision_date,
                     detail={"decision_reference": data.decision_reference, "employer_name": data.employer_name})
    if data.removed_date is not None and (row.end_date is None or event.time >= row.event_time):
        row.end_date = data.removed_date
    await rules.evaluate_employer(session, data.credit_code, event.time)


@handlers.on(lr.DISHONEST_EMPLOYER_LISTED)
async def on_listed(session: AsyncSession, event: CloudEvent, data: lr.DishonestEmployerChanged) -> None:
    await _listing(session, event, lr.DISHONEST_EMPLOYER_LISTED, data)


@handlers.on(lr.DISHONEST_EMPLOYER_REMOVED)
async def on_removed(session: AsyncSession, event: CloudEvent, data: lr.DishonestEmployerChanged) -> None:
    await _listing(session, event, lr.DISHONEST_EMPLOYER_REMOVED, data)


@handlers.on(lr.PAYROLL_BELOW_MINIMUM_WAGE)
async def on_below_minimum(session: AsyncSession, event: CloudEvent, data: lr.PayrollBelowMinimumWage) -> None:
    lowest = min(w.amount for w in data.workers)
    await fold(session, "payroll_below_minimum", data.id, event, lr.PAYROLL_BELOW_MINIMUM_WAGE, status="flagged",
               credit_code=data.credit_code, county_code=data.county_code, month=data.month,
               detail={"project_id": data.project_id, "minimum_wage": str(data.minimum_wage),
                       "minimum_wage_source": data.minimum_wage_source, "illustrative": data.illustrative,
                       "workers_below": len(data.workers), "lowest_amount": str(lowest)})
    await rules.evaluate_employer(session, data.credit_code, event.time)


@handlers.on(lr.PAYROLL_CANCELLED)
async def on_payroll_cancelled(session: AsyncSession, event: CloudEvent, data: lr.PayrollCancelled) -> None:
    await fold(session, "payroll_below_minimum", data.id, event, lr.PAYROLL_CANCELLED, status=CANCELLED, final=True,
               credit_code=data.credit_code, county_code=data.county_code, month=data.month)
    await rules.evaluate_employer(session, data.credit_code, event.time)


# ---- the batch hook ---------------------------------------------------------------------------------------------

RECEIVED_TYPES = {emp.STARTUP_LOAN_APPROVED.type: "startup_loan", emp.STARTUP_LOAN_DISBURSED.type: "startup_loan",
                  emp.STARTUP_SUBSIDY_GRANTED.type: "startup_subsidy",
                  emp.PUBLIC_WELFARE_POST_CREATED.type: "public_welfare_post",
                  tr.TRAINING_BASE_RECOGNISED.type: "training_base"}
EMPLOYER_TYPES = {*RECEIVED_TYPES, lr.DISHONEST_EMPLOYER_LISTED.type, lr.DISHONEST_EMPLOYER_REMOVED.type,
                  lr.PAYROLL_BELOW_MINIMUM_WAGE.type, lr.PAYROLL_CANCELLED.type}


class AlertsHook:
    """Before a batch's handlers: the facts its events name and every fact and alert of their persons and employers
    (three queries); after them: the changed facts and alerts written back (one upsert per table)."""

    async def before(self, session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        persons: set[str] = set()
        employers: set[str] = set()
        records: set[str] = set()
        handled = handlers.by_type
        for event in events:
            if event.type not in handled:
                continue
            data = event.data
            if event.type == si.CONTRIBUTIONS_POSTED.type:  # one employer's month naming many persons
                for item in data.get("items") or ():
                    records.add(item["id"])
                    persons.add(item["id_number"])
                continue
            record_id, payment_id = data.get("id"), data.get("payment_id")
            if isinstance(record_id, str):
                what = RECEIVED_TYPES.get(event.type)
                records.add(f"{what}:{record_id}" if what else record_id)
            if isinstance(payment_id, str):
                records.add(payment_id)
            if event.type in EMPLOYER_TYPES:
                credit_code = data.get("credit_code")
                if isinstance(credit_code, str):
                    employers.add(credit_code)
            else:
                id_number = data.get("id_number")
                if isinstance(id_number, str):
                    persons.add(id_number)
        rules.open_batch(session)
        if records:
            await rules.load_records(session, records)
        await rules.load_subjects(session, persons, employers)

    async def after(self, session: AsyncSession) -> None:
        await rules.write_batch(session)


HOOK = AlertsHook()


def _batched(handler: Handler) -> Handler:
    """``handler`` in the session's batch; outside one (an event applied alone), in a batch of its own."""
    async def run(session: AsyncSession, event: CloudEvent) -> None:
        if rules.batch_of(session) is not None:
            await handler(session, event)
            return
        rules.open_batch(session)
        await handler(session, event)
        await rules.write_batch(session)

    return run


for _type, _handler in list(handlers.by_type.items()):
    handlers.by_type[_type] = _batched(_handler)
