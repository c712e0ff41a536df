"""Several instances of a service side by side against one database and one broker (``hrss up --instances N``).

Two employment instances and two gateway instances run as real processes on PostgreSQL and Apache Kafka while a
few hundred registrations are posted to both employment instances at once and one gateway instance is killed
midway: every outbox row reaches the topic exactly once, every event is applied once (the surviving gateway takes
the killed one's partitions), every person is visible, and each scheduled job ran once across the instances.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import Column, DateTime, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hrss_cli.main import build_parser
from hrss_cli.stack import MAX_INSTANCES, ServiceProcess, instance_name, instance_port
from hrss_shared import db
from hrss_shared.infra import infra_tables
from hrss_shared.kafka import ProducerFactory, ensure_topics
from hrss_shared.registry import EMPLOYMENT, GATEWAY, SERVICES, Service
from hrss_shared.relay import OutboxRelay
from hrss_shared.scheduler import Every, Job, JobContext, Scheduler, create_scheduler_table, scheduler_table
from tests import factories
from tests.conftest import DbFactory
from tests.integration.test_cli_up import free_offset, port_free
from tests.integration.test_resilience import read_topic
from tests.support import DEV_TOKEN, SECRET, KafkaNode, bearer, eventually, free_port

REGISTRATIONS = 300
CONCURRENCY = 16
COUNTIES = ["330802", "330803", "330822", "330824", "330825", "330881"]
TABLES = infra_tables(MetaData())  # the mechanism tables every service has, by name


def instance(entry: Service, index: int, *, db_url: str, bootstrap: str, prefix: str, tmp: Path) -> ServiceProcess:
    """Instance ``index`` (0-based) of ``entry`` as ``hrss up --instances`` runs it: its own port and log file."""
    name = instance_name(entry.name, index)
    env = dict(os.environ)
    env.update({
        f"{entry.env_prefix}DATABASE_URL": db_url, "HRSS_BOOTSTRAP_SERVERS": bootstrap, "HRSS_TOPIC_PREFIX": prefix,
        "HRSS_DEV_TOKEN": DEV_TOKEN, "HRSS_AUTH_SECRET": SECRET, "HRSS_ENVIRONMENT": "test",
        "HRSS_DATA_DIR": str(tmp / entry.name),
    })
    return ServiceProcess(name=name, port=free_port(), env=env, log_path=tmp / "logs" / f"{name}.log")


@pytest.fixture
async def engines() -> AsyncIterator[list[AsyncEngine]]:
    made: list[AsyncEngine] = []
    yield made
    for engine in made:
        await engine.dispose()


async def rows(engine: AsyncEngine, query: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def jobs(proc: ServiceProcess) -> dict[str, Any]:
    """The scheduled jobs as ``/readyz`` reports them (schedule, runs, next slot)."""
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(proc.url + "/readyz")
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()["details"]["jobs"]
    return found


async def consumed(proc: ServiceProcess) -> int:
    """Events the instance's consumer group member applied so far (its ``/readyz`` counters)."""
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(proc.url + "/readyz")
    return sum(int(group["applied"]) for group in r.json()["details"]["consumers"].values())


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_two_instances_publish_apply_and_schedule_once_under_load(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, engines: list[AsyncEngine]
) -> None:
    # Empty databases (not make_db's migrated copies of a package's own): the four instances migrate them at once.
    urls = {EMPLOYMENT.name: await make_db(f"{EMPLOYMENT.package}_empty"),
            GATEWAY.name: await make_db(f"{GATEWAY.package}_empty")}
    procs = {entry.name: [instance(entry, i, db_url=urls[entry.name], bootstrap=kafka.bootstrap, prefix=prefix,
                                   tmp=tmp_path) for i in range(2)] for entry in (EMPLOYMENT, GATEWAY)}
    everyone = [proc for pair in procs.values() for proc in pair]
    emp_db, gw_db = (create_async_engine(urls[name]) for name in (EMPLOYMENT.name, GATEWAY.name))
    engines += [emp_db, gw_db]
    for proc in everyone:  # all four at once: the migrations serialise on PostgreSQL's advisory lock
        proc.start()
    try:
        await asyncio.gather(*(asyncio.to_thread(proc.wait_ready, 180) for proc in everyone))
        assert len({proc.port for proc in everyone}) == 4
        assert {proc.log_path.name for proc in everyone} == {
            "employment.log", "employment#2.log", "gateway.log", "gateway#2.log"}
        slots = {name: {job: state["next_due"] for job, state in (await jobs(pair[0])).items()}
                 for name, pair in procs.items()}

        emp = [httpx.AsyncClient(base_url=p.url, headers=bearer(DEV_TOKEN), timeout=60) for p in procs["employment"]]
        employer = factories.employer("330803")
        assert (await emp[0].post("/v1/employers", json=employer)).status_code == 201
        seekers = [factories.job_seeker(COUNTIES[i % len(COUNTIES)]) for i in range(REGISTRATIONS)]
        gateway_a, gateway_b = procs["gateway"]
        posted = 0
        served = Counter[int]()
        gate = asyncio.Semaphore(CONCURRENCY)

        async def register(i: int, seeker: dict[str, Any]) -> None:
            nonlocal posted
            async with gate:
                r = await emp[i % 2].post("/v1/employment-registrations", json={
                    "id_number": seeker["id_number"], "name": seeker["name"],
                    "credit_code": employer["credit_code"], "start_date": "2026-05-01"})
                assert r.status_code == 201, r.text
                served[i % 2] += 1
                posted += 1

        async def kill_one_gateway_midway() -> None:
            # Both gateway instances consume (each holds some of the group's partitions) before one dies.
            async def both_consume() -> bool:
                return min([await consumed(gateway_a), await consumed(gateway_b)]) > 0
            await eventually(both_consume, timeout=120, interval=0.3)
            while posted < REGISTRATIONS // 2:
                await asyncio.sleep(0.05)
            gateway_a.kill()

        await asyncio.gather(kill_one_gateway_midway(), *(register(i, s) for i, s in enumerate(seekers)))
        assert served == {0: REGISTRATIONS // 2, 1: REGISTRATIONS // 2}
        assert not gateway_a.alive()

        # Every outbox row published, by one of the two relays.
        outbox, processed = TABLES.outbox, TABLES.processed_events

        async def all_published() -> bool:
            return (await rows(emp_db, select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None))))[0][0] == 0
        await eventually(all_published, timeout=120, interval=0.5)
        staged = {row.event_id for row in await rows(emp_db, select(outbox.c.event_id))}
        assert len(staged) >= REGISTRATIONS

        # Every event applied by the gateway that survived: it took the killed instance's partitions.
        source = EMPLOYMENT.source

        async def all_applied() -> bool:
            done = await rows(gw_db, select(processed.c.event_id).where(processed.c.source == source))
            return {row.event_id for row in done} >= staged
        await eventually(all_applied, timeout=180, interval=0.5)

        # No outbox row published twice: each event id once on the topic, and nothing else there.
        events = await read_topic(kafka.bootstrap, prefix + str(EMPLOYMENT.topic), settle=2.0)
        on_topic = Counter(event.id for event in events)
        assert set(on_topic) == staged
        assert [event_id for event_id, n in on_topic.items() if n > 1] == []

        # No event applied twice: one processed row per event, and each person's view has one employment.
        recorded = Counter(row.event_id for row in await rows(gw_db, select(processed.c.event_id).where(
            processed.c.source == source)))
        assert set(recorded) == staged and max(recorded.values()) == 1
        gw = httpx.AsyncClient(base_url=gateway_b.url, headers=bearer(DEV_TOKEN), timeout=60)

        async def view(seeker: dict[str, Any]) -> dict[str, Any]:
            async with gate:
                r = await gw.get(f"/v1/persons/{seeker['id_number']}")
            assert r.status_code == 200, r.text
            found: dict[str, Any] = r.json()
            return found
        views = await asyncio.gather(*(view(seeker) for seeker in seekers))
        assert {v["employment"]["status"] for v in views} == {"employed"}
        assert {len(v["employment"]["employments"]) for v in views} == {1}

        # Each scheduled job ran once across the two instances for its slot (both started together and saw each
        # job for the first time; a job whose slot came round during the test may have run once more, or not yet:
        # the next scheduler tick runs it). No job's slot comes round twice within the test (the shortest is a
        # minute), so more runs than 1 + crossed would be a slot run twice.
        survivors = {EMPLOYMENT.name: procs["employment"][0], GATEWAY.name: gateway_b}
        for name, proc in survivors.items():
            now = await jobs(proc)
            assert now and set(now) == set(slots[name])
            for job, state in now.items():
                crossed = int(state["next_due"] != slots[name][job])
                assert 1 <= state["runs"] <= 1 + crossed and state["failures"] == 0, (name, job, state)
                assert state["last_scheduled_for"] is not None, (name, job, state)
        for client in [*emp, gw]:
            await client.aclose()
    finally:
        for proc in everyone:
            proc.stop()


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_a_job_runs_once_per_slot_across_instances(make_db: DbFactory, engines: list[AsyncEngine]) -> None:
    """Four schedulers, each with a connection pool of its own (as four processes have), tick together slot after
    slot on one PostgreSQL database: every slot's run happens exactly once."""
    url = await make_db("scheduler")
    runs = Table("job_runs", MetaData(), Column("scheduled_for", DateTime(timezone=True)), Column("owner", String(50)))
    setup = db.make_engine(url)
    engines.append(setup)
    async with setup.begin() as conn:
        await conn.run_sync(lambda sync: _create(sync, runs))
    table = scheduler_table(MetaData())
    start = datetime(2026, 6, 1, 8, 0, 0, 500_000, tzinfo=UTC)
    now = start
    schedulers = []
    for i in range(4):
        engine = db.make_engine(url)
        engines.append(engine)
        maker = db.make_sessionmaker(engine)
        owner = f"instance-{i}"

        def record(owner: str) -> Any:
            async def run(context: JobContext) -> str:
                async with context.maker() as session, session.begin():
                    await session.execute(insert(runs).values(scheduled_for=context.scheduled_for, owner=owner))
                return "ran"
            return run
        job = Job(name="every-second", schedule=Every(timedelta(seconds=1)), run=record(owner))
        schedulers.append(Scheduler(maker, table, [job], owner=owner, clock=lambda: now))
    for _slot in range(15):
        await asyncio.gather(*(s.tick() for s in schedulers))
        now += timedelta(seconds=1)
    done = await rows(setup, select(runs.c.scheduled_for, runs.c.owner))
    per_slot = Counter(row.scheduled_for for row in done)
    assert per_slot == {start.replace(microsecond=0) + timedelta(seconds=i): 1 for i in range(15)}
    state = (await rows(setup, select(table.c.runs, table.c.failures)))[0]
    assert (state.runs, state.failures) == (15, 0)


