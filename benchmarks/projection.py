"""Projection rate: events/s the gateway applies to its read model, beside a bare aiokafka consumer.

Pre-fills a topic with ``--events`` employment events (a job-seeker registration, an employment
registration and a key-group membership per person, as the services publish them), then in the same run:

1. a bare ``AIOKafkaConsumer`` (same fetch settings as the gateway's) reads every record of the topic;
2. the same consumer also parses each record as the gateway's runner does before any handler runs (the CloudEvent,
   then its data against its contract): not a baseline but the floor every projection in this process model pays,
   printed so the gap to the goal is seen split into what parsing alone costs and what applying costs;
3. the gateway, started as a uvicorn process like ``hrss up`` starts it, projects them into its read model
   (its consumer's counters are read from ``/readyz``; the rate runs from its first applied event to the last).

    python benchmarks/projection.py                            # Apache Kafka, 100,000 events, SQLite
    python benchmarks/projection.py --broker embedded --events 30000
    python benchmarks/projection.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gw

Goal (issue 6): the gateway's rate ≥ 30% of the bare consumer's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from hrss_contracts import contract_for
from hrss_shared.events import CloudEvent
from hrss_shared.registry import EMPLOYMENT

from common import Stack, broker, consumer_stats, create_topics, employers, machine, person_history, produce


async def bare_consumer(bootstrap: str, topic: str, total: int, *, parse: bool = False) -> float:
    """Events/s of a consumer that only reads and decodes nothing (the ceiling); with ``parse``, one that also
    validates each record as a CloudEvent and its data against the event type's contract."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"bare-{uuid.uuid4().hex[:6]}",
                                auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=1000,
                                fetch_max_wait_ms=100)
    await consumer.start()
    try:
        seen = 0
        first: float | None = None
        while seen < total:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            for records in batches.values():
                if records and first is None:
                    first = time.perf_counter()
                seen += len(records)
                if parse:
                    for record in records:
                        event = CloudEvent.from_json(record.value)
                        contract_for(event.type).parse(event.data)
        assert first is not None
        return seen / (time.perf_counter() - first)
    finally:
        await consumer.stop()


async def gateway_rate(url: str, total: int) -> tuple[float, dict[str, object]]:
    """Events/s of the gateway's projection, from its first applied event to its last."""
    first: tuple[float, int] | None = None
    while True:
        stats = next(iter((await consumer_stats(url)).values()), {})
        done = int(stats.get("applied", 0)) + int(stats.get("duplicates", 0))  # type: ignore[call-overload]
        now = time.perf_counter()
        if done and first is None:
            first = (now, done)
        if done >= total:
            assert first is not None
            return (done - first[1]) / (now - first[0]), stats
        await asyncio.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker", choices=["embedded", "apache"], default="apache")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", help="the gateway's database (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    people = args.events // 3
    total = people * 3
    print(f"projection: {total:,} events on {args.broker} Kafka; gateway on "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hrss-bench-") as tmp, broker(args.broker, Path(tmp)) as node:
        prefix = f"b{uuid.uuid4().hex[:6]}."
        topic = prefix + str(EMPLOYMENT.topic)
        asyncio.run(create_topics(node.bootstrap, prefix))
        codes = employers()
        started = time.perf_counter()
        events = [e for i in range(people) for e in person_history(i, codes)]
        asyncio.run(produce(node.bootstrap, topic, events))
        print(f"  pre-filled {topic} with {total:,} events in {time.perf_counter() - started:.1f} s", flush=True)

        bare = asyncio.run(bare_consumer(node.bootstrap, topic, total))
        print(f"  bare aiokafka consumer: {bare:,.0f} events/s", flush=True)
        parsing = asyncio.run(bare_consumer(node.bootstrap, topic, total, parse=True))
        print(f"  reading + parsing only: {parsing:,.0f} events/s  ({parsing / bare:.1%} of bare: the floor of "
              "parsing each event's CloudEvent and contract, before any write)", flush=True)

        stack = Stack(Path(tmp), node.bootstrap, prefix=prefix)
        extra = {"HRSS_GATEWAY_DATABASE_URL": args.database_url} if args.database_url else {}
        try:
            stack.start("gateway", **extra)
            rate, stats = asyncio.run(gateway_rate(stack.url("gateway"), total))
        finally:
            stack.stop()
        print(f"  gateway projection:     {rate:,.0f} events/s  ({stats.get('batches')} batches, "
              f"{stats.get('fallbacks')} fallbacks, {stats.get('dead_lettered')} dead-lettered)", flush=True)
        print(f"  ratio gateway / bare:   {rate / bare:.1%}  (goal ≥ 30%; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
