"""Person view under load: the gateway's ``GET /v1/persons/{id}`` beside a bare FastAPI endpoint, with wrk.

In one run, on real processes started like ``hrss up`` starts them:

1. the gateway's read model is filled with ``--persons`` people (3 events each, through the broker);
2. ``bare``: a bare FastAPI endpoint returning the same document (the gateway's own masked answer), under
   the same uvicorn settings — the ceiling;
3. ``masked``: the gateway for a client without ``pii:read``, while ``--event-rate`` events/s of new people
   keep arriving on the topic and the gateway's consumer applies them;
4. ``audited``: the same for a client with ``pii:read`` (each read writes an audit row).

Steps 2 and 3 alternate ``--rounds`` times (bare, masked, bare, masked …): each round's ratio compares two runs a
few seconds apart, so a shared machine's slower minute weighs on both sides of it; the figure is the median round
(requests/s ratio and masked p99), beside the lowest and highest.

The servers run on core 0 and wrk (Debian's, one thread, ``--connections``), the event producer and the Kafka
broker on core 1, so the load generator is not the bottleneck and neither it nor the broker (the infrastructure, as a
PostgreSQL server is in the other benchmarks) steals the server's core.

    python benchmarks/person_view.py                       # Apache Kafka, SQLite, 2,000 persons, 10 s a run
    python benchmarks/person_view.py --broker embedded --duration 5
    python benchmarks/person_view.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gw

Goal (issue 6): masked ≥ 50% of bare requests/s, and masked p99 < 50 ms at 16 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from hrss_cli.stack import free_ports
from hrss_shared.auth import issue_token
from hrss_shared.registry import EMPLOYMENT

from common import (
    HERE,
    LOAD_CPU,
    SERVER_CPU,
    Stack,
    applied,
    broker,
    create_topics,
    employers,
    id_number_of,
    machine,
    person_history,
    pin,
    produce,
    result_line,
    run_wrk,
    wait_applied,
    wait_views_rendered,
)


def wrk(url: str, paths: Path, token: str, *, duration: int, connections: int, purpose: str = "") -> dict[str, Any]:
    env = {"HRSS_BENCH_PATHS": str(paths), "HRSS_BENCH_TOKEN": token, "HRSS_BENCH_PURPOSE": purpose}
    return run_wrk(url, "wrk_report.lua", env, duration=duration, connections=connections)


class Trickle:
    """New people's events at a steady rate while a run lasts (the consumer works during the reads)."""

    def __init__(self, bootstrap: str, topic: str, rate: int, start: int) -> None:
        self.bootstrap, self.topic, self.rate, self.next = bootstrap, topic, rate, start
        self.sent = 0

    async def run(self, seconds: float) -> None:
        codes = employers()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            tick = time.perf_counter()
            people = max(1, self.rate // 3 // 10)  # every 0.1 s
            events = [e for i in range(self.next, self.next + people) for e in person_history(i, codes)]
            self.next += people
            await produce(self.bootstrap, self.topic, events)
            self.sent += len(events)
            await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - tick)))