def _create(sync: Any, runs: Table) -> None:
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    create_scheduler_table(Operations(MigrationContext.configure(sync)))
    runs.create(sync)


@pytest.mark.parametrize("make_db", ["postgresql"], indirect=True)
async def test_two_relays_publish_each_row_once_and_in_order(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, engines: list[AsyncEngine]
) -> None:
    """Two relays (two instances' worth, each with its own pool and producer) drain one outbox together: each row
    reaches the topic once, and one key's rows arrive in outbox order (a person's events stay in order)."""
    url = await make_db("relays")
    metadata = MetaData()
    outbox = infra_tables(metadata).outbox
    setup = db.make_engine(url)
    engines.append(setup)
    async with setup.begin() as conn:
        await conn.run_sync(metadata.create_all)
    topic = prefix + "relays"
    await ensure_topics(kafka.bootstrap, [topic])
    keys = [f"person-{k}" for k in range(6)]
    total = 1200
    async with setup.begin() as conn:
        await conn.execute(insert(outbox), [
            {"event_id": f"e{i:05d}", "topic": topic, "key": keys[i % len(keys)], "event_type": "test.v1",
             "payload": f"{i:05d}", "created_at": datetime.now(UTC), "attempts": 0} for i in range(total)])
    relays = []
    for i in range(2):
        engine = db.make_engine(url)
        engines.append(engine)
        relays.append(OutboxRelay(maker=db.make_sessionmaker(engine), table=outbox, dialect="postgresql",
                                  batch_size=25, poll_interval=0.05,
                                  producers=ProducerFactory(kafka.bootstrap, client_id=f"relay-{i}")))
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        async def drained() -> bool:
            return (await rows(setup, select(func.count()).select_from(outbox).where(
                outbox.c.published_at.is_(None))))[0][0] == 0
        await eventually(drained, timeout=120, interval=0.2)
    finally:
        for relay in relays:
            await relay.finish()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert sum(relay.published_total for relay in relays) == total
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka.bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    by_key: dict[str, list[int]] = {}
    try:
        seen = 0
        while seen < total:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    by_key.setdefault(record.key.decode(), []).append(int(record.value.decode()))
                    seen += 1
    finally:
        await consumer.stop()
    assert sorted(n for numbers in by_key.values() for n in numbers) == list(range(total))  # each row once
    for key, numbers in by_key.items():
        assert numbers == sorted(numbers), f"{key} out of outbox order"


