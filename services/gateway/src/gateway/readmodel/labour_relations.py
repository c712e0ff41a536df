"""The read model of ``hrss.labour-relations``: employers' labour sections (records) and persons' arrears cases.

Every labour event is about an employer (its subject) and is folded generically into the employer's ``labour``
section. A wage-arrears case event also names the complainants (``complainant_id_numbers``): each complainant's
``labour`` section lists the case as its newest event left it (a cancellation is final). A correction that drops
a complainant removes the case from that person's section: the complainants before the change are read from the
employer's record of the case.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel.records import record_handlers
from gateway.readmodel.store import EMPLOYERS, PERSONS, Doc, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import labour_relations as c
from hrss_shared.consumer import Handler, PermanentEventError
from hrss_shared.events import CloudEvent, Contract, ContractViolation
from hrss_shared.registry import LABOUR_RELATIONS

SECTION = "labour"
FINAL = "9999"  # the updated_at of a cancelled case
CASE_ENTITY = "arrears_case"


def empty(_: str) -> Doc:
    return {"arrears_cases": [], "records": {}, "as_of": None}


def _case_item(data: c.ArrearsCaseChanged, at: str) -> Doc:
    return {
        "id": data.id, "credit_code": data.credit_code, "employer_name": data.employer_name,
        "county_code": data.county_code, "status": data.status, "filed_date": data.filed_date.isoformat(),
        "accepted_date": data.accepted_date.isoformat() if data.accepted_date else None,
        "deadline_date": data.deadline_date.isoformat() if data.deadline_date else None,
        "concluded_date": data.concluded_date.isoformat() if data.concluded_date else None,
        "amount_owed": str(data.amount_owed),
        "amount_recovered": str(data.amount_recovered) if data.amount_recovered is not None else None,
        "group_case": data.group_case, "workers_affected": data.workers_affected,
        "updated_at": FINAL if data.status == "cancelled" else at,
    }


async def _follow_complainants(session: AsyncSession, event: CloudEvent, data: c.ArrearsCaseChanged,
                               before: set[str], current: set[str]) -> None:
    """Update the case in the sections of the complainants the event names who still are complainants (an older
    event redelivered after a correction does not bring back a dropped one), and remove it from those dropped."""
    at = stamp(event.time)
    final = data.status == "cancelled"
    for id_number in sorted(set(data.complainant_id_numbers) & current):
        doc = await PERSONS.section(session, id_number, SECTION)
        cases: list[Doc] = doc["arrears_cases"]
        item = next((i for i in cases if i["id"] == data.id), None)
        if item is None:
            cases.append(_case_item(data, at))
        elif final or at >= item["updated_at"]:
            item.update(_case_item(data, at))
        cases.sort(key=lambda i: (i["filed_date"], i["id"]), reverse=True)
        doc["as_of"] = later(doc["as_of"], at)
    for id_number in sorted(before - current):
        doc = await PERSONS.section(session, id_number, SECTION)
        item = next((i for i in doc["arrears_cases"] if i["id"] == data.id), None)
        if item is not None and item["updated_at"] != FINAL:
            doc["arrears_cases"].remove(item)
        doc["as_of"] = later(doc["as_of"], at)


def _complainants(employer: Doc, case_id: str) -> set[str]:
    record = next((i for i in employer["records"].get(CASE_ENTITY, []) if i["id"] == case_id), None)
    return set(record["data"].get("complainant_id_numbers", [])) if record else set()


def _case_handler(contract: Contract[c.ArrearsCaseChanged], employer_fold: Handler) -> Handler:
    async def handle(session: AsyncSession, event: CloudEvent) -> None:
        try:
            data = contract.parse(event.data)
        except ContractViolation as exc:
            raise PermanentEventError(str(exc)) from exc
        employer = await EMPLOYERS.section(session, event.subject, SECTION)
        before = _complainants(employer, data.id)
        await employer_fold(session, event)  # the employer's record: the newest event's complainants win
        await _follow_complainants(session, event, data, before, _complainants(employer, data.id))

    return handle


def _handlers() -> dict[str, Handler]:
    contracts: list[Contract[Any]] = list(contracts_of(str(LABOUR_RELATIONS.topic)))
    handlers = record_handlers(contracts, SECTION)
    for contract in contracts:
        if contract.entity == CASE_ENTITY:
            handlers[contract.type] = _case_handler(contract, handlers[contract.type])
    return handlers


HANDLERS = _handlers()
