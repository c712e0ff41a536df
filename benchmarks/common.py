"""What the benchmarks share: the machine line, percentiles, a broker, service processes and synthetic events.

Every benchmark prints the machine it ran on and compares with a baseline measured in the same run, since
this machine is shared and noisy: a ratio is meaningful where an absolute figure is not.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from hrss_cli.stack import ServiceProcess, free_ports, run_script
from hrss_contracts import employment as emp
from hrss_shared import embedded_broker, ratelimit
from hrss_shared.events import Contract, EventData, new_event
from hrss_shared.kafka import ensure_topics
from hrss_shared.registry import EMPLOYMENT, SERVICES, TOPICS
from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code, make_id_number


def machine() -> str:
    """One line about where the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}, {platform.system()}"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Broker:
    kind: str
    data: Path
    port: int = 0
    controller_port: int = 0
    proc: Any = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def kafka_dir(self) -> Path:
        """Apache Kafka's folder (deploy/kafka/start.sh --data-dir: its files, logs and pid file)."""
        return self.data / "kafka"

    def pin_to(self, cpus: str) -> None:
        """Pin the broker's process (the embedded broker's, or Apache Kafka's JVM from its pid file) to ``cpus``."""
        pid: int | None = self.proc.pid if self.proc is not None else None
        if pid is None:
            with contextlib.suppress(OSError, ValueError):
                pid = int((self.kafka_dir / "kafka.pid").read_text().split()[0])
        if pid is not None:
            pin(pid, cpus)

    def start(self) -> None:
        self.port, self.controller_port = free_ports(2)
        if self.kind == "embedded":
            self.proc = embedded_broker.start(port=self.port, log_path=self.data / "broker.log")
            asyncio.run(embedded_broker.wait_ready(self.bootstrap, proc=self.proc))
        else:
            run_script("kafka/fetch.sh", capture=False)
            run_script("kafka/start.sh", "--data-dir", str(self.kafka_dir), "--port", str(self.port),
                       "--controller-port", str(self.controller_port), "--wait", capture=False)

    def stop(self) -> None:
        if self.proc is not None:
            embedded_broker.stop(self.proc)
        elif self.port:
            run_script("kafka/stop.sh", "--data-dir", str(self.kafka_dir), capture=False)


@contextlib.contextmanager
def broker(kind: str, data: Path) -> Iterator[Broker]:
    node = Broker(kind, data)
    node.start()
    try:
        yield node
    finally:
        node.stop()


BENCH_CLIENTS = ("bench-masked", "bench-audited", "bench-scale", "bench-window", "bench-registration")


@dataclass
class Stack:
    """Services run as uvicorn processes exactly as ``hrss up`` runs them, on one broker and data folder."""

    data: Path
    bootstrap: str
    prefix: str = ""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"HRSS_DATA_DIR": str(self.data), "HRSS_BOOTSTRAP_SERVERS": self.bootstrap,
                    "HRSS_DEV_TOKEN": self.token, "HRSS_AUTH_SECRET": self.secret, "HRSS_LOG_LEVEL": "WARNING",
                    "HRSS_TOPIC_PREFIX": self.prefix, "HRSS_RATE_LIMIT_POLICY": str(self.rate_limits()), **extra})
        return env

    def rate_limits(self) -> Path:
        """The platform's rate-limit policy with the benchmarks' clients (``bench-*``) allowed what they send: one
        client's load is the measurement here, above the per-client default of about one instance's capacity."""
        path = self.data / "rate_limits.toml"
        if not path.exists():
            base = (Path(ratelimit.__file__).parent / "reference" / ratelimit.POLICY_FILE).read_text(encoding="utf-8")
            clients = "".join(f'"{c}" = 100000000\n' for c in BENCH_CLIENTS)
            path.write_text(base.rstrip() + "\n" + clients, encoding="utf-8")
        return path

    def start(self, *names: str, need_broker: bool = True, **extra: str) -> None:
        """Start the services ``names`` and wait until each is ready (only ``/healthz`` without ``need_broker``)."""
        for name in names:
            port = free_ports(1)[0]
            proc = ServiceProcess(name=name, port=port, env=self.env(**extra), log_path=self.data / f"{name}.log")
            proc.start()
            self.processes[name] = proc
        for name in names:
            self.processes[name].wait_ready(180, need_broker=need_broker)

    def url(self, name: str) -> str:
        return self.processes[name].url

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.stop()


