"""City load — persons/s of ``hrss demo-data`` against running services, and the full city's extrapolated time.

Starts the services as ``hrss up`` runs them (uvicorn processes on one data folder, SQLite databases, the embedded
broker so the relays publish as they would), loads ``--persons`` people of the synthetic city with the loader
(:mod:`hrss_cli.city.load`: employers, then chunk by chunk of people, then the contributions grouped by employer)
and prints the machine, the elapsed time, persons/s, rows/s per service and kind, and the time the full city
(2,680,000 persons) would take at this rate (goal: under 30 minutes, ≥ 1,500 persons/s). Without ``--gateway``,
"loaded" = in the services' databases. With ``--gateway`` the gateway runs too, and the city counts as loaded (the
issue's meaning) once the stack is quiet: every outbox published, the gateway has taken every event of the topics,
and no service's consumer has anything left (see :func:`wait_gateway`). The time from the load's start to then gives
a second rate and full-city time, beside the services' own.

Baseline in the same run: the bulk contributions path against raw ``executemany`` of the same rows into the same
table (benchmarks/bulk_load.py's measurement, SQLite, ``--baseline-persons``), printed beside.

    python benchmarks/city_load.py                          # 20,000 persons
    python benchmarks/city_load.py --persons 100000 --keep /tmp/city   # keep the data folder and logs
    python benchmarks/city_load.py --persons 2680000 --no-baseline > city.log 2>&1 &   # the full city
    python benchmarks/city_load.py --postgres               # each service on its own PostgreSQL database
    python benchmarks/city_load.py --gateway                # until the gateway has taken every event too
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from hrss_cli.city.load import BulkCounts, load
from hrss_shared.registry import GATEWAY, SERVICES

from common import (  # benchmarks/common.py (the script's folder is on sys.path)
    Stack,
    broker,
    busy_seconds,
    cpu_seconds,
    machine,
    postgres_cluster,
)

FULL_CITY = 2_680_000
GOAL_SECONDS = 30 * 60
DEFAULT_SERVICES = ("employment", "social-insurance")


def report(totals: dict[str, BulkCounts], persons: int, elapsed: float) -> None:
    rate = persons / elapsed
    print(f"loaded {persons} persons in {elapsed:.1f} s: {rate:,.0f} persons/s")
    for service, counts in totals.items():
        total = counts.total
        print(f"  {service:18s} {total.received:>10d} rows  {total.written:>10d} written  {total.events:>9d} events"
              f"  {total.received / elapsed:>9,.0f} rows/s  refused {total.refused}")
        for kind, c in counts.kinds.items():
            print(f"    {kind:28s} {c.received:>10d} rows  {c.written:>10d} written  {c.events:>9d} events")
        for refusal in counts.refusals:
            print(f"    refused: {refusal}")
    full = FULL_CITY / rate
    print(f"full city ({FULL_CITY:,} persons) at this rate: {full / 60:.1f} min "
          f"(goal < {GOAL_SECONDS // 60} min, ≥ {FULL_CITY / GOAL_SECONDS:,.0f} persons/s)")


def scrape(url: str, token: str) -> list[Sample]:
    """Every sample at ``url``/metrics, read with prometheus_client's own text parser (one request)."""
    response = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    return [sample for family in text_string_to_metric_families(response.text) for sample in family.samples]


def total(samples: list[Sample], name: str, **labels: str) -> float | None:
    """The sum of metric ``name``'s samples (a counter's ``_total`` ones) with ``labels``; None if there are none."""
    found = [s.value for s in samples if s.name in (name, f"{name}_total")
             and all(s.labels.get(k) == v for k, v in labels.items())]
    return sum(found) if found else None


