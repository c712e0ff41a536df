"""Test support: real Kafka and PostgreSQL processes, in-process services, polling."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from hrss_cli.stack import free_ports, run_script
from hrss_shared import db, migrations
from hrss_shared.app import ServiceRuntime
from hrss_shared.auth import issue_token
from hrss_shared.settings import ServiceSettings

T = TypeVar("T")
DEV_TOKEN = "test-dev-token"
SECRET = "test-secret-for-hrss-integration-tests"


def free_port() -> int:
    return free_ports(1)[0]


@dataclass
class KafkaNode:
    """A real Apache Kafka KRaft node run by deploy/kafka scripts."""

    data_dir: Path
    port: int = 0
    controller_port: int = 0
    settings: list[str] = field(default_factory=list)  # extra server.properties lines (start.sh --set)

    def __post_init__(self) -> None:
        if not self.port:
            self.port, self.controller_port = free_ports(2)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, attempts: int = 3) -> None:
        """Start (or restart) the node; a port taken between choosing and binding gets fresh ports."""
        for attempt in range(1, attempts + 1):
            try:
                run_script("kafka/start.sh", "--data-dir", str(self.data_dir), "--port", str(self.port),
                           "--controller-port", str(self.controller_port), "--wait", "--timeout", "120",
                           *(arg for kv in self.settings for arg in ("--set", kv)), capture=False)
                return
            except subprocess.CalledProcessError:
                self.stop()
                if attempt == attempts:
                    raise
                if not (self.data_dir / "data" / "meta.properties").exists():
                    self.port, self.controller_port = free_ports(2)

    def stop(self, *, discard: bool = False) -> None:
        """Stop the node: a controlled shutdown, or with ``discard`` (its data is thrown away next) a kill."""
        run_script("kafka/stop.sh", "--data-dir", str(self.data_dir), *(["--discard"] if discard else []),
                   capture=False)


@dataclass
class PostgresNode:
    """A real PostgreSQL server from Debian's package, run by deploy/postgres scripts."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    base_url: str = ""

    def start(self) -> None:
        # --ephemeral: no disk flushes (fsync=off); the cluster is deleted after the run and never outlives the machine.
        self.base_url = run_script("postgres/start.sh", "--data-dir", str(self.data_dir), "--port", str(self.port),
                                   "--ephemeral")
        self.base_url = self.base_url.splitlines()[-1]

    def stop(self) -> None:
        run_script("postgres/stop.sh", "--data-dir", str(self.data_dir), capture=False)

    # The service packages whose migrated template exists (made on first use; one worker runs one test at a time).
    templates: set[str] = field(default_factory=set, repr=False)

    async def _execute(self, *statements: str) -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=self.port, user="postgres", database="postgres")
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def _template(self, package: str) -> str:
        """A database at the head of ``package``'s migrations, to copy (measured unloaded: a copy 0.1–0.2 s, against
        0.4–0.75 s to create a database and run a service's migrations from the start)."""
        name = f"template_{package}"
        if package not in self.templates:
            # DROP first: a failed first attempt may have left it half-made.
            await self._execute(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
            engine = db.make_engine(self.base_url + name)
            try:
                await migrations.upgrade(engine, migrations.folder(package))
            finally:
                await engine.dispose()  # CREATE DATABASE … TEMPLATE needs it without connections
            self.templates.add(package)
        return name

    async def create_database(self, name: str, *, migrated: str | None = None) -> str:
        """A new empty database, or with ``migrated`` (a service's package) a copy of one at the head of that
        package's migrations: the service's start then finds nothing to migrate, as after an upgrade."""
        template = f' TEMPLATE "{await self._template(migrated)}"' if migrated else ""
        await self._execute(f'CREATE DATABASE "{name}"{template}')
        return self.base_url + name


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 60.0, interval: float = 0.2) -> T:
    """Poll ``check`` until it returns something truthy; fail with the last error after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = await check()
            if result:
                return result
            last = result
        except AssertionError as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last: {last!r}")


async def committed_to_end(bootstrap: str, group_id: str, topics: list[str]) -> bool:
    """``group_id`` has committed every record of ``topics``: its committed offset is each partition's end offset.
    A consumer commits after the batch is applied, so this says every record was applied (or otherwise taken)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # noqa: SLF001 - metadata of topics not subscribed
        partitions = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or set())]
        for tp, end in (await consumer.end_offsets(partitions)).items():
            if (await consumer.committed(tp) or 0) < end:
                return False
        return True
    finally:
        await consumer.stop()