async def consumer_stats(url: str) -> dict[str, Any]:
    """The service's consumer counters, from its ``/readyz`` details."""
    async with httpx.AsyncClient(timeout=10) as client:
        body: dict[str, Any] = (await client.get(f"{url}/readyz")).json()
    consumers: dict[str, Any] = body.get("details", {}).get("consumers", {})
    return consumers


def person_history(i: int, credit_codes: list[str]) -> list[tuple[Contract[Any], EventData]]:
    """A person's events: job-seeker registration, employment, a key group; deterministic for ``i``."""
    county = list(QUZHOU_COUNTIES)[i % len(QUZHOU_COUNTIES)]
    id_number = id_number_of(i)
    credit_code = credit_codes[i % len(credit_codes)]
    return [
        (emp.JOB_SEEKER_REGISTERED, emp.JobSeekerRegistered(
            id_number=id_number, name="王小明", phone=f"138{i % 10**8:08d}", county_code=county,
            registered_date=date(2025, 1, 2))),
        (emp.EMPLOYMENT_REGISTERED, emp.EmploymentRegistered(
            id=str(uuid.UUID(int=i)), id_number=id_number, name="王小明", credit_code=credit_code,
            employer_name="衢州基准测试有限公司", county_code=county, start_date=date(2025, 3, 1), occupation="车工")),
        (emp.KEY_GROUP_ADDED, emp.KeyGroupAdded(
            id=str(uuid.UUID(int=10**12 + i)), id_number=id_number, group="migrant_worker", source="乡镇街道",
            start_date=date(2025, 1, 1), county_code=county)),
    ]


def id_number_of(i: int) -> str:
    county = list(QUZHOU_COUNTIES)[i % len(QUZHOU_COUNTIES)]
    return make_id_number(county, date(1970, 1, 1) + timedelta(days=(i // 1000) % 12000), i % 1000)


def employers(n: int = 50) -> list[str]:
    return [make_credit_code("330802", 900000 + k) for k in range(n)]


async def produce(bootstrap: str, topic: str, events: list[tuple[Contract[Any], EventData]]) -> None:
    """Publish events as the outbox relay would (CloudEvents keyed by subject), as fast as the broker takes them."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024)
    await producer.start()
    try:
        source = EMPLOYMENT.source
        pending = []
        for contract, data in events:
            event = new_event(source=source, type=contract.type, subject=contract.subject_of(data),
                              data=contract.dump(data), time=datetime.now(UTC))
            pending.append(await producer.send(topic, value=event.to_json(), key=event.subject.encode(),
                                               headers=[("content-type", b"application/cloudevents+json")]))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def create_topics(bootstrap: str, prefix: str) -> None:
    await ensure_topics(bootstrap, [prefix + t for t in TOPICS] + [prefix + t + ".dlq" for t in TOPICS])


# The servers under test run on core 0; wrk, the event producers and the database server of a PostgreSQL run on
# core 1, so the load generator neither is the bottleneck nor steals the server's core.
SERVER_CPU, LOAD_CPU = "0", "1"
HERE = Path(__file__).resolve().parent


def pin(pid: int, cpus: str) -> None:
    """Pin every thread of ``pid`` to ``cpus`` (no-op where taskset is missing or there is one core)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        subprocess.run(["taskset", "-a", "-c", "-p", cpus, str(pid)], check=True, stdout=subprocess.DEVNULL)


def load() -> str:
    """The machine's load averages (1, 5, 15 minutes), as ``uptime`` shows them: the noise of a shared machine."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) process ``pid`` has used: per request, a cost that a shared machine's
    noise barely moves, unlike requests/s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds every core of the machine has been busy since boot (/proc/stat: all but idle and iowait): a
    database server's share of a load, which no process of the benchmark's own shows."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def postgres_cluster(data_dir: Path, databases: Sequence[str] = (), cpus: str | None = None) -> Iterator[str]:
    """A throwaway PostgreSQL cluster from deploy/postgres in ``data_dir`` with ``databases`` created, its server
    pinned to ``cpus`` if given (its backends inherit it), stopped on leaving: the server's URL, to which a database
    name is appended."""
    run_script("postgres/install.sh", capture=False)
    args = ["--data-dir", str(data_dir), "--port", str(free_ports(1)[0])]
    if databases:
        args += ["--db", ",".join(databases)]
    base = run_script("postgres/start.sh", *args).splitlines()[-1]
    try:
        if cpus is not None:
            pin(int((data_dir / "postmaster.pid").read_text().split()[0]), cpus)
        yield base
    finally:
        run_script("postgres/stop.sh", "--data-dir", str(data_dir), capture=False)


def run_wrk(url: str, script: str, env: dict[str, str], *, duration: int, connections: int) -> dict[str, Any]:
    """Debian's wrk (one thread, pinned to the load core) with a Lua script of benchmarks/ that prints a
    ``RESULT {json}`` line (as wrk_report.lua does); that line, parsed."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", "-s", str(HERE / script), url]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        command = ["taskset", "-c", LOAD_CPU, *command]
    out = subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    return result


async def applied(url: str) -> int:
    """Events the gateway at ``url`` has applied (or found already applied), from its /readyz counters."""
    stats = next(iter((await consumer_stats(url)).values()), {})
    return int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))


