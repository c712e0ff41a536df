"""Transactional outbox: events are rows written in the same transaction as the domain change."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.events import CloudEvent, new_event

PENDING_FLAG = "hrss_outbox_pending"


class Outbox:
    """Writes a service's events to its outbox table; the relay publishes them after commit."""

    def __init__(self, table: Table, *, topic: str, source: str) -> None:
        self.table = table
        self.topic = topic
        self.source = source

    async def add(self, session: AsyncSession, *, type: str, subject: str, data: BaseModel) -> CloudEvent:
        """Stage an event in ``session``'s transaction; it is published only if that commits."""
        event = new_event(source=self.source, type=type, subject=subject, data=data)
        await session.execute(
            insert(self.table).values(
                event_id=event.id,
                topic=self.topic,
                key=event.subject,
                event_type=event.type,
                payload=event.to_json().decode(),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
        session.info[PENDING_FLAG] = True
        return event
