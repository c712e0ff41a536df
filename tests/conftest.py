"""Session fixtures: one real Apache Kafka and one real PostgreSQL for the whole run."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from hrss_shared import clock
from hrss_shared.registry import SERVICES
from tests.support import KafkaNode, PostgresNode

RUNTIME = Path(__file__).resolve().parent.parent / ".test-runtime"

# No time limit per example: a test asserts behaviour, not speed (benchmarks/ measures speed), and on this shared
# 2-core machine a 200 ms deadline failed a text test whose example took 285 ms once and 0.4 ms on the re-run.
settings.register_profile("hrss", deadline=None)
settings.load_profile("hrss")


@pytest.fixture(scope="session")
def runtime_dir() -> Iterator[Path]:
    """This run's broker and database files; removed after the run (``HRSS_KEEP_TEST_RUNTIME=1`` keeps them).

    Removed by an ``rm`` of its own that the run does not wait for: a worker's servers leave hundreds of databases
    and thousands of partitions, and deleting them was the last half-minute of every CI run."""
    path = RUNTIME / uuid.uuid4().hex[:8]
    path.mkdir(parents=True, exist_ok=True)
    yield path
    if os.environ.get("HRSS_KEEP_TEST_RUNTIME") != "1":  # the servers using it have stopped by now
        aside = path.with_name(f"deleting-{path.name}")
        path.rename(aside)  # gone from its place at once, whenever the rm finishes
        # sh starts the rm in the background and returns: the run never waits for it, and leaves no child behind.
        subprocess.run(["sh", "-c", 'rm -rf -- "$1" &', "sh", str(aside)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, check=True)


@pytest.fixture(scope="session")
def kafka(runtime_dir: Path) -> Iterator[KafkaNode]:
    """Real Apache Kafka (KRaft, one node) from the Maven artifacts, started once per session."""
    node = KafkaNode(runtime_dir / "kafka")
    node.start()
    yield node
    # Its files are removed next: no controlled shutdown (a few seconds per worker), unless they are kept to be read.
    node.stop(discard=os.environ.get("HRSS_KEEP_TEST_RUNTIME") != "1")


@pytest.fixture(scope="session")
def postgres(runtime_dir: Path) -> Iterator[PostgresNode]:
    """Real PostgreSQL from Debian's package, started once per session."""
    node = PostgresNode(runtime_dir / "postgres")
    node.start()
    yield node
    node.stop()


DbFactory = Callable[[str], Awaitable[str]]
PACKAGES = {entry.package for entry in SERVICES.values()}  # make_db(name) of a service's own database


@pytest.fixture(params=["sqlite", "postgresql"])
async def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DbFactory]:
    """Per-test databases on SQLite or on the real PostgreSQL: ``await make_db("employment")`` → URL."""
    if request.param == "sqlite":
        async def sqlite(name: str) -> str:
            return f"sqlite+aiosqlite:///{tmp_path / name}.db"
        yield sqlite
        return
    pg: PostgresNode = request.getfixturevalue("postgres")
    suffix = uuid.uuid4().hex[:8]

    async def postgresql(name: str) -> str:
        # A service's own database starts as a copy of one already migrated (the migrations' own tests use other
        # names and start empty).
        return await pg.create_database(f"{name}_{suffix}", migrated=name if name in PACKAGES else None)
    yield postgresql


@pytest.fixture
def prefix() -> str:
    """A topic prefix of this test's own, so tests sharing the broker never see each other's events."""
    return f"t{uuid.uuid4().hex[:8]}."


MoveToday = Callable[[date | datetime], None]


@pytest.fixture
def move_today() -> Iterator[MoveToday]:
    """Move the bureau clock (``hrss_shared.clock``) to a day or instant for the rest of the test."""
    with contextlib.ExitStack() as stack:
        def move(at: date | datetime) -> None:
            stack.enter_context(clock.freeze(at))

        yield move


def pytest_sessionstart(session: pytest.Session) -> None:
    os.environ.setdefault("HRSS_LOG_JSON", "true")