async def wait_applied(url: str, total: int, timeout: float = 1800) -> None:
    """Until the gateway at ``url`` has applied ``total`` events (TimeoutError after ``timeout`` seconds)."""
    deadline = time.perf_counter() + timeout
    while (done := await applied(url)) < total:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"gateway applied {done} of {total} events")
        await asyncio.sleep(0.2)


async def wait_views_rendered(database_url: str, timeout: float = 1800) -> None:
    """Until the gateway (its database at ``database_url``) has rendered every finished person view its catch-up
    queued (``person_views_pending`` empty; gateway.persons.rendered): the reads measured then are the steady state's.
    """
    query = "SELECT count(*) FROM person_views_pending"
    deadline = time.perf_counter() + timeout
    while True:
        if database_url.startswith("sqlite"):
            with contextlib.closing(sqlite3.connect(f"file:{database_url.split('///', 1)[1]}?mode=ro", uri=True)) as c:
                left = c.execute(query).fetchone()[0]
        else:
            import asyncpg

            conn = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
            try:
                left = await conn.fetchval(query)
            finally:
                await conn.close()
        if not left:
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{left} person views still queued")
        await asyncio.sleep(0.5)


def result_line(name: str, r: dict[str, Any], width: int = 8) -> str:
    """One wrk result: requests/s, p50, p99, errors (of which answers other than 2xx, when there are any)."""
    status = f" ({r['non_2xx']} not 2xx)" if r.get("non_2xx") else ""
    return (f"  {name:<{width}} {r['rps']:>9,.0f} req/s   p50 {r['p50_ms']:6.2f} ms   p99 {r['p99_ms']:7.2f} ms   "
            f"errors {r['errors']}{status}")


__all__ = ["HERE", "LOAD_CPU", "SERVER_CPU", "SERVICES", "Broker", "Stack", "applied", "broker", "busy_seconds",
           "consumer_stats", "cpu_seconds", "create_topics", "employers", "id_number_of", "load", "machine",
           "percentile", "person_history", "pin", "postgres_cluster", "produce", "result_line", "run_wrk",
           "wait_applied", "wait_views_rendered"]