async def topic_events(bootstrap: str, topics: list[str]) -> int:
    """Records in ``topics`` (the sum of their partitions' end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in (consumer.partitions_for_topic(t) or ())]
        return sum((await consumer.end_offsets(partitions)).values())
    finally:
        await consumer.stop()


OUTCOMES = ("applied", "duplicate", "ignored", "dead_lettered")  # hrss_consumer_events' outcome label


def wait_gateway(stack: Stack, services: list[str], timeout: float = 6 * 3600) -> tuple[int, dict[str, int], float]:
    """Until the stack is quiet: every outbox of ``services`` published, the gateway has taken (applied, found
    applied, ignored or dead-lettered) every record of their topics, and every service's consumers have nothing
    behind and took nothing more over a second (the services' own consumers publish events of their own after the
    load's, e.g. training's decisions, so published outboxes alone do not end it). One scrape of each service's
    ``/metrics`` a second. The number of records, the gateway's counts of each outcome (duplicate: a record of an
    event it had applied, which an at-least-once relay may publish twice), and when the quiet began
    (``time.perf_counter``)."""
    topics = [stack.prefix + str(SERVICES[s].topic) for s in services]
    names = [*services, GATEWAY.name]
    deadline = time.perf_counter() + timeout
    previous: tuple[int, float] | None = None
    since = 0.0
    while time.perf_counter() < deadline:
        now = time.perf_counter()
        samples = {name: scrape(stack.url(name), stack.token) for name in names}
        pending = {s: total(samples[s], "hrss_outbox_pending") for s in services}
        if None in pending.values():
            raise LookupError(f"no hrss_outbox_pending in the /metrics of {pending}")
        state: tuple[int, float] | None = None
        if not any(pending.values()):
            records = asyncio.run(topic_events(stack.bootstrap, topics))
            outcomes = {o: int(total(samples[GATEWAY.name], "hrss_consumer_events", outcome=o) or 0)
                        for o in OUTCOMES}
            lag = sum(total(found, "hrss_consumer_lag") or 0 for found in samples.values())
            if sum(outcomes.values()) >= records and lag == 0:
                state = (records, sum(total(found, "hrss_consumer_events") or 0 for found in samples.values()))
                if state == previous:
                    return records, outcomes, since
                since = now
        previous = state
        time.sleep(1)
    raise TimeoutError("the gateway did not catch up")


def baseline(persons: int, root: Path) -> None:
    from bulk_load import measure  # benchmarks/bulk_load.py

    data = root / "baseline"
    data.mkdir()
    result = asyncio.run(measure(f"sqlite+aiosqlite:///{data / 'si.db'}", persons, 10_000, data))
    print(f"baseline (benchmarks/bulk_load.py, SQLite, {int(result['rows'])} contribution rows): bulk path "
          f"{result['bulk']:,.0f} rows/s, raw executemany {result['raw']:,.0f} rows/s, "
          f"ratio {result['bulk'] / result['raw']:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--chunk-size", type=int, default=10_000, help="people per request round")
    parser.add_argument("--services", default=",".join(DEFAULT_SERVICES),
                        help="services to load (comma-separated; those with a city module and a bulk path)")
    parser.add_argument("--broker", choices=("embedded", "apache", "none"), default="embedded",
                        help="none: no broker (the outboxes fill up, no consumer runs): the bulk paths alone")
    parser.add_argument("--baseline-persons", type=int, default=5_000, help="persons of the bulk_load baseline")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--progress", action="store_true", help="show the loader's progress bars")
    parser.add_argument("--keep", type=Path, help="use this (new) data folder and keep it")
    parser.add_argument("--postgres", action="store_true",
                        help="the services on PostgreSQL (a cluster started here from deploy/postgres, one database "
                             "per service) instead of SQLite")
    parser.add_argument("--gateway", action="store_true",
                        help="run the gateway too and wait until it has taken every event (needs a broker)")
    args = parser.parse_args()
    if args.gateway and args.broker == "none":
        parser.error("--gateway needs a broker: --broker embedded or apache")
    services = [s.strip() for s in args.services.split(",") if s.strip()]
    print(f"machine: {machine()}")
    print(f"city load: {args.persons} persons, seed {args.seed}, chunks of {args.chunk_size}, "
          f"services {', '.join(services)}, {'PostgreSQL' if args.postgres else 'SQLite'}, broker {args.broker}")
    root = args.keep or Path(tempfile.mkdtemp(prefix="city-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        if not args.no_baseline:
            baseline(args.baseline_persons, root)
        with contextlib.ExitStack() as stop:
            bootstrap = "127.0.0.1:1" if args.broker == "none" else stop.enter_context(
                broker(args.broker, root)).bootstrap
            stack = Stack(data=root / "stack", bootstrap=bootstrap)
            stack.data.mkdir(exist_ok=True)
            running = [*services, *([GATEWAY.name] if args.gateway else [])]
            databases: dict[str, str] = {}
            if args.postgres:  # one database per service, as hrss up --postgres makes them
                server = stop.enter_context(postgres_cluster(root / "pg", [SERVICES[s].database for s in running]))
                databases = {f"{SERVICES[s].env_prefix}DATABASE_URL": server + SERVICES[s].database for s in running}
            try:
                stack.start(*running, need_broker=args.broker != "none", **databases)
                urls = {s: stack.url(s) for s in services}
                pids = {s: stack.processes[s].proc.pid for s in running}
                cpu = {s: cpu_seconds(pid) for s, pid in pids.items()} | {"loader": time.process_time()}
                machine_before = busy_seconds()
                start = time.perf_counter()
                totals = load(urls, stack.token, args.persons, args.seed, chunk_size=args.chunk_size,
                              progress=args.progress, services=services)
                elapsed = time.perf_counter() - start
                if args.gateway:
                    records, outcomes, quiet = wait_gateway(stack, services)
                    visible = quiet - start
                cpu = {s: cpu_seconds(pid) - cpu[s] for s, pid in pids.items()} | {
                    "loader": time.process_time() - cpu["loader"]}
                cpu["the whole machine"] = busy_seconds() - machine_before  # a database server's share is in here
            finally:
                stack.stop()
        report(totals, args.persons, elapsed)
        if args.gateway:
            rate = args.persons / visible
            print(f"visible in the gateway ({records:,} events taken) {visible:.1f} s after the load's start: "
                  f"{rate:,.0f} persons/s; full city at this rate: {FULL_CITY / rate / 60:.1f} min "
                  f"(goal < {GOAL_SECONDS // 60} min)")
            print("  the gateway's outcomes: " + ", ".join(f"{k} {v:,}" for k, v in outcomes.items()))
            elapsed = visible
        # Where the time goes: a process near the elapsed time is the bottleneck; their sum against 2 × elapsed
        # says how much of the machine the load used.
        print("CPU seconds during the load: " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in cpu.items())
              + f" (elapsed {elapsed:.1f} s on {os.cpu_count()} cores)")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
