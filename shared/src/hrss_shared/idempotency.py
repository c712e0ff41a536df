"""``Idempotency-Key`` on writes: a retry with the same key and request gets the first answer, not a second
record or a 409.

A write that carries the header is committed together with its answer: the request's transaction stays
open until the answer is serialised, then the answer (status, a few headers, body) is stored beside the
write in ``idempotency_keys`` and both commit at once. So when a client never saw the answer — a time-out,
a dropped connection, a 503 while the database restarted — it can send the same request with the same key:

- the first request committed: the stored answer comes back, with ``Idempotent-Replayed: true``;
- it did not: nothing was written, and the retry runs as a first request;
- two copies race: one commits, the other's transaction rolls back and it answers the winner's answer.

The key belongs to the client (two clients may use the same key). The same key with a different request
(method, path, query or body) is refused with 422. Keys are kept ``idempotency_retention_hours`` (daily
purge), the window in which a client may retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from hrss_shared.problems import FieldError, ProblemError

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 200
KEPT_HEADERS = frozenset({"content-type", "location", "retry-after"})  # what a replay repeats


@dataclass(frozen=True)
class Claim:
    """A write that carries a key, not seen before: its answer is stored when it commits."""

    client_id: str
    key: str
    request_hash: str


class Replay(Exception):  # noqa: N818 - not an error: the request's answer, found stored
    """Raised before the handler runs: answer with the stored response instead."""

    def __init__(self, status: int, headers: dict[str, str], body: str) -> None:
        super().__init__(status)
        self.status, self.headers, self.body = status, headers, body

    def response(self) -> Response:
        return Response(self.body.encode(), status_code=self.status,
                        headers={**self.headers, REPLAYED_HEADER: "true"})


def key_of(request: Request) -> str | None:
    """The request's key, checked: 1 to 200 visible ASCII characters (RFC 9110 token-ish, as clients send)."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= ch <= "~" for ch in key):
        raise ProblemError(
            status=422, title="数据校验失败 Validation failed",
            detail=f"{HEADER} 须为 1–{MAX_KEY_LENGTH} 个可见 ASCII 字符 (1 to {MAX_KEY_LENGTH} visible characters)",
            slug="validation", errors=[FieldError(f"header.{HEADER}", "1–200 visible ASCII characters")],
        )
    return key


async def request_hash(request: Request) -> str:
    """What makes two requests the same: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.url.query):
        digest.update(part.encode() + b"\0")
    digest.update(await request.body())
    return digest.hexdigest()


async def stored(session: AsyncSession, table: Table, client_id: str, key: str) -> dict[str, Any] | None:
    row = (await session.execute(select(table.c.request_hash, table.c.status, table.c.headers, table.c.body)
                                 .where(table.c.client_id == client_id, table.c.key == key))).mappings().first()
    return dict(row) if row is not None else None


def replay_or_refuse(row: dict[str, Any], request_hash: str) -> Replay:
    """The stored answer for the same request; a 422 for a different request under the same key."""
    if row["request_hash"] != request_hash:
        raise ProblemError(
            status=422, title="幂等键冲突 Idempotency key reused",
            detail=f"该 {HEADER} 已用于另一请求 (this key was used for a different request; use a new key)",
            slug="idempotency-key-reused", errors=[FieldError(f"header.{HEADER}", "used for a different request")],
        )
    headers = row["headers"] if isinstance(row["headers"], dict) else json.loads(row["headers"])
    return Replay(int(row["status"]), headers, row["body"])


def answer_row(claim: Claim, status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> dict[str, Any]:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers
               if k.decode("latin-1").lower() in KEPT_HEADERS}
    return {"client_id": claim.client_id, "key": claim.key, "request_hash": claim.request_hash, "status": status,
            "headers": headers, "body": body.decode(), "created_at": datetime.now(UTC)}