def loaded_run(stack: Stack, node_bootstrap: str, topic: str, trickle_start: int, args: argparse.Namespace,
               paths: Path, token: str, purpose: str = "") -> tuple[dict[str, Any], int, int]:
    """A wrk run against the gateway while events trickle in; returns wrk's result, events sent and applied."""
    url = stack.url("gateway")
    before = asyncio.run(applied(url))
    trickle = Trickle(node_bootstrap, topic, args.event_rate, trickle_start)
    os.sched_setaffinity(0, {int(LOAD_CPU)}) if (os.cpu_count() or 1) > 1 else None

    async def both() -> dict[str, Any]:
        feeding = asyncio.create_task(trickle.run(args.duration))
        result = await asyncio.to_thread(wrk, url, paths, token, duration=args.duration,
                                         connections=args.connections, purpose=purpose)
        await feeding
        return result

    result = asyncio.run(both())
    after = asyncio.run(applied(url))
    return result, trickle.sent, after - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", choices=["embedded", "apache"], default="apache")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--event-rate", type=int, default=300, help="events/s arriving during the gateway runs")
    parser.add_argument("--database-url", help="the gateway's database (default: SQLite in a temporary folder)")
    parser.add_argument("--rounds", type=int, default=3, help="bare/masked pairs of runs (the median is the figure)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    print(f"person view: {args.persons:,} persons, {args.connections} connections, {args.duration} s a run, "
          f"{args.event_rate} events/s arriving; {args.broker} Kafka; gateway on "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hrss-bench-") as tmp, broker(args.broker, Path(tmp)) as node:
        data = Path(tmp)
        node.pin_to(LOAD_CPU)
        prefix = f"b{uuid.uuid4().hex[:6]}."
        topic = prefix + str(EMPLOYMENT.topic)
        asyncio.run(create_topics(node.bootstrap, prefix))
        codes = employers()
        asyncio.run(produce(node.bootstrap, topic, [e for i in range(args.persons) for e in person_history(i, codes)]))
        stack = Stack(data, node.bootstrap, prefix=prefix)
        extra = {"HRSS_GATEWAY_DATABASE_URL": args.database_url} if args.database_url else {}
        bare: subprocess.Popen[bytes] | None = None
        try:
            stack.start("gateway", **extra)
            pin(stack.processes["gateway"].proc.pid, SERVER_CPU)  # type: ignore[union-attr]
            asyncio.run(wait_applied(stack.url("gateway"), args.persons * 3))
            asyncio.run(wait_views_rendered(args.database_url or f"sqlite:///{data / 'gateway.db'}"))
            masked = issue_token(secret=stack.secret, client_id="bench-masked", name="基准测试 masked",
                                 scopes=["gateway:read"], ttl=timedelta(hours=2))
            audited = issue_token(secret=stack.secret, client_id="bench-audited", name="基准测试 audited",
                                  scopes=["gateway:read", "pii:read"], ttl=timedelta(hours=2))
            paths = data / "paths.txt"
            paths.write_text("".join(f"/v1/persons/{id_number_of(i)}\n" for i in range(args.persons)))
            sample = httpx.get(f"{stack.url('gateway')}/v1/persons/{id_number_of(0)}",
                               headers={"Authorization": f"Bearer {masked}"}, timeout=10)
            sample.raise_for_status()
            document = data / "document.json"
            document.write_bytes(sample.content)

            port = free_ports(1)[0]
            bare = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "bare_app:create_app", "--app-dir", str(HERE),
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
                env={**os.environ, "HRSS_BENCH_DOCUMENT": str(document)},
            )
            pin(bare.pid, SERVER_CPU)
            bare_url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{bare_url}/v1/persons/x", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            print(f"  document: {len(sample.content):,} bytes (the gateway's masked answer)", flush=True)

            wrk(bare_url, paths, masked, duration=2, connections=args.connections)  # warm-up, not reported
            wrk(stack.url("gateway"), paths, masked, duration=2, connections=args.connections)
            start = args.persons
            rounds: list[tuple[float, float]] = []  # (masked / bare requests/s, masked p99) of each round
            for number in range(1, args.rounds + 1):
                baseline = wrk(bare_url, paths, masked, duration=args.duration, connections=args.connections)
                print(result_line("bare", baseline) + f"   (round {number})", flush=True)
                result, sent, done = loaded_run(stack, node.bootstrap, topic, start, args, paths, masked)
                start += sent // 3 + 1
                rounds.append((result["rps"] / baseline["rps"], result["p99_ms"]))
                print(result_line("masked", result) + f"   ({done:,} of {sent:,} arriving events applied during the "
                      f"run; {rounds[-1][0]:.1%} of the bare run before it)", flush=True)
            bare.terminate()
            bare.wait()
            bare = None
            shown, sent, done = loaded_run(stack, node.bootstrap, topic, start, args, paths, audited,
                                           purpose="benchmark")
            print(result_line("audited", shown) + f"   ({done:,} of {sent:,} arriving events applied during the run; "
                  f"{shown['rps'] / baseline['rps']:.1%} of the last bare run)", flush=True)
            ratio, p99 = statistics.median(r for r, _ in rounds), statistics.median(p for _, p in rounds)
            print(f"  masked / bare, median of {len(rounds)} rounds: {ratio:.1%} of requests/s (goal ≥ 50%; rounds "
                  f"{min(r for r, _ in rounds):.1%}–{max(r for r, _ in rounds):.1%}), p99 {p99:.1f} ms "
                  f"(goal < 50 ms; rounds {min(p for _, p in rounds):.1f}–{max(p for _, p in rounds):.1f} ms)",
                  flush=True)
        finally:
            if bare is not None:
                bare.terminate()
                bare.wait()
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
