"""The audit log's hash chain: tamper-evident appends, and the check that finds the first edited or missing row.

Each process writes its own chain (``chain`` = service, host, process and a random part): its rows are
numbered 1, 2, 3 … (``seq``), and each row's ``hash`` is SHA-256 over its fields and the ``prev_hash`` of the
row before it (64 zeros for the first). The database already refuses UPDATE and DELETE on ``audit_log``
(triggers); the chain shows what someone with the power to drop those triggers changed afterwards.

One chain per process means appends never wait on another process. Within a process, a chain's rows are
linked and committed under one lock, so the chain's head is always a committed row: a transaction that rolls
back leaves no gap, and one whose commit outcome is unknown makes the next append re-read the head.

What the chain cannot show: rows removed from the end of a chain, or a whole chain removed. Keep copies of
the heads elsewhere (``hrss audit verify`` prints them) if that matters.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.logs import get_logger

log = get_logger(__name__)

GENESIS = "0" * 64
HASHED = ("chain", "seq", "prev_hash", "at", "client_id", "client_name", "action", "subject", "purpose",
          "correlation_id", "fields")


def new_chain_id(service: str) -> str:
    """A chain name of this process: readable, and unique even when a process id is reused."""
    host = socket.gethostname()[:20]
    return f"{service[:16]}:{host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _canonical_at(at: Any) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return str(at.astimezone(UTC).isoformat(timespec="microseconds"))


def row_hash(row: dict[str, Any]) -> str:
    """SHA-256 of the row's audited fields, ``prev_hash`` included, in one canonical JSON form."""
    values = [row.get(name) for name in HASHED]
    values[HASHED.index("at")] = _canonical_at(row["at"])
    text = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class AuditChain:
    """This process's chain over ``table``."""

    def __init__(self, table: Table, chain: str) -> None:
        self.table = table
        self.chain = chain
        self.seq = 0
        self.head = GENESIS
        self._stale = False
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def appending(self, session: AsyncSession, rows: Iterable[dict[str, Any]]) -> AsyncIterator[None]:
        """Insert ``rows`` linked onto the chain in ``session``; the caller commits inside the block.

        The chain stays locked until the block ends: its head moves on only if the block ends normally.
        """
        rows = list(rows)
        async with self._lock:
            if self._stale:
                await self._reload(session)
            seq, head = self.seq, self.head
            linked: list[dict[str, Any]] = []
            for row in rows:
                seq += 1
                entry = {**row, "chain": self.chain, "seq": seq, "prev_hash": head}
                head = entry["hash"] = row_hash(entry)
                linked.append(entry)
            if linked:
                await session.execute(insert(self.table), linked)
            try:
                yield
            except BaseException:
                self._stale = True  # the commit may have happened all the same: read the head back next time
                raise
            self.seq, self.head = seq, head

    async def _reload(self, session: AsyncSession) -> None:
        t = self.table
        row = (await session.execute(
            select(t.c.seq, t.c.hash).where(t.c.chain == self.chain).order_by(t.c.seq.desc()).limit(1)
        )).first()
        self.seq, self.head = (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)
        self._stale = False


class AuditWriter:
    """Appends audit rows with group commit: a request waits until its rows are committed, and one short
    transaction serves every request that arrived meanwhile, so many unmasked reads at once neither queue
    one by one on SQLite's write lock nor make readers wait."""

    def __init__(self, maker: Callable[[], Any], chain: AuditChain) -> None:
        self.maker = maker
        self.chain = chain
        self._pending: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self._wake = asyncio.Event()

    async def append(self, rows: list[dict[str, Any]]) -> None:
        """Return once ``rows`` are committed; raise what the write raised otherwise."""
        if not rows:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, done))
        self._wake.set()
        await done

    async def run(self) -> None:
        """Write what is pending, one transaction at a time, until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            try:
                async with self.maker() as session:
                    async with self.chain.appending(session, [row for rows, _ in batch for row in rows]):
                        await session.commit()
            except Exception as exc:  # noqa: BLE001 - handed to every waiting request, which then fails
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)


@dataclass
class Finding:
    """The first row that breaks a chain, and why."""

    id: int
    chain: str
    seq: int | None
    reason: str


@dataclass
class Verification:
    rows: int = 0
    unchained: int = 0  # rows written before the chain existed (no chain, nothing to check)
    heads: dict[str, tuple[int, str]] = field(default_factory=dict)  # chain → (last seq, its hash)
    finding: Finding | None = None

    @property
    def ok(self) -> bool:
        return self.finding is None


async def verify(session: AsyncSession, table: Table, *, batch: int = 5000) -> Verification:
    """Walk every chain in order; stop at the first row that was edited, or after which a row is missing."""
    result = Verification()
    columns = [table.c.id, *(table.c[name] for name in HASHED), table.c.hash]
    last: dict[str, tuple[int, str]] = {}
    after: tuple[str, int] | None = None
    while True:
        query = select(*columns).where(table.c.chain.is_not(None)).order_by(table.c.chain, table.c.seq).limit(batch)
        if after is not None:
            query = query.where((table.c.chain > after[0]) | ((table.c.chain == after[0]) & (table.c.seq > after[1])))
        rows = (await session.execute(query)).mappings().all()
        if not rows:
            break
        for row in rows:
            result.rows += 1
            chain, seq = row["chain"], row["seq"]
            prev_seq, prev_hash = last.get(chain, (0, GENESIS))
            reason = None
            if seq != prev_seq + 1:
                reason = (f"row {prev_seq + 1} of the chain is missing (found {seq} after {prev_seq})"
                          if seq > prev_seq + 1 else f"sequence number {seq} repeated or out of order")
            elif row["prev_hash"] != prev_hash:
                reason = f"prev_hash does not match row {prev_seq}: a row before it was replaced or removed"
            elif row["hash"] != row_hash(dict(row)):
                reason = "its contents do not match its hash: the row was edited"
            if reason is not None:
                result.finding = Finding(id=int(row["id"]), chain=chain, seq=seq, reason=reason)
                result.heads = last
                return result
            last[chain] = (seq, row["hash"])
        after = (rows[-1]["chain"], rows[-1]["seq"])
    unchained = await session.execute(select(func.count()).select_from(table).where(table.c.chain.is_(None)))
    result.unchained = int(unchained.scalar_one())
    result.heads = last
    return result
