"""CloudEvents 1.0 envelope (structured JSON mode) used on every topic."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hrss_shared.logs import correlation_id

TYPE_PATTERN = re.compile(r"^hrss\.[a-z][a-z0-9_-]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[0-9]+$")


class CloudEvent(BaseModel):
    """One event: CloudEvents 1.0 context attributes plus ``data`` and a correlation extension."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=200)
    time: datetime
    subject: str = Field(min_length=1, max_length=64)
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]
    correlationid: str | None = None

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a UTC offset")
        return value

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)


def new_event(*, source: str, type: str, subject: str, data: BaseModel, time: datetime | None = None) -> CloudEvent:
    """Build an event for ``data``; the current request's correlation id rides along."""
    if not TYPE_PATTERN.match(type):
        raise ValueError(f"event type {type!r} does not follow hrss.<service>.<entity>.<verb>.v<N>")
    return CloudEvent(
        id=str(uuid.uuid4()),
        source=source,
        type=type,
        time=time or datetime.now(UTC),
        subject=subject,
        data=data.model_dump(mode="json"),
        correlationid=correlation_id.get(),
    )
