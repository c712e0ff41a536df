"""Generic folding of record events into :class:`DomainFact` rows.

An event type ``hrss.<service>.<entity>.<verb>.v1`` whose data carries the record's ``id`` updates
the fact ``<entity>:<id>``: its ``status`` becomes the verb (unless an older event arrives late)
and ``data`` merges the event's fields. The person and employer views show these facts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel.models import DomainFact
from hrss_shared.consumer import Handler, PermanentEventError
from hrss_shared.events import CloudEvent


def _entity_and_verb(event_type: str) -> tuple[str, str]:
    parts = event_type.split(".")
    return parts[2], parts[3]


async def fold_fact(session: AsyncSession, event: CloudEvent) -> None:
    """Upsert the fact the event is about."""
    record_id = event.data.get("id")
    if not isinstance(record_id, str | int) or str(record_id) == "":
        raise PermanentEventError(f"{event.type} data has no record id")
    entity, verb = _entity_and_verb(event.type)
    key = f"{entity}:{record_id}"
    fact = await session.get(DomainFact, key)
    if fact is None:
        fact = DomainFact(id=key, subject=event.subject, kind=entity, status=verb, data={}, updated_at=event.time)
    newer = event.time >= fact.updated_at
    merged = {**event.data, **fact.data} if not newer else {**fact.data, **event.data}
    fact.data = merged
    if newer:
        fact.status, fact.updated_at = verb, event.time
    session.add(fact)


def fact_handlers(event_types: Iterable[str]) -> dict[str, Handler]:
    return dict.fromkeys(event_types, fold_fact)
