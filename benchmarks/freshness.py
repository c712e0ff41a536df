"""Freshness: time from an employment-registration POST until the gateway's person view shows it.

Starts real processes — a broker (the embedded Tansu broker and/or Apache Kafka), the employment
service and the gateway on SQLite — posts N registrations with a few concurrent clients, each client
reading the gateway's person view for its registration right after its POST, with a client credential like a
registering system's (``employment:write``, ``gateway:read``; no ``pii:read``). By default the clients read the
way such a system should: a waiting read (``Prefer: wait=10``, with the ``ETag`` they hold in ``If-None-Match``),
which the gateway answers as soon as its read model has committed the person's change. ``--poll`` makes them poll
instead (a plain GET every 5 ms), the way a client without waiting reads must: the polls load the 2-core machine
the system runs on, and the figure shows what that costs.

Prints p50/p90/p99/max per broker, beside the baseline of the same run: the POST alone (what a client waits for
without the trip through the broker and the gateway). A second line gives the same registrations' time to the
gateway's read-model commit that applied them (the processed-event row of their event, in the gateway's
database), without the clients' reads; a third splits it into stages, and a fourth gives each process's CPU
time per registration (from /proc) and, from 5 s before the registrations, what each costs with nothing to do.

    python benchmarks/freshness.py                      # both brokers, 1,000 registrations
    python benchmarks/freshness.py --broker embedded --count 200
    python benchmarks/freshness.py --broker apache --poll  # clients polling every 5 ms

Goal (issue 6): p99 ≤ 100 ms on Apache Kafka with 4 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import aiohttp

from hrss_cli.stack import ServiceProcess, free_ports, run_script
from hrss_contracts.employment import EMPLOYMENT_REGISTERED
from hrss_shared import embedded_broker
from hrss_shared.auth import issue_token
from hrss_shared.validators import make_credit_code, make_id_number

from common import cpu_seconds, machine, percentile


@dataclass
class Measured:
    visible: list[float] = field(default_factory=list)  # POST sent → the client's GET shows it (seconds)
    posts: list[float] = field(default_factory=list)  # the POST alone
    sent: dict[str, float] = field(default_factory=dict)  # registration id → wall-clock time its POST was sent
    cpu: dict[str, float] = field(default_factory=dict)  # process → CPU seconds spent during the measured part
    idle: dict[str, float] = field(default_factory=dict)  # process → share of a core it uses with nothing to do


IDLE_SECONDS = 5.0  # measured before the registrations: what each process costs with nothing to do


async def measure(emp_url: str, gw_url: str, token: str, count: int, concurrency: int,
                  pids: dict[str, int], poll: bool) -> Measured:
    headers = {"Authorization": f"Bearer {token}"}
    credit_code = make_credit_code("330881", 777000 + secrets.randbelow(1000))
    # aiohttp rather than httpx: the clients share the 2 cores with the system they measure, and aiohttp spends
    # about a quarter of httpx's CPU per request.
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(headers=headers, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=30)) as client:
        async with client.post(f"{emp_url}/v1/employers", json={
                "credit_code": credit_code, "name": "衢州基准测试有限公司", "county_code": "330881"}) as r:
            r.raise_for_status()
        queue: asyncio.Queue[int] = asyncio.Queue()
        result = Measured()

        async def worker() -> None:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                id_number = make_id_number("330881", date(1980, 1, 1) + timedelta(days=i // 1000), i % 1000)
                started, wall = time.perf_counter(), time.time()
                async with client.post(f"{emp_url}/v1/employment-registrations", json={
                        "id_number": id_number, "name": "基准", "credit_code": credit_code,
                        "start_date": "2026-01-01"}) as r:
                    r.raise_for_status()
                    registration_id = (await r.json())["id"]
                result.posts.append(time.perf_counter() - started)
                result.sent[registration_id] = wall
                deadline = started + 60
                held: str | None = None  # the ETag of the view this client holds
                while time.perf_counter() < deadline:
                    # Waiting reads (Prefer: wait): the gateway answers when the person's view changes. Polling
                    # (--poll): a plain GET every 5 ms until the registration shows.
                    headers = {} if poll else {"Prefer": "wait=10", **({"If-None-Match": held} if held else {})}
                    async with client.get(f"{gw_url}/v1/persons/{id_number}", headers=headers) as g:
                        if g.status == 200:
                            if any(e["id"] == registration_id
                                   for e in (await g.json())["employment"]["employments"]):
                                result.visible.append(time.perf_counter() - started)
                                break
                            held = g.headers.get("ETag")
                        await g.read()
                    if poll:
                        await asyncio.sleep(0.005)
                else:
                    raise TimeoutError(f"registration {registration_id} not visible after 60 s")

        # Warm-up (not measured): the gateway's consumer group must have joined before timing starts.
        for i in range(count, count + concurrency):
            queue.put_nowait(i)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result = Measured()
        for i in range(count):
            queue.put_nowait(i)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.sleep(IDLE_SECONDS)
        result.idle = {name: (cpu_seconds(pid) - before[name]) / IDLE_SECONDS for name, pid in pids.items()}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    return result


@dataclass
class Stages:
    """Per registration (seconds), from the rows the services wrote: where the time to the gateway goes."""

    applied: list[float] = field(default_factory=list)  # POST sent → the gateway's read-model commit
    staged: list[float] = field(default_factory=list)  # POST sent → its outbox row written (in the request)
    published: list[float] = field(default_factory=list)  # outbox row → acknowledged by the broker and marked
    consumed: list[float] = field(default_factory=list)  # marked published → applied in the gateway


def _epoch(stored: str) -> float:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC).timestamp()


def applied(data: Path, sent: dict[str, float]) -> Stages:
    """POST sent → the gateway's read-model transaction that applied its event (the processed-event row's time,
    stamped just before that transaction commits), per registration: the freshness without the clients' polling
    (which loads the machine itself: see the module's docstring); and its stages, from the
    outbox row's creation and publication times."""
    events: dict[str, tuple[str, float, float]] = {}  # event id → registration id, outbox created, published
    with contextlib.closing(sqlite3.connect(data / "employment.db")) as db:
        for event_id, payload, created, published in db.execute(
                "SELECT event_id, payload, created_at, published_at FROM outbox WHERE event_type = ?",
                (EMPLOYMENT_REGISTERED.type,)):
            registration_id = json.loads(payload)["data"]["id"]
            if registration_id in sent:
                events[event_id] = (registration_id, _epoch(created), _epoch(published))
    stages = Stages()
    with contextlib.closing(sqlite3.connect(data / "gateway.db")) as db:
        for event_id, processed_at in db.execute("SELECT event_id, processed_at FROM processed_events"):
            if event_id in events:
                registration_id, created, published = events[event_id]
                at = _epoch(processed_at)
                stages.applied.append(at - sent[registration_id])
                stages.staged.append(created - sent[registration_id])
                stages.published.append(published - created)
                stages.consumed.append(at - published)
    if len(stages.applied) != len(sent):
        raise RuntimeError(f"{len(stages.applied)} of {len(sent)} registrations found applied in the gateway")
    return stages


def run(broker: str, count: int, concurrency: int, poll: bool) -> tuple[Measured, Stages]:
    with tempfile.TemporaryDirectory(prefix="hrss-bench-") as tmp:
        data = Path(tmp)
        port, controller_port, emp_port, gw_port = free_ports(4)
        broker_proc = None
        if broker == "embedded":
            broker_proc = embedded_broker.start(port=port, log_path=data / "broker.log")
            asyncio.run(embedded_broker.wait_ready(f"127.0.0.1:{port}", proc=broker_proc))
        else:
            run_script("kafka/start.sh", "--data-dir", str(data / "kafka"), "--port", str(port),
                       "--controller-port", str(controller_port), "--wait", capture=False)
        secret = secrets.token_urlsafe(32)
        # A registering system's credential as the bureau would issue it (no pii:read, so no audit rows).
        token = issue_token(secret=secret, client_id="bench-window", name="基准测试 registering system",
                            scopes=["employment:read", "employment:write", "gateway:read"], ttl=timedelta(hours=2))
        env = dict(os.environ)
        env.update({"HRSS_DATA_DIR": str(data), "HRSS_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
                    "HRSS_AUTH_SECRET": secret, "HRSS_LOG_LEVEL": "WARNING"})
        services = [ServiceProcess(name=n, port=p, env=env, log_path=data / f"{n}.log")
                    for n, p in (("employment", emp_port), ("gateway", gw_port))]
        try:
            for s in services:
                s.start()
            for s in services:
                s.wait_ready(180)
            emp, gw = services
            pids = {"employment": emp.pid, "gateway": gw.pid, "clients": os.getpid()}
            if broker_proc is not None:
                pids["broker"] = broker_proc.pid
            else:
                pids["broker"] = int((data / "kafka" / "kafka.pid").read_text())
            result = asyncio.run(measure(emp.url, gw.url, token, count, concurrency,
                                         {k: v for k, v in pids.items() if v is not None}, poll))
        finally:
            for s in services:
                s.stop()
            if broker_proc is not None:
                embedded_broker.stop(broker_proc)
            else:
                run_script("kafka/stop.sh", "--data-dir", str(data / "kafka"), capture=False)
        return result, applied(data, result.sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", choices=["embedded", "apache", "both"], default="both")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--poll", action="store_true",
                        help="clients poll the person view every 5 ms instead of waiting reads (Prefer: wait)")
    args = parser.parse_args()
    brokers = ["embedded", "apache"] if args.broker == "both" else [args.broker]
    print(f"freshness: POST /v1/employment-registrations → visible in GET /v1/persons/{{id}}; "
          f"{args.count} registrations, {args.concurrency} concurrent clients "
          f"{'polling every 5 ms' if args.poll else 'reading with Prefer: wait'}, SQLite; {machine()}")
    for broker in brokers:
        started = time.perf_counter()
        result, stages = run(broker, args.count, args.concurrency, args.poll)
        lat, post = [x * 1000 for x in result.visible], [x * 1000 for x in result.posts]
        gw = [x * 1000 for x in stages.applied]
        print(f"{broker:>9}: visible p50={statistics.median(lat):.1f} ms p90={percentile(lat, 90):.1f} ms "
              f"p99={percentile(lat, 99):.1f} ms max={max(lat):.1f} ms; the POST alone p50="
              f"{statistics.median(post):.1f} ms p99={percentile(post, 99):.1f} ms; ratio of p50s "
              f"{statistics.median(lat) / statistics.median(post):.1f}x, of p99s "
              f"{percentile(lat, 99) / percentile(post, 99):.1f}x  (n={len(lat)}, run "
              f"{time.perf_counter() - started:.0f} s; goal p99 ≤ 100 ms on apache; load average "
              f"{os.getloadavg()[0]:.1f})", flush=True)
        print(f"{'':>9}  applied in the gateway (its read-model commit, not the clients' polling) p50="
              f"{statistics.median(gw):.1f} ms p90={percentile(gw, 90):.1f} ms p99={percentile(gw, 99):.1f} ms "
              f"max={max(gw):.1f} ms", flush=True)
        parts = ", ".join(f"{name} p50={statistics.median(ms):.1f} p99={percentile(ms, 99):.1f} ms" for name, ms in (
            ("POST → outbox row", [x * 1000 for x in stages.staged]),
            ("→ published (relay, broker ack)", [x * 1000 for x in stages.published]),
            ("→ applied (broker, gateway)", [x * 1000 for x in stages.consumed])))
        print(f"{'':>9}  stages: {parts}", flush=True)
        print(f"{'':>9}  CPU per registration: " + ", ".join(
            f"{name} {seconds / len(lat) * 1000:.2f} ms" for name, seconds in result.cpu.items())
              + "; idle, share of a core: " + ", ".join(
                  f"{name} {share:.0%}" for name, share in result.idle.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
