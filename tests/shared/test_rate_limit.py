"""Per-client rate limit (hrss_shared.ratelimit): window edges, 429 answers, counting across instances, policy dates."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_shared import clock, db
from hrss_shared.infra import infra_tables
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import PROBLEM_JSON
from hrss_shared.ratelimit import (
    WINDOW_SECONDS,
    RateLimited,
    RateLimiter,
    RateLimitPolicy,
    load_policy,
    purge_job,
)
from hrss_shared.scheduler import JobContext
from tests.conftest import DbFactory, MoveToday
from tests.support import InProcessService, alone, bearer, token

BEIJING = clock.BUREAU_TZ
# 10 s into a 60-second window (windows are aligned to the Unix epoch; Beijing is UTC+8, whole minutes).
T0 = datetime(2026, 3, 2, 10, 0, 10, tzinfo=BEIJING)

POLICY = """
[[version]]
effective_from = 2026-01-01
source = "测试 test policy"
illustrative = true
requests_per_minute = 3

[version.clients]
"c-big" = 5
"""

DATED = """
[[version]]
effective_from = 2026-01-01
effective_to = 2026-02-28
source = "测试 first version"
illustrative = true
requests_per_minute = 2

[[version]]
effective_from = 2026-03-01
source = "测试 second version"
illustrative = false
requests_per_minute = 4
"""


def policy_file(tmp_path: Path, text: str = POLICY) -> Path:
    path = tmp_path / "rate_limits.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Clock:
    """An injected clock for a limiter."""

    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
async def counts(make_db: DbFactory) -> AsyncIterator[Callable[[], AsyncEngine]]:
    """``rate_counts`` in a database of the test's own (SQLite or PostgreSQL); a new engine per instance."""
    url = await make_db("ratelimit")
    metadata = MetaData()
    infra_tables(metadata)
    engines: list[AsyncEngine] = []

    def engine() -> AsyncEngine:
        engines.append(db.make_engine(url))
        return engines[-1]

    async with engine().begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    for e in engines:
        await e.dispose()


def rate_table() -> Table:
    return infra_tables(MetaData()).rate_counts


def limiter(engine: AsyncEngine, policy: PolicyTable[RateLimitPolicy], now: Clock, instance: str) -> RateLimiter:
    return RateLimiter(policy=policy, maker=db.make_sessionmaker(engine), reader=db.make_reader(engine),
                       table=rate_table(), instance=instance, now=now)


def refused(limit: RateLimiter, client_id: str) -> RateLimited:
    with pytest.raises(RateLimited) as info:
        limit.hit(client_id)
    return info.value


# ---- one instance: the window's edges --------------------------------------------------------------------------


async def test_the_request_at_the_limit_passes_the_next_is_refused_and_a_new_window_passes(
    tmp_path: Path, counts: Callable[[], AsyncEngine],
) -> None:
    now = Clock(T0)
    limit = limiter(counts(), load_policy(policy_file(tmp_path)), now, "a")
    for _ in range(3):
        limit.hit("c-small")
    now.advance(49.5)  # 59.5 s into the window: still this window
    problem = refused(limit, "c-small")
    assert (problem.status, problem.retry_after) == (429, 1)
    assert problem.extra == {"limit": 3, "window_seconds": 60, "retry_after": 1, "illustrative": True}
    assert "c-small" in problem.detail and "illustrative" in problem.detail and "示例" in problem.detail
    limit.hit("c-other")  # the limit is per client
    for _ in range(5):
        limit.hit("c-big")  # its override
    refused(limit, "c-big")

    now.advance(0.5)  # the next window starts
    for _ in range(3):
        limit.hit("c-small")
    assert refused(limit, "c-small").retry_after == WINDOW_SECONDS


