"""The consumer's failure classes: transient errors hold the position until they pass; a bug is retried a
bounded number of times, then dead-lettered; an event that can never apply goes to the DLQ at once."""

from __future__ import annotations

import asyncio
import errno
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import MetaData, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import EMPLOYMENT_REGISTERED, EmploymentRegistered
from hrss_shared.consumer import BatchHandler, ConsumerRunner, Handlers, PermanentEventError
from hrss_shared.db import make_engine, make_sessionmaker
from hrss_shared.events import CloudEvent
from hrss_shared.faults import is_transient
from hrss_shared.infra import infra_tables
from hrss_shared.validators import make_credit_code, make_id_number

TYPE = "hrss.test.thing.happened.v1"
OTHER = "hrss.test.other.happened.v1"


def record(offset: int, event_type: str = TYPE, data: dict[str, Any] | None = None) -> ConsumerRecord[Any, Any]:
    event = CloudEvent(id=str(uuid.uuid4()), source="/hrss/test", type=event_type, time=datetime.now(UTC),
                       subject=f"s{offset}", data={"n": offset} if data is None else data)
    return ConsumerRecord(topic="t.hrss.test", partition=0, offset=offset, timestamp=0, timestamp_type=0,
                          key=b"k", value=event.to_json(), checksum=None, serialized_key_size=1,
                          serialized_value_size=1, headers=())


class Runner(ConsumerRunner):
    """The real runner with the dead-letter publish recorded instead of sent (the broker path has its own
    integration test)."""

    dead: list[tuple[int, str]]

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], reason: str,
                           event: CloudEvent | None = None) -> None:
        self.dead.append((record.offset, reason))
        self.stats.dead_lettered += 1


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[Runner]:
    metadata = MetaData()
    tables = infra_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    r = Runner(group_id="g", topics=["t.hrss.test"], handlers={}, maker=make_sessionmaker(engine),
               processed=tables.processed_events, bootstrap="127.0.0.1:1", retry_delay=0.01,
               transient_delay=(0.01, 0.05))
    r.dead = []
    yield r
    await r._dlq.close()
    await engine.dispose()


async def processed(r: Runner) -> int:
    async with r.maker() as session:
        return int((await session.execute(select(func.count()).select_from(r.processed))).scalar_one())


def refused() -> Exception:
    """What SQLAlchemy raises while PostgreSQL is down: a DBAPI error caused by the refused connection."""
    try:
        raise ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 5432)")
    except ConnectionRefusedError as cause:
        try:
            raise OperationalError("connect", {}, cause) from cause
        except OperationalError as exc:
            return exc


async def test_a_transient_error_is_retried_until_it_passes_and_nothing_is_dead_lettered(runner: Runner) -> None:
    failures = 7  # more than max_retries: a transient error never counts towards it
    seen: list[int] = []

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise refused()
        seen.append(event.data["n"])

    runner.handlers[TYPE] = handler
    await runner.handle_batch([record(1), record(2), record(3)])
    assert runner.dead == []
    assert seen == [1, 2, 3], "the batch applied whole, in order, once the database answered"
    assert runner.stats.transient_retries == 7 and runner.stats.fallbacks == 0
    assert runner.stats.waiting_since is None, "resumed"
    assert await processed(runner) == 3


async def test_the_position_is_held_while_the_dependency_is_down(runner: Runner) -> None:
    down = True

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        if down:
            raise ConnectionResetError(errno.ECONNRESET, "reset")

    runner.handlers[TYPE] = handler
    task = asyncio.create_task(runner.handle_batch([record(1)]))
    await asyncio.sleep(0.3)
    assert not task.done(), "the consumer waits: it does not move past the event"
    assert runner.stats.waiting_since is not None and "ConnectionResetError" in str(runner.stats.last_transient_error)
    down = False
    await asyncio.wait_for(task, 5)
    assert runner.dead == [] and await processed(runner) == 1


async def test_a_bug_is_retried_a_bounded_number_of_times_then_dead_lettered_and_the_rest_apply(
    runner: Runner,
) -> None:
    calls = 0

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        nonlocal calls
        if event.data["n"] == 2:
            calls += 1
            raise KeyError("bug")

    runner.handlers[TYPE] = handler
    await runner.handle_batch([record(1), record(2), record(3)])
    assert calls == 1 + runner.max_retries, "once in the batch, then max_retries times alone"
    assert [offset for offset, _ in runner.dead] == [2]
    assert runner.dead[0][1].startswith("handler failed 3 times: KeyError")
    assert await processed(runner) == 2


