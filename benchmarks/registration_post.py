"""One employment registration POST beside a bare FastAPI endpoint inserting the same rows, with wrk (issue 14, 6).

In one run, on real processes started like ``hrss up`` starts them (uvicorn, same settings):

1. ``service``: the employment service's ``POST /v1/employment-registrations`` (authentication, rate limit,
   validation of the body, employer look-up, working-age and one-active-registration rules, the ORM unit of work,
   the ``employment.registered`` event through the outbox, commit, the typed answer with the ID number masked);
2. ``bare``: benchmarks/bare_insert_app.py under the same uvicorn settings, in a database of its own built by the
   employment service's own migrations: it parses the body, inserts the same ``employment_registrations`` row
   and an ``outbox`` row with the same driver (``hrss_shared.db.make_engine``), commits and answers 201 — no
   validation beyond what the insert needs.

wrk (Debian's, one thread, ``--connections``) runs on core 1 with benchmarks/wrk_registration.lua: every request
registers a new person (a valid ID number of its own), at one existing employer (created through the service's
API first). The servers run on core 0; a PostgreSQL server started by ``--postgres`` runs on core 1.

The outbox relay is disabled by default: the bare endpoint leaves its outbox rows unpublished, so with the relay
on, the service would also publish every event to Kafka (and mark it published) on the same core, work the
baseline does not do. ``--relay`` turns it on to measure that cost too (the freshness benchmark measures the
relay's latency).

    python benchmarks/registration_post.py                        # SQLite, 10 s a run, 16 connections
    python benchmarks/registration_post.py --relay                # the service's relay publishing meanwhile
    python benchmarks/registration_post.py --postgres             # a throwaway PostgreSQL cluster on core 1
    python benchmarks/registration_post.py --profile /tmp/post.txt  # py-spy's collapsed stacks of the service
    python benchmarks/registration_post.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/
        # an existing PostgreSQL server: two databases are created on it for the run, and dropped after it

Besides requests/s and latency, each server's CPU time per request is printed (user + system time of its process
over the run, from /proc): on this shared machine requests/s swing with other people's load, the CPU cost of a
request much less, and the bare insert's CPU per request over the service's is the throughput ratio the two would
reach on a core of their own.

Goal (issue 14): the registration POST ≥ 25 % of the bare insert's requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from employment.main import MIGRATIONS
from hrss_cli.stack import free_ports
from hrss_shared.auth import issue_token
from hrss_shared.db import make_engine
from hrss_shared.migrations import upgrade
from hrss_shared.registry import EMPLOYMENT
from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code

from common import (
    HERE,
    LOAD_CPU,
    SERVER_CPU,
    Stack,
    broker,
    cpu_seconds,
    load,
    machine,
    pin,
    postgres_cluster,
    result_line,
    run_wrk,
)

EMPLOYER_NAME = "衢州基准测试有限公司"
COUNTY = "330802"
MEASURED_OFFSET = 10_000_000  # the warm-up registers persons 1 …, the measured run persons 10,000,001 …


async def _admin(base_url: str, statements: list[str]) -> None:
    import asyncpg

    dsn = base_url.replace("postgresql+asyncpg://", "postgresql://", 1).rstrip("/") + "/postgres"
    conn = await asyncpg.connect(dsn)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _server_url(url: str) -> str:
    """``postgresql+asyncpg://user@host:port/`` of a URL naming a database or not."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


@contextmanager
def databases(args: argparse.Namespace, data: Path) -> Iterator[tuple[str | None, str]]:
    """The service's database URL (None: its SQLite default in the data folder) and the bare endpoint's."""
    if not args.postgres and not args.database_url:
        yield None, f"sqlite+aiosqlite:///{data / 'bare.db'}"
        return
    names = [f"bench_reg_{uuid.uuid4().hex[:8]}", f"bench_bare_{uuid.uuid4().hex[:8]}"]
    if args.postgres:
        with postgres_cluster(data / "postgres", names, cpus=LOAD_CPU) as server:
            yield server + names[0], server + names[1]
        return
    server = _server_url(args.database_url)
    asyncio.run(_admin(server, [f'CREATE DATABASE "{n}"' for n in names]))
    try:
        yield server + names[0], server + names[1]
    finally:
        asyncio.run(_admin(server, [f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names]))


async def migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await upgrade(engine, MIGRATIONS)
    finally:
        await engine.dispose()


