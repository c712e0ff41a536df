"""Transactional outbox: events are rows written in the same transaction as the domain change."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared import bulk
from hrss_shared.events import CloudEvent, Contract, EventData, new_event

PENDING_FLAG = "hrss_outbox_pending"
_COLUMNS = ("event_id", "topic", "key", "event_type", "payload", "created_at", "attempts")
M = TypeVar("M", bound=EventData)


def message_key(subject: str, secret: str) -> str:
    """The Kafka message key of an event about ``subject``: HMAC-SHA256 under the stack's event-key secret, 64 hex.

    The same subject always gets the same key, so one person's or employer's events keep their order on one
    partition, while no ID number travels in the key (the CloudEvent's ``subject`` keeps it, inside the value).
    """
    return hmac.digest(secret.encode(), subject.encode(), "sha256").hex()


class Outbox:
    """Writes a service's events to its outbox table; the relay publishes them after commit."""

    def __init__(self, table: Table, *, topic: str, source: str, key_secret: str, publishes: str | None = None) -> None:
        self.table = table
        self.topic = topic
        self.source = source
        # The stack-wide event-key secret (``HRSS_EVENT_KEY_SECRET``); see :func:`message_key`.
        self._key_secret = key_secret
        # The topic (without deployment prefix) whose contracts this outbox may publish.
        self.publishes = publishes

    def key_for(self, subject: str) -> str:
        """The message key of this outbox's events about ``subject`` (:func:`message_key` under its secret)."""
        return message_key(subject, self._key_secret)

    async def add(self, session: AsyncSession, contract: Contract[M], data: M) -> CloudEvent:
        """Stage an event in ``session``'s transaction; it is published only if that commits.

        ``data`` must validate against ``contract`` (a :class:`ContractViolation` otherwise), and the
        contract must belong to this service's topic.
        """
        if self.publishes is not None and contract.topic != self.publishes:
            raise ValueError(f"{contract.type} belongs to {contract.topic}; this service publishes {self.publishes}")
        payload = contract.dump(data)
        event = new_event(source=self.source, type=contract.type, subject=contract.subject_of(data), data=payload)
        await session.execute(
            insert(self.table).values(
                event_id=event.id,
                topic=self.topic,
                key=self.key_for(event.subject),
                event_type=event.type,
                payload=event.to_json().decode(),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )
        session.info[PENDING_FLAG] = True
        return event

    async def add_many(self, session: AsyncSession, contract: Contract[M], items: Iterable[M]) -> int:
        """Stage one event per item of ``items`` in ``session``'s transaction with one bulk write; their number.

        The bulk paths' form of :meth:`add`: every item is checked against ``contract`` the same way, and the
        rows reach the outbox through :func:`hrss_shared.bulk.copy_rows` (``COPY`` on PostgreSQL).
        """
        if self.publishes is not None and contract.topic != self.publishes:
            raise ValueError(f"{contract.type} belongs to {contract.topic}; this service publishes {self.publishes}")
        now = datetime.now(UTC)
        rows = []
        for data in items:
            event = new_event(source=self.source, type=contract.type, subject=contract.subject_of(data),
                              data=contract.dump(data), time=now)
            rows.append((event.id, self.topic, self.key_for(event.subject), event.type, event.to_json().decode(),
                         now, 0))
        written = await bulk.copy_rows(session, self.table, _COLUMNS, rows)
        if written:
            session.info[PENDING_FLAG] = True
        return written