async def test_two_instances_sharing_one_database_count_together_after_a_flush(
    tmp_path: Path, counts: Callable[[], AsyncEngine],
) -> None:
    now = Clock(T0)
    policy = load_policy(policy_file(tmp_path))
    first, second = limiter(counts(), policy, now, "host-a:1"), limiter(counts(), policy, now, "host-b:2")
    first.hit("c-small")
    first.hit("c-small")
    second.hit("c-small")  # neither knows the other yet: the bounded overshoot between flushes
    await first.flush()
    await second.flush()  # writes its 1, reads the first's 2
    refused(second, "c-small")
    await first.flush()  # reads the second's 1
    refused(first, "c-small")

    # An upsert per (client, window, instance): counts are replaced, not added twice.
    second.hit("c-big")
    await second.flush()
    second.hit("c-big")
    await second.flush()
    async with first.reader() as session:
        t = first.table
        rows = (await session.execute(select(t.c.client_id, t.c.instance, t.c.hits).order_by(t.c.client_id,
                                                                                              t.c.instance))).all()
    start = int(T0.timestamp()) // 60 * 60
    assert [tuple(r) for r in rows] == [("c-big", "host-b:2", 2), ("c-small", "host-a:1", 2),
                                        ("c-small", "host-b:2", 1)]
    async with first.reader() as session:
        assert {r.window_start for r in (await session.execute(select(first.table))).all()} == {start}

    now.advance(WINDOW_SECONDS)  # a new window: everyone starts afresh
    await first.flush()
    first.hit("c-small")


async def test_the_hot_path_never_waits_on_an_unreachable_database(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'no.db'}")
    now = Clock(T0)
    limit = limiter(engine, load_policy(policy_file(tmp_path)), now, "a")
    for _ in range(3):
        limit.hit("c-small")
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        await limit.flush()
    refused(limit, "c-small")  # decided on local counts alone
    await engine.dispose()


async def test_old_windows_are_purged(tmp_path: Path, counts: Callable[[], AsyncEngine]) -> None:
    engine = counts()
    table = rate_table()
    at = T0.astimezone(UTC)
    now_window = int(at.timestamp()) // 60 * 60
    async with engine.begin() as conn:
        await conn.execute(insert(table), [
            {"client_id": "c", "window_start": now_window - 3600 - 60, "instance": "a", "hits": 1},
            {"client_id": "c", "window_start": now_window - 3600, "instance": "a", "hits": 1},
            {"client_id": "c", "window_start": now_window, "instance": "a", "hits": 1},
        ])
    job = purge_job(table)
    outcome = await job.run(JobContext(scheduled_for=datetime.fromtimestamp(now_window, UTC),
                                       maker=db.make_sessionmaker(engine)))
    assert outcome == "purged 1 rate-count rows"
    async with engine.connect() as conn:
        left = sorted(r.window_start for r in (await conn.execute(select(table))).all())
    assert left == [now_window - 3600, now_window]


# ---- the policy: effective dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [
    (date(2025, 12, 31), None),  # before the first version: not limited
    (date(2026, 1, 1), 2),
    (date(2026, 2, 28), 2),  # the day before the second version
    (date(2026, 3, 1), 4),  # the day it takes effect
    (date(2026, 3, 2), 4),  # the day after
])
async def test_the_limit_follows_the_policy_version_in_force_on_the_bureau_day(
    tmp_path: Path, day: date, expected: int | None,
) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    # 00:00:00 Beijing is 16:00 UTC the day before: the bureau's date decides.
    now = Clock(datetime.combine(day, datetime.min.time(), tzinfo=BEIJING))
    limit = limiter(engine, load_policy(policy_file(tmp_path, DATED)), now, "a")
    assert limit.limit_for("c") == expected
    for _ in range(expected or 10):
        limit.hit("c")
    if expected is not None:
        assert refused(limit, "c").extra["illustrative"] is (day < date(2026, 3, 1))
    await engine.dispose()