def test_instances_option_is_bounded() -> None:
    parser = build_parser()
    assert parser.parse_args(["up"]).instances == 1
    assert parser.parse_args(["up", "--instances", "3"]).instances == 3
    for bad in ("0", str(MAX_INSTANCES + 1), "two"):
        with pytest.raises(SystemExit):
            parser.parse_args(["up", "--instances", bad])
    assert [instance_port(8001, i) for i in range(3)] == [8001, 8101, 8201]
    assert [instance_name("employment", i) for i in range(3)] == ["employment", "employment#2", "employment#3"]
    # The highest instance port stays clear of the broker's and PostgreSQL's.
    assert instance_port(8004, MAX_INSTANCES - 1) < 9092


def free_instance_offset(instances: int) -> int:
    """A ``--port-offset`` (see test_cli_up.free_offset: below the ephemeral range) free for every instance port."""
    for _ in range(20):
        offset = free_offset()
        ports = [instance_port(entry.port, i) + offset for entry in SERVICES.values() for i in range(instances)]
        if max(ports) < 32768 and all(port_free(port) for port in ports):
            return offset
    raise RuntimeError("no free port range")


def test_hrss_up_runs_two_instances_of_every_service(tmp_path: Path) -> None:
    offset = free_instance_offset(2)
    data_dir = tmp_path / "stack"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hrss_cli.main", "up", "--data-dir", str(data_dir), "--instances", "2",
         "--port-offset", str(offset)],
        env={**os.environ, "HRSS_DEV_TOKEN": "instances-token"}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )
    expected = {(instance_name(name, i), instance_port(entry.port, i)) for name, entry in SERVICES.items()
                for i in range(2)}
    output: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if "Ctrl-C stops everything" in line:
                break
        text = "".join(output)
        assert "Ctrl-C stops everything" in text, text[-3000:]
        for name, port in expected:
            assert f"{name} " in text and f"http://127.0.0.1:{port + offset}" in text, name

        status = subprocess.run([sys.executable, "-m", "hrss_cli.main", "status", "--data-dir", str(data_dir),
                                 "--json"], capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stdout + status.stderr
        report = json.loads(status.stdout)
        processes = report["processes"]
        assert len(processes) == 2 * len(SERVICES) + 1
        assert {(p["name"], p["port"] - offset, p["url"], p["state"], p["health"]) for p in processes} == {
            ("broker", 9092, f"127.0.0.1:{9092 + offset}", "running", "ok"),
            *((name, port, f"http://127.0.0.1:{port + offset}", "running", "ok") for name, port in expected)}
        assert {p["service"] for p in processes if p["kind"] == "service"} == set(SERVICES)
        table = subprocess.run([sys.executable, "-m", "hrss_cli.main", "status", "--data-dir", str(data_dir)],
                               capture_output=True, text=True, timeout=60)
        assert "employment#2" in table.stdout and f"http://127.0.0.1:{8101 + offset}" in table.stdout
        # On the default SQLite databases too: written through employment#2, seen through gateway#2.
        headers = {"Authorization": "Bearer instances-token"}
        employment_2, gateway_2 = (f"http://127.0.0.1:{instance_port(entry.port, 1) + offset}"
                                   for entry in (EMPLOYMENT, GATEWAY))
        employer, seeker = factories.employer("330881"), factories.job_seeker("330881")
        assert httpx.post(f"{employment_2}/v1/employers", json=employer, headers=headers).status_code == 201
        r = httpx.post(f"{employment_2}/v1/employment-registrations", headers=headers, json={
            "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
            "start_date": "2026-05-01"})
        assert r.status_code == 201, r.text

        async def visible() -> bool:
            async with httpx.AsyncClient(headers=headers, timeout=30) as client:
                g = await client.get(f"{gateway_2}/v1/persons/{seeker['id_number']}")
            return g.status_code == 200 and g.json()["employment"]["status"] == "employed"
        asyncio.run(eventually(visible, timeout=90, interval=0.3))
        # Each instance writes a log of its own and says the port it listens on.
        for name, port in expected:
            started = [json.loads(line) for line in (data_dir / "logs" / f"{name}.log").read_text().splitlines()
                       if '"service_started"' in line]
            assert [row["port"] for row in started] == [port + offset], name
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(120)
    assert rc == 0, proc.stdout.read() if proc.stdout else ""
    for _name, port in expected:
        assert port_free(port + offset), f"port {port + offset} still open after stop"
