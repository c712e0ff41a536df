"""Generic folding of record events into their source domain's section of the subject's documents.

An event of contract ``hrss.<service>.<entity>.<verb>.v1`` whose data carries the record's ``id`` updates
the record ``<entity>/<id>`` in the ``records`` of the domain's section: its ``status`` becomes the verb
(unless an older event arrives late) and ``data`` merges the event's fields. A person's records are in the
person's section, an employer's (postings, posts, bases …) in the employer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel.store import EMPLOYERS, PERSONS, Doc, later, stamp
from hrss_shared.consumer import Handler, PermanentEventError
from hrss_shared.events import CloudEvent, Contract, ContractViolation


def fold(doc: Doc, event: CloudEvent, contract: Contract[Any]) -> None:
    """Upsert the record the event is about into ``doc['records']``."""
    record_id = event.data.get("id")
    if not isinstance(record_id, str | int) or str(record_id) == "":
        raise PermanentEventError(f"{event.type} data has no record id")
    at = stamp(event.time)
    items: list[Doc] = doc["records"].setdefault(contract.entity, [])
    item = next((i for i in items if i["id"] == str(record_id)), None)
    if item is None:
        item = {"id": str(record_id), "status": contract.verb, "data": {}, "updated_at": at}
        items.append(item)
    newer = at >= item["updated_at"]
    item["data"] = {**item["data"], **event.data} if newer else {**event.data, **item["data"]}
    if newer:
        item["status"], item["updated_at"] = contract.verb, at
    items.sort(key=lambda i: i["updated_at"], reverse=True)
    doc["as_of"] = later(doc["as_of"], at)


def record_handlers(contracts: Iterable[Contract[Any]], section: str) -> dict[str, Handler]:
    """A folding handler for each contract: into ``section`` of the person's or the employer's documents."""

    def handler_for(contract: Contract[Any]) -> Handler:
        documents = PERSONS if contract.subject == "id_number" else EMPLOYERS

        async def handle(session: AsyncSession, event: CloudEvent) -> None:
            try:
                contract.parse(event.data)
            except ContractViolation as exc:
                raise PermanentEventError(str(exc)) from exc
            fold(await documents.section(session, event.subject, section), event, contract)

        return handle

    return {contract.type: handler_for(contract) for contract in contracts}