async def test_a_permanent_error_goes_to_the_dlq_at_once(runner: Runner) -> None:
    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        raise PermanentEventError("no such employer")

    runner.handlers[TYPE] = handler
    await runner.handle_batch([record(5)])
    assert runner.dead == [(5, "rejected by handler: no such employer")]
    assert runner.stats.retries == 0


@pytest.mark.parametrize(("error", "transient"), [
    (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), True),
    (OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432), [Errno 99] x"), True),
    (TimeoutError(), True),
    (OSError(errno.ENOENT, "No such file"), False),
    (KeyError("x"), False),
    (ValueError("invalid byte sequence for encoding UTF8: 0x00"), False),
])
def test_transient_errors_are_told_from_the_rest(error: Exception, transient: bool) -> None:
    assert is_transient(error) is transient


def test_a_cause_deep_in_the_chain_counts() -> None:
    assert is_transient(refused())


async def test_a_redelivered_event_and_a_repeat_within_a_batch_apply_once(runner: Runner) -> None:
    seen: list[int] = []

    async def handler(session: AsyncSession, event: CloudEvent) -> None:
        seen.append(event.data["n"])

    runner.handlers[TYPE] = handler
    first, second, third = record(1), record(2), record(3)
    await runner.handle_batch([first, second])
    await runner.handle_batch([second, third, third, first])  # redelivered after a crash, and one twice in a poll
    assert seen == [1, 2, 3]
    assert (runner.stats.applied, runner.stats.duplicates, runner.stats.batches) == (3, 3, 2)
    assert await processed(runner) == 3


async def test_an_offset_commit_lost_to_a_rebalance_is_logged_not_raised(runner: Runner) -> None:
    """The partitions moved to another member while the commit was in flight: the events are recorded as processed,
    so this member goes on instead of rejoining (which would rebalance the whole group again)."""
    from aiokafka.errors import CommitFailedError, KafkaConnectionError

    async def lost() -> None:
        raise CommitFailedError("rebalanced")

    await runner._committed(asyncio.create_task(lost()))  # noqa: SLF001

    async def broken() -> None:
        raise KafkaConnectionError("broker gone")

    with pytest.raises(KafkaConnectionError):  # anything else still ends the loop (reconnect with backoff)
        await runner._committed(asyncio.create_task(broken()))  # noqa: SLF001


async def test_a_batch_handler_gets_each_run_of_its_type_with_the_other_types_between_in_order(runner: Runner) -> None:
    calls: list[tuple[str, Any]] = []

    async def many(session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        calls.append(("run", [event.data["n"] for event in events]))

    async def one(session: AsyncSession, event: CloudEvent) -> None:
        calls.append(("one", event.data["n"]))

    runner.handlers.update({TYPE: BatchHandler(many), OTHER: one})
    await runner.handle_batch([record(1), record(2), record(3, OTHER), record(4), record(5), record(6)])
    assert calls == [("run", [1, 2]), ("one", 3), ("run", [4, 5, 6])]
    assert (runner.stats.applied, runner.stats.batches, runner.stats.fallbacks) == (6, 1, 0)
    assert await processed(runner) == 6


def registered(n: int) -> dict[str, Any]:
    return {"id": f"r{n}", "id_number": make_id_number("330802", date(1990, 1, 1), n), "name": "王小明",
            "credit_code": make_credit_code("330802", n), "employer_name": "衢州测试企业有限公司",
            "county_code": "330802", "start_date": "2026-03-01"}


async def test_an_event_breaking_its_contract_in_a_run_is_dead_lettered_alone_and_the_run_applies(
    runner: Runner,
) -> None:
    runs: list[list[str]] = []
    found = Handlers()

    @found.on_many(EMPLOYMENT_REGISTERED)
    async def opened(session: AsyncSession, events: Sequence[tuple[CloudEvent, EmploymentRegistered]]) -> None:
        runs.append([data.id for _, data in events])

    runner.handlers.update(found.by_type)
    kind = EMPLOYMENT_REGISTERED.type
    await runner.handle_batch([record(1, kind, registered(1)), record(2, kind, {"id": "r2"}),
                               record(3, kind, registered(3))])
    assert runs == [["r1"], ["r3"]], "the run failed on r2, then each event applied alone"
    assert [offset for offset, _ in runner.dead] == [2]
    assert "rejected by handler" in runner.dead[0][1] and "id_number" in runner.dead[0][1]
    assert runner.stats.fallbacks == 1 and await processed(runner) == 2
