"""CloudEvents 1.0 envelope (structured JSON mode) used on every topic, and the event contract mechanism.

A :class:`Contract` pairs a CloudEvent ``type`` with the pydantic model of its ``data``; the contracts
themselves are declared once in the ``hrss_contracts`` package (a module per topic), which producers and
consumers import instead of each other.
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Generic, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from hrss_shared.logs import correlation_id
from hrss_shared.registry import SERVICES, Service

TYPE_PATTERN = re.compile(r"^hrss\.([a-z][a-z0-9-]*)\.([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\.v([0-9]+)$")


class CloudEvent(BaseModel):
    """One event: CloudEvents 1.0 context attributes plus ``data`` and a correlation extension."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    time: AwareDatetime = Field(description="when it happened, with a UTC offset")
    subject: str = Field(min_length=1, max_length=64)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    correlationid: str | None = None

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        """The event in ``raw`` (JSON bytes as on the topic), validated in one pass by pydantic-core."""
        event: CloudEvent = cls.__pydantic_validator__.validate_json(raw)
        return event


class EventData(BaseModel):
    """Base of every event's ``data``: consumers ignore fields they do not know (additive changes in a version)."""

    model_config = ConfigDict(extra="ignore")


M = TypeVar("M", bound=EventData)


class ContractViolation(Exception):
    """An event's data does not validate against its contract."""


# Inside parse_once(): each (data dict, contract type) validated already, with its model (see Contract.parse).
_parsed: ContextVar[dict[tuple[int, str], tuple[dict[str, Any], EventData]] | None] = ContextVar(
    "hrss_parsed_event_data", default=None
)


@contextmanager
def parse_once() -> Iterator[None]:
    """Within the block, :meth:`Contract.parse` validates one event's data once per contract.

    A consumer opens it around a batch: when several handlers of one event type (read models chained on the same
    event) each parse its data, the first validation's model is handed to the others. Handlers treat the model as
    read-only input, as they treat the event itself. A violation is not remembered: it raises every time.
    """
    token = _parsed.set({})
    try:
        yield
    finally:
        _parsed.reset(token)


@dataclass(frozen=True)
class Contract(Generic[M]):
    """An event type of one topic: its CloudEvent ``type``, data model, subject field and meaning."""

    type: str
    model: builtins.type[M]
    subject: str
    summary: str

    def __post_init__(self) -> None:
        match = TYPE_PATTERN.match(self.type)
        if match is None:
            raise ValueError(f"event type {self.type!r} does not follow hrss.<service>.<entity>.<verb>.v<N>")
        if match.group(1) not in SERVICES or SERVICES[match.group(1)].topic is None:
            raise ValueError(f"event type {self.type!r} names no publishing service of the registry")
        if self.subject not in self.model.model_fields:
            raise ValueError(f"{self.model.__name__} has no subject field {self.subject!r}")

    @cached_property
    def service(self) -> Service:
        return SERVICES[self._part(1)]

    @cached_property
    def topic(self) -> str:
        topic = self.service.topic
        assert topic is not None  # checked in __post_init__
        return topic

    @cached_property
    def entity(self) -> str:
        return self._part(2)

    @cached_property
    def verb(self) -> str:
        return self._part(3)

    @cached_property
    def version(self) -> int:
        return int(self._part(4))

    def _part(self, group: int) -> str:
        match = TYPE_PATTERN.match(self.type)
        assert match is not None
        return match.group(group)

    def subject_of(self, data: M) -> str:
        return str(getattr(data, self.subject))

    def parse(self, data: dict[str, Any]) -> M:
        """The event's data as the contract's model; :class:`ContractViolation` when it does not validate."""
        memo = _parsed.get()
        if memo is not None:
            hit = memo.get((id(data), self.type))
            if hit is not None and hit[0] is data:
                return hit[1]  # type: ignore[return-value]  # stored for this contract, so of its model
        try:
            model = self.model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
            raise ContractViolation(f"{self.type} data does not match {self.model.__name__}: {problems}") from exc
        if memo is not None:
            memo[(id(data), self.type)] = (data, model)
        return model

    def dump(self, data: M) -> dict[str, Any]:
        """``data`` as JSON-ready dict, checked to validate against the contract (a producer's bug otherwise)."""
        if not isinstance(data, self.model):
            raise ContractViolation(f"{self.type} needs {self.model.__name__}, got {type(data).__name__}")
        payload = data.model_dump(mode="json")
        self.parse(payload)
        return payload


def new_event(
    *, source: str, type: str, subject: str, data: dict[str, Any], time: datetime | None = None
) -> CloudEvent:
    """Build an event; the current request's correlation id rides along."""
    if not TYPE_PATTERN.match(type):
        raise ValueError(f"event type {type!r} does not follow hrss.<service>.<entity>.<verb>.v<N>")
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        time=time or datetime.now(UTC),
        subject=subject,
        data=data,
        correlationid=correlation_id.get(),
    )