async def test_a_new_version_takes_effect_at_the_bureau_midnight_not_at_utc_midnight(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    now = Clock(datetime(2026, 2, 28, 23, 59, 59, tzinfo=BEIJING))
    limit = limiter(engine, load_policy(policy_file(tmp_path, DATED)), now, "a")
    limit.hit("c")
    limit.hit("c")
    refused(limit, "c")
    now.advance(1)  # 2026-03-01 00:00 in Beijing, still 2026-02-28 in UTC
    assert now().date() == date(2026, 2, 28)
    assert limit.limit_for("c") == 4
    for _ in range(4):
        limit.hit("c")
    refused(limit, "c")
    await engine.dispose()


def test_the_platform_policy_is_illustrative_and_leaves_tests_and_benchmarks_alone() -> None:
    policy = load_policy()
    version = policy.at(date(2026, 3, 2))
    assert version.illustrative
    assert "示例" in version.source and "illustrative" in version.source
    # The person-view benchmark sends one client's requests for 12 s at a few thousand a second.
    assert version.requests_per_minute >= 60_000


# ---- over HTTP: every authenticated route, the 429 answer ---------------------------------------------------


def gateway_settings(tmp_path: Path, **extra: Any) -> GatewaySettings:
    settings: GatewaySettings = alone(GatewaySettings, tmp_path, rate_limit_policy=policy_file(tmp_path), **extra)
    return settings


async def test_429_problem_with_retry_after_on_the_person_view_and_other_routes(
    tmp_path: Path, move_today: MoveToday,
) -> None:
    move_today(T0)
    async with InProcessService(create_gateway, gateway_settings(tmp_path)) as gw:
        reader = bearer(token("gateway:read", client_id="c-small"))
        person = "/v1/persons/11010519491231002X"
        for _ in range(3):
            assert (await gw.client.get(person, headers=reader)).status_code == 404  # counted: authenticated
        r = await gw.client.get(person, headers=reader)
        assert r.status_code == 429, r.text
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
        assert r.headers["retry-after"] == "50"
        body = r.json()
        assert body["title"] == "请求过于频繁 Too many requests"
        assert body["status"] == 429 and body["instance"] == person
        assert body["type"].endswith("/too-many-requests")
        assert body["illustrative"] is True and body["limit"] == 3 and body["retry_after"] == 50
        # A route with FastAPI's own dependencies is covered too (the 429 comes before the 403 of its scope).
        assert (await gw.client.get("/v1/clients", headers=reader)).status_code == 429
        # A request without a valid credential is 401, never counted against anyone.
        assert (await gw.client.get(person, headers={"Authorization": ""})).status_code == 401

        clock.advance(timedelta(seconds=50))  # the next window
        assert (await gw.client.get(person, headers=reader)).status_code == 404

        ready = (await gw.client.get("/readyz")).json()
        status = ready["details"]["rate_limit"]
        assert status["requests_per_minute"] == 3 and status["illustrative"] is True
        assert status["refused"] == 2
        assert "revocations" in ready["details"]


async def test_a_waiting_read_counts_once_however_often_it_reads_again(
    tmp_path: Path, move_today: MoveToday,
) -> None:
    """GET /v1/persons/{id} with Prefer: wait re-reads the view every quarter second; the client's limit (3 a
    minute here) counts the request, not the reads."""
    move_today(T0)
    async with InProcessService(create_gateway, gateway_settings(tmp_path)) as gw:
        reader = bearer(token("gateway:read", client_id="c-small"))
        person = "/v1/persons/11010519491231002X"
        assert (await gw.client.get(person, headers={**reader, "Prefer": "wait=1"})).status_code == 404
        for _ in range(2):
            assert (await gw.client.get(person, headers=reader)).status_code == 404
        assert (await gw.client.get(person, headers=reader)).status_code == 429


async def test_two_gateway_instances_on_one_database_share_their_counts(
    tmp_path: Path, move_today: MoveToday,
) -> None:
    move_today(T0)
    settings = gateway_settings(tmp_path, rate_limit_flush_seconds=60)  # flushed by hand below
    first, second = InProcessService(create_gateway, settings), InProcessService(create_gateway, settings)
    async with first, second:
        reader = bearer(token("gateway:read", client_id="c-small"))
        person = "/v1/persons/11010519491231002X"
        assert (await first.client.get(person, headers=reader)).status_code == 404
        assert (await first.client.get(person, headers=reader)).status_code == 404
        first_limiter, second_limiter = first.runtime.auth.limiter, second.runtime.auth.limiter
        assert first_limiter is not None and second_limiter is not None
        assert first_limiter.instance != second_limiter.instance
        await first_limiter.flush()
        await second_limiter.flush()
        assert (await second.client.get(person, headers=reader)).status_code == 404  # the third
        assert (await second.client.get(person, headers=reader)).status_code == 429
        await second_limiter.flush()
        await first_limiter.flush()
        assert (await first.client.get(person, headers=reader)).status_code == 429