async def migrate(engine: Any, script_location: Path, verb: str, revision: str) -> None:
    """Run alembic's ``upgrade`` or ``downgrade`` to ``revision`` of a service's history on ``engine`` (a test that
    starts from, or goes back to, a given revision; start-up itself goes to the head with
    :func:`hrss_shared.migrations.upgrade`)."""
    from alembic import command

    from hrss_shared import migrations

    def run(connection: Any) -> None:
        config = migrations.alembic_config(script_location)
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(run)


def token(*scopes: str, county: str | None = None, client_id: str | None = None, expired: bool = False) -> str:
    return issue_token(
        secret=SECRET, client_id=client_id or f"test-{uuid.uuid4().hex[:6]}", name="测试客户端 test client",
        scopes=scopes, county=county, ttl=timedelta(seconds=-10) if expired else None,
    )


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


class InProcessService:
    """A service app with its lifespan (migrations, relay, consumers) running in the test's loop."""

    def __init__(self, create_app: Callable[[Any], FastAPI], settings: ServiceSettings) -> None:
        self.app = create_app(settings)
        self.settings = settings
        self._lifespan: Any = None
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=f"http://{settings.service_name}",
            headers=bearer(DEV_TOKEN), timeout=30,
        )

    @property
    def runtime(self) -> ServiceRuntime:
        runtime: ServiceRuntime = self.app.state.runtime
        return runtime

    async def __aenter__(self) -> InProcessService:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()
        await self._lifespan.__aexit__(None, None, None)


async def post_bulk(svc: InProcessService, kind: str, rows: list[dict[str, Any]], **kw: Any) -> httpx.Response:
    """``POST /v1/bulk/<kind>`` with ``{"rows": rows}`` (a service's bulk path, hrss_shared.bulk)."""
    return await svc.client.post(f"/v1/bulk/{kind}", json={"rows": rows}, **kw)


def offline(cls: type[ServiceSettings], *, db_url: str, data_dir: Path, **extra: Any) -> Any:
    """Settings of a service on ``db_url`` with no broker and no scheduler (unit tests; ``extra`` overrides)."""
    defaults: dict[str, Any] = {"relay_enabled": False, "consumers_enabled": False, "scheduler_enabled": False}
    return service_settings(cls, db_url=db_url, bootstrap="127.0.0.1:1", prefix="", data_dir=data_dir,
                            **{**defaults, **extra})


def on_each_database(create_app: Callable[[Any], FastAPI], cls: type[ServiceSettings], database: str, *,
                     today: date | None = None, **extra: Any) -> Any:
    """A fixture: the service in-process with no broker (:func:`offline`, ``extra`` settings), on each database
    ``make_db`` gives (SQLite and the real PostgreSQL), with the bureau's clock on ``today`` if given. Bind it to the
    name the tests ask for: ``service = on_each_database(create_app, EmploymentSettings, "employment")``."""

    async def fixture(make_db: Any, tmp_path: Path, move_today: Any) -> AsyncIterator[InProcessService]:
        if today is not None:
            move_today(today)
        settings = offline(cls, db_url=await make_db(database), data_dir=tmp_path, **extra)
        async with InProcessService(create_app, settings) as svc:
            yield svc

    return pytest.fixture(fixture)


def alone(cls: type[ServiceSettings], data_dir: Path, **extra: Any) -> Any:
    """Settings of a service on a SQLite file of its own in ``data_dir``, with no broker (unit tests)."""
    return offline(cls, db_url=f"sqlite+aiosqlite:///{data_dir / 'service.db'}", data_dir=data_dir,
                   **{"scheduler_enabled": True, **extra})


def with_router(create_app: Callable[[Any], FastAPI], router: Any) -> Callable[[Any], FastAPI]:
    """``create_app`` with one more router (test-only endpoints beside the service's own)."""

    def create(settings: Any) -> FastAPI:
        app = create_app(settings)
        app.include_router(router)
        return app

    return create


def service_settings(cls: type[ServiceSettings], *, db_url: str, bootstrap: str, prefix: str, data_dir: Path,
                     **extra: Any) -> Any:
    return cls(
        database_url=db_url, bootstrap_servers=bootstrap, topic_prefix=prefix, data_dir=data_dir,
        dev_token=DEV_TOKEN, auth_secret=SECRET, environment="test", log_json=True, consumer_max_retries=2,
        **extra,
    )