async def counts(url: str) -> tuple[int, int]:
    """Rows in ``employment_registrations`` and ``outbox``."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            registered = (await conn.execute(text("SELECT count(*) FROM employment_registrations"))).scalar_one()
            events = (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    finally:
        await engine.dispose()
    return int(registered), int(events)


def start_bare(url: str, extra_env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_ports(1)[0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bare_insert_app:create_app", "--app-dir", str(HERE),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env={**os.environ, "HRSS_BENCH_DATABASE_URL": url, "HRSS_BENCH_EMPLOYER_NAME": EMPLOYER_NAME,
             "HRSS_BENCH_COUNTY": COUNTY, **extra_env},
    )
    pin(proc.pid, SERVER_CPU)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            httpx.get(f"{base}/healthz", timeout=1).raise_for_status()
            return proc, base
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError("the bare insert app exited") from None
            time.sleep(0.1)
    raise TimeoutError("the bare insert app did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", choices=["embedded", "apache"], default="embedded",
                        help="the service's broker (its consumers and, with --relay, its relay use it)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--relay", action="store_true", help="run the service's outbox relay during the runs")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster, pinned to core 1")
    parser.add_argument("--database-url", help="an existing PostgreSQL server (two databases are made on it)")
    parser.add_argument("--profile", type=Path,
                        help="py-spy the service during its run: FILE.svg a flame graph, else collapsed stacks")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    database = "PostgreSQL" if args.postgres or args.database_url else "SQLite"
    print(f"registration POST: {args.connections} connections, {args.duration} s a run, relay "
          f"{'enabled' if args.relay else 'disabled'}, {database}, {args.broker} Kafka; {machine()}", flush=True)
    print(f"  before: {load()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hrss-bench-") as tmp, broker(args.broker, Path(tmp)) as node, \
            databases(args, Path(tmp)) as (service_url, bare_url):
        data = Path(tmp)
        node.pin_to(LOAD_CPU)
        stack = Stack(data, node.bootstrap, prefix=f"b{uuid.uuid4().hex[:6]}.")
        extra = {"HRSS_EMPLOYMENT_RELAY_ENABLED": "true" if args.relay else "false"}
        if service_url:
            extra["HRSS_EMPLOYMENT_DATABASE_URL"] = service_url
        bare: subprocess.Popen[bytes] | None = None
        try:
            stack.start("employment", **extra)
            pin(stack.processes["employment"].proc.pid, SERVER_CPU)  # type: ignore[union-attr]
            service = stack.url("employment")
            token = issue_token(secret=stack.secret, client_id="bench-registration", name="基准测试 registration",
                                scopes=[f"{EMPLOYMENT.scope_domain}:write", f"{EMPLOYMENT.scope_domain}:read"],
                                ttl=timedelta(hours=2))
            credit_code = make_credit_code(COUNTY, 912345)
            created = httpx.post(f"{service}/v1/employers", headers={"Authorization": f"Bearer {token}"},
                                 json={"credit_code": credit_code, "name": EMPLOYER_NAME, "county_code": COUNTY},
                                 timeout=10)
            created.raise_for_status()
            asyncio.run(migrate(bare_url))
            bare, bare_base = start_bare(bare_url, {"HRSS_BENCH_TOPIC": stack.prefix + str(EMPLOYMENT.topic)})

            def wrk(url: str, offset: int, duration: int) -> dict[str, Any]:
                env = {"HRSS_BENCH_TOKEN": token, "HRSS_BENCH_CREDIT_CODE": credit_code,
                       "HRSS_BENCH_COUNTIES": ",".join(QUZHOU_COUNTIES), "HRSS_BENCH_OFFSET": str(offset)}
                return run_wrk(url + "/v1/employment-registrations", "wrk_registration.lua", env,
                               duration=duration, connections=args.connections)

            wrk(bare_base, 0, 2)  # warm-up, not reported
            wrk(service, 0, 2)
            used = cpu_seconds(bare.pid)
            baseline = wrk(bare_base, MEASURED_OFFSET, args.duration)
            bare_cpu = (cpu_seconds(bare.pid) - used) * 1000 / baseline["requests"]
            print(result_line("bare", baseline) + f"   CPU {bare_cpu:.2f} ms a request", flush=True)
            service_pid = stack.processes["employment"].pid
            assert service_pid is not None
            spy = None
            if args.profile:  # py-spy samples the service (on the load core) during its measured run
                spy = subprocess.Popen(
                    ["taskset", "-c", LOAD_CPU, "py-spy", "record", "--pid", str(service_pid),
                     "--duration", str(args.duration), "--rate", "200", "--format",
                     "flamegraph" if args.profile.suffix == ".svg" else "raw", "--output", str(args.profile)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            used = cpu_seconds(service_pid)
            result = wrk(service, MEASURED_OFFSET, args.duration)
            service_cpu = (cpu_seconds(service_pid) - used) * 1000 / result["requests"]
            if spy is not None:
                spy.wait()
                print(f"  profile of the service's measured run: {args.profile}", flush=True)
            print(result_line("service", result) + f"   CPU {service_cpu:.2f} ms a request", flush=True)
            if result["non_2xx"] or baseline["non_2xx"]:
                print(f"  WARNING: non-2xx answers: service {result['non_2xx']}, bare {baseline['non_2xx']}")
            service_rows = asyncio.run(counts(service_url or f"sqlite+aiosqlite:///{data / 'employment.db'}"))
            bare_rows = asyncio.run(counts(bare_url))
            print(f"  rows written (warm-up included): service {service_rows[0]:,} registrations / "
                  f"{service_rows[1]:,} outbox; bare {bare_rows[0]:,} / {bare_rows[1]:,}", flush=True)
            print(f"  service / bare: {result['rps'] / baseline['rps']:.1%} of requests/s (goal ≥ 25%); "
                  f"p50 {result['p50_ms'] / baseline['p50_ms']:.1f}×, p99 {result['p99_ms'] / baseline['p99_ms']:.1f}×"
                  f" the bare insert's; CPU a request {bare_cpu / service_cpu:.1%} of the service's (the bare's "
                  f"share: the throughput ratio on an otherwise idle core)", flush=True)
            print(f"  after: {load()}", flush=True)
        finally:
            if bare is not None:
                bare.terminate()
                bare.wait()
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
