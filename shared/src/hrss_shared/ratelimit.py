"""Per-client rate limit: requests per client per minute, counted across the instances of a service.

The limits are policy data (``reference/rate_limits.toml``, or the file ``HRSS_RATE_LIMIT_POLICY`` names): a
default and per-client overrides, with effective dates. :func:`hrss_shared.app.authorize` calls
:meth:`RateLimiter.hit` once the client is known, so every authenticated route is covered.

The hot path never waits on the database. Time is cut into fixed 60-second windows aligned to the Unix epoch
(so every instance agrees on them; a window never straddles the bureau's midnight, Beijing being UTC+8). Each
instance counts the requests it admits in memory; about once a second :meth:`RateLimiter.flush` writes its own
counts of the current window to ``rate_counts`` (one upsert row per client, window and instance) and reads back
the sum of the *other* instances' rows in the same step. A request is admitted while
``local + last known remote < limit``: one dict look-up and one increment.

Bounded overshoot: an instance learns another's admissions only at its next flush, so within one window the
service may admit up to the limit plus whatever the other instances admitted since their counts were last read
(about one flush interval of that client's traffic to them). In the worst case — every instance receiving the
client's burst before any flush — that is at most ``instances × limit``. With a single instance it is exact.

Rows of past windows are deleted by the hourly scheduled job :func:`purge_job`.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import socket
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Table, func, select

from hrss_shared import clock
from hrss_shared.db import SessionMaker, Upsert
from hrss_shared.logs import get_logger
from hrss_shared.policy import PolicyError, PolicyTable, PolicyVersion
from hrss_shared.problems import ProblemError, problem_response
from hrss_shared.relay import Backoff
from hrss_shared.scheduler import Every, Job, JobContext

log = get_logger(__name__)

WINDOW_SECONDS = 60
# Rows of windows older than this are deleted by the purge job (kept a while to show recent traffic).
KEEP_WINDOWS = timedelta(hours=1)
POLICY_FILE = "rate_limits.toml"


class RateLimitPolicy(PolicyVersion):
    """One version of the rate-limit policy."""

    illustrative: bool = Field(
        False, description="true: the numbers are examples of the platform's own, from no official source"
    )
    requests_per_minute: int = Field(ge=1, description="每个接入系统每分钟请求数上限 default limit per client")
    clients: dict[str, int] = Field(default_factory=dict, description="per-client overrides (client id → limit)")

    def limit_for(self, client_id: str) -> int:
        return self.clients.get(client_id, self.requests_per_minute)


def load_policy(path: Path | None = None) -> PolicyTable[RateLimitPolicy]:
    """The rate-limit policy from ``path``, or the platform's own file beside this module."""
    if path is None:
        path = Path(str(files("hrss_shared.reference").joinpath(POLICY_FILE)))
    return PolicyTable.load(path, RateLimitPolicy)


class RateLimited(ProblemError):
    """429: the client used up its requests of the current window; ``retry_after`` seconds until the next."""

    def __init__(self, *, client_id: str, limit: int, retry_after: int, illustrative: bool) -> None:
        note = "（示例限额，无官方来源 illustrative limit, from no official source）" if illustrative else ""
        super().__init__(
            detail=(f"接入系统 {client_id} 每分钟请求数已达上限 {limit}{note}，请 {retry_after} 秒后重试 "
                    f"(client {client_id} reached its limit of {limit} requests per minute; "
                    f"retry after {retry_after} s)"),
            status=429, title="请求过于频繁 Too many requests", slug="too-many-requests",
            extra={"limit": limit, "window_seconds": WINDOW_SECONDS, "retry_after": retry_after,
                   "illustrative": illustrative},
        )
        self.retry_after = retry_after


async def rate_limited_response(request: Request, exc: Exception) -> JSONResponse:
    """The problem+json answer of :class:`RateLimited`, with ``Retry-After``."""
    assert isinstance(exc, RateLimited)
    return problem_response(request, status=exc.status, title=exc.title, detail=exc.detail, slug=exc.slug,
                            extra=exc.extra, headers={"Retry-After": str(exc.retry_after)})


