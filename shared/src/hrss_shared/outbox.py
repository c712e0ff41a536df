"""Transactional outbox: events are rows written in the same transaction as the domain change."""

from __future__ import annotations

import functools
import hmac
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_json
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared import bulk
from hrss_shared.db import Prepared
from hrss_shared.events import CloudEvent, Contract, ContractViolation, EventData, new_event

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
        # One row of _COLUMNS, compiled once and handed to the driver (every write request stages its events here).
        self._insert = Prepared(insert(table), _COLUMNS)

    def _check_topic(self, contract: Contract[Any]) -> None:
        if self.publishes is not None and contract.topic != self.publishes:
            raise ValueError(f"{contract.type} belongs to {contract.topic}; this service publishes {self.publishes}")

    def key_for(self, subject: str) -> str:
        """The message key of this outbox's events about ``subject`` (:func:`message_key` under its secret)."""
        return message_key(subject, self._key_secret)

    async def add(self, session: AsyncSession, contract: Contract[M], data: M) -> CloudEvent:
        """Stage an event in ``session``'s transaction; it is published only if that commits.

        ``data`` must validate against ``contract`` (a :class:`ContractViolation` otherwise), and the
        contract must belong to this service's topic.
        """
        self._check_topic(contract)
        payload = contract.dump(data)
        event = new_event(source=self.source, type=contract.type, subject=contract.subject_of(data), data=payload)
        await self._insert.run(session, (event.id, self.topic, self.key_for(event.subject), event.type,
                                         event.to_json().decode(), datetime.now(UTC), 0))
        session.info[PENDING_FLAG] = True
        return event

    async def add_many(self, session: AsyncSession, contract: Contract[M],
                       items: Iterable[M] | Iterable[Mapping[str, Any]],
                       correlations: Sequence[str | None] | None = None) -> int:
        """Stage one event per item of ``items`` in ``session``'s transaction with one bulk write; their number.

        The bulk paths' form of :meth:`add`: every item is checked against ``contract`` the same way (an instance
        of its model whose JSON form validates again), and the rows reach the outbox through
        :func:`hrss_shared.bulk.copy_rows` (``COPY`` on PostgreSQL). Set-wise: the items are dumped and their dumps
        validated with one :class:`~pydantic.TypeAdapter` call each, and each event's JSON is the bytes
        :meth:`CloudEvent.to_json` gives, built without a CloudEvent model per event. ``items`` may instead be the
        events' data as dicts (a bulk path's thousands: no model built to be dumped again): they are validated into
        the contract's model once, and each event's data is that model's JSON. ``correlations`` gives each item's
        correlation id (a consumer's batch: the event it follows from); by default the current request's.
        """
        self._check_topic(contract)
        given: list[Any] = list(items)
        if not given:
            return 0
        if correlations is not None and len(correlations) != len(given):
            raise ValueError(f"{len(correlations)} correlation ids for {len(given)} items")
        adapter = _list_adapter(contract.model)
        pairs: list[tuple[Any, Any]]  # each event's data (its subject read from it) and payload (its JSON form)
        if all(isinstance(data, Mapping) for data in given):
            try:
                models = adapter.validate_python(given)
            except ValidationError as exc:
                raise _violation(contract, exc) from exc
            pairs = [(model, model) for model in models]  # a validated model is its own payload
        else:
            for data in given:
                if not isinstance(data, contract.model):
                    raise ContractViolation(
                        f"{contract.type} needs {contract.model.__name__}, got {type(data).__name__}")
            payloads = adapter.dump_python(given, mode="json")
            try:
                adapter.validate_python(payloads)
            except ValidationError as exc:
                raise _violation(contract, exc) from exc
            pairs = list(zip(given, payloads, strict=True))
        now = datetime.now(UTC)
        # The context attributes as CloudEvent.to_json writes them (same order, ``time`` as pydantic serializes it).
        head = new_event(source=self.source, type=contract.type, subject="-", data={}, time=now)
        time = head.model_dump(mode="json")["time"]
        correlation = head.correlationid
        subject_field = contract.subject
        rows = []
        for index, (data, payload) in enumerate(pairs):
            subject = str(getattr(data, subject_field))
            if correlations is not None:
                correlation = correlations[index]
            event_id = str(uuid.uuid4())
            event: dict[str, Any] = {"specversion": "1.0", "id": event_id, "source": self.source,
                                     "type": contract.type, "time": time, "subject": subject,
                                     "datacontenttype": "application/json", "data": payload}
            if correlation is not None:
                event["correlationid"] = correlation
            rows.append((event_id, self.topic, self.key_for(subject), contract.type, to_json(event).decode(), now, 0))
        written = await bulk.copy_rows(session, self.table, _COLUMNS, rows)
        if written:
            session.info[PENDING_FLAG] = True
        return written


def _violation(contract: Contract[Any], exc: ValidationError) -> ContractViolation:
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
    return ContractViolation(f"{contract.type} data does not match {contract.model.__name__}: {problems}")


@functools.lru_cache(maxsize=256)
def _list_adapter(model: type[EventData]) -> TypeAdapter[list[Any]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]