def instance_name() -> str:
    """This process's name in ``rate_counts.instance``: host, pid and a random suffix (a restart is new)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class RateLimiter:
    """Counts each client's requests per fixed window in memory; :meth:`flush` shares them through the database."""

    def __init__(
        self,
        *,
        policy: PolicyTable[RateLimitPolicy],
        maker: SessionMaker,
        reader: SessionMaker,
        table: Table,
        instance: str | None = None,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self.policy = policy
        self.maker, self.reader, self.table = maker, reader, table
        self._upsert = Upsert(table, ("client_id", "window_start", "instance"),
                              ("client_id", "window_start", "instance", "hits"))
        self.instance = instance or instance_name()
        self._now = now
        self._start = 0  # the current window [start, end), epoch seconds
        self._end = 0
        self._version: RateLimitPolicy | None = None
        self._unlimited_day: date | None = None  # a day without a policy in force (logged once)
        self._local: dict[str, int] = {}  # admitted here in the current window
        self._remote: dict[str, int] = {}  # admitted by the other instances, as of the last flush
        self._written: dict[str, int] = {}  # what the last flush wrote of ``_local``
        self.healthy = False
        self.flushes = 0
        self.refused = 0
        self.last_flush: datetime | None = None
        self.last_error: str | None = None

    # ---- the hot path ---------------------------------------------------------------------------------------

    def hit(self, client_id: str) -> None:
        """Admit one request of ``client_id`` or raise :class:`RateLimited` (O(1), no I/O)."""
        now = self._now().timestamp()
        if not self._start <= now < self._end:
            self._roll(now)
        version = self._version
        if version is None:
            return  # no policy in force: not limited
        used = self._local.get(client_id, 0)
        limit = version.limit_for(client_id)
        if used + self._remote.get(client_id, 0) >= limit:
            self.refused += 1
            raise RateLimited(client_id=client_id, limit=limit, retry_after=max(1, math.ceil(self._end - now)),
                              illustrative=version.illustrative)
        self._local[client_id] = used + 1

    def _roll(self, now: float) -> None:
        """Start the window holding ``now``: fresh counts, and the policy version in force on its day."""
        start = int(now // WINDOW_SECONDS * WINDOW_SECONDS)
        self._start, self._end = start, start + WINDOW_SECONDS
        self._local, self._remote, self._written = {}, {}, {}
        day = clock.bureau_date(datetime.fromtimestamp(start, UTC))
        try:
            self._version = self.policy.at(day)
        except PolicyError:
            self._version = None
            if self._unlimited_day != day:
                self._unlimited_day = day
                log.warning("rate_limit_policy_missing", day=day.isoformat(), policy=self.policy.name)

    def limit_for(self, client_id: str) -> int | None:
        """The limit in force for ``client_id`` in the current window (None: not limited)."""
        now = self._now().timestamp()
        if not self._start <= now < self._end:
            self._roll(now)
        return None if self._version is None else self._version.limit_for(client_id)

    # ---- sharing counts across instances ----------------------------------------------------------------------

    async def flush(self) -> None:
        """Write this instance's changed counts of the current window; read the other instances' sums back."""
        now = self._now().timestamp()
        if not self._start <= now < self._end:
            self._roll(now)
        start, local = self._start, self._local
        changed = {client: hits for client, hits in local.items() if self._written.get(client) != hits}
        t = self.table
        others = (
            select(t.c.client_id, func.sum(t.c.hits))
            .where(t.c.window_start == start, t.c.instance != self.instance)
            .group_by(t.c.client_id)
        )
        if changed:
            async with self.maker() as session, session.begin():
                await self._upsert.execute(session, [(client, start, self.instance, hits)
                                                     for client, hits in changed.items()])
                rows = (await session.execute(others)).all()
        else:
            async with self.reader() as session:
                rows = (await session.execute(others)).all()
        if self._start == start:  # the window did not roll meanwhile
            self._written.update(changed)
            self._remote = {client: int(hits) for client, hits in rows}
        self.flushes += 1
        self.last_flush = self._now()

    async def run(self, every: float = 1.0) -> None:
        """Flush about every ``every`` seconds; while the database is unreachable, decide on the last known counts."""
        backoff = Backoff(every, 30.0)
        while True:
            try:
                await self.flush()
                self.healthy, self.last_error = True, None
                backoff.reset()
                await asyncio.sleep(every)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the limiter must survive database outages
                delay = backoff.next()
                if self.healthy or self.last_error is None:
                    log.warning("rate_limit_flush_failed", error=repr(exc), retry_in=delay)
                self.healthy, self.last_error = False, f"{type(exc).__name__}: {exc}"[:300]
                await asyncio.sleep(delay)

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: the window, counts and the last flush."""
        version = self._version
        return {
            "healthy": self.healthy, "instance": self.instance, "window_start": self._start,
            "window_seconds": WINDOW_SECONDS, "policy_from": version.effective_from.isoformat() if version else None,
            "requests_per_minute": version.requests_per_minute if version else None,
            "illustrative": version.illustrative if version else None,
            "clients_this_window": len(self._local.keys() | self._remote.keys()), "refused": self.refused,
            "flushes": self.flushes, "last_flush": self.last_flush.isoformat() if self.last_flush else None,
            "last_error": self.last_error,
        }


def purge_job(table: Table) -> Job:
    """Hourly, once across instances: delete ``rate_counts`` rows of windows that ended over an hour ago."""

    async def purge(context: JobContext) -> str:
        cutoff = int((context.scheduled_for - KEEP_WINDOWS).timestamp())
        async with context.maker() as session, session.begin():
            result = await session.execute(table.delete().where(table.c.window_start < cutoff))
        return f"purged {result.rowcount} rate-count rows"  # type: ignore[attr-defined]

    return Job(name="rate-counts-purge", schedule=Every(timedelta(hours=1)), run=purge)
