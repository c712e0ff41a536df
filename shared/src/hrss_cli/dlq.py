"""``hrss dlq list|replay``: the events consumers dead-lettered, with their reasons, and re-driving them.

A consumer dead-letters an event it can never apply (or one a bug kept failing) to ``<topic>.dlq``, with the
original bytes and key, and headers naming the reason, the consumer group and where the event came from
(:mod:`hrss_shared.consumer`). Once the cause is fixed, ``replay`` publishes each such event again on its
original topic. Consumers record every event they apply by (source, id), so a group that had applied it
already skips it, and replaying the same record twice changes nothing: replay is idempotent.

Which records were replayed is kept as the committed offset of the consumer group ``hrss-dlq-replay`` on
the DLQ topic; ``list`` marks them, ``replay`` starts after them (``--again`` starts from the beginning).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from hrss_shared import kafka_security
from hrss_shared.registry import DLQ_SUFFIX, TOPICS

REPLAY_GROUP = "hrss-dlq-replay"
REPLAYED_HEADER = "hrss-replayed-from"


@dataclass
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    replayed: bool

    @property
    def original_topic(self) -> str:
        return self.headers.get("hrss-original-topic", self.dlq_topic.removesuffix(DLQ_SUFFIX))

    def summary(self) -> dict[str, Any]:
        event: dict[str, Any] = {}
        try:
            parsed = json.loads(self.value)
            if isinstance(parsed, dict):
                event = {k: parsed.get(k) for k in ("id", "type", "source", "time")}
        except ValueError:
            event = {"unparsable": self.value[:80].decode("utf-8", "replace")}
        return {
            "dlq": f"{self.dlq_topic}/{self.partition}@{self.offset}",
            "original": f"{self.original_topic}/{self.headers.get('hrss-original-partition')}"
                        f"@{self.headers.get('hrss-original-offset')}",
            "group": self.headers.get("hrss-consumer-group"),
            "reason": self.headers.get("hrss-dlq-reason"),
            "event": event,
            "replayed": self.replayed,
        }


async def read(bootstrap: str, dlq_topics: list[str]) -> list[DeadLetter]:
    """Every record on the DLQ topics, marked replayed up to the replay group's committed offsets."""
    admin = kafka_security.admin_client(bootstrap, "hrss-dlq")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([t for t in dlq_topics if t in existing]) if existing else []
    finally:
        await admin.close()
    partitions = [TopicPartition(d["topic"], p["partition"]) for d in described if not d.get("error_code")
                  for p in sorted(d["partitions"], key=lambda p: p["partition"])]
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=REPLAY_GROUP, enable_auto_commit=False,
                                auto_offset_reset="earliest", client_id="hrss-dlq", **kafka_security.options())
    await consumer.start()
    letters: list[DeadLetter] = []
    try:
        consumer.assign(partitions)
        begins = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            # An explicit seek: the position that assign() starts to fetch for the group (none committed: the
            # reset policy) can land after a seek_to_beginning() and skip every record.
            consumer.seek(tp, begins[tp])
            position = begins[tp]
            deadline = asyncio.get_running_loop().time() + 30
            while position < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                records = batch.get(tp, [])
                if not records:
                    if asyncio.get_running_loop().time() > deadline:
                        raise TimeoutError(f"{tp.topic}/{tp.partition}: no records before offset {ends[tp]}")
                    continue
                for record in records:
                    if record.offset >= ends[tp]:
                        break
                    letters.append(DeadLetter(
                        dlq_topic=tp.topic, partition=tp.partition, offset=record.offset,
                        timestamp_ms=record.timestamp, key=record.key, value=record.value,
                        headers={k: v.decode("utf-8", "replace") for k, v in record.headers},
                        replayed=committed is not None and record.offset < committed,
                    ))
                position = records[-1].offset + 1
    finally:
        await consumer.stop()
    return letters


async def replay(bootstrap: str, letters: list[DeadLetter], *, again: bool, group: str | None) -> int:
    """Publish the chosen dead letters on their original topics; remember how far each DLQ partition went."""
    chosen = [d for d in letters if (again or not d.replayed) and (group is None or d.headers.get(
        "hrss-consumer-group") == group)]
    if not chosen:
        return 0
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                client_id="hrss-dlq-replay", **kafka_security.options())
    await producer.start()
    try:
        for letter in chosen:
            await producer.send_and_wait(
                letter.original_topic, value=letter.value, key=letter.key,
                headers=[(REPLAYED_HEADER, f"{letter.dlq_topic}/{letter.partition}@{letter.offset}".encode())],
            )
    finally:
        await producer.stop()
    # Everything read is now behind the mark (a group filter only narrows what is sent this time).
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=REPLAY_GROUP, enable_auto_commit=False,
                                client_id="hrss-dlq", **kafka_security.options())
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = {}
        for letter in letters:
            tp = TopicPartition(letter.dlq_topic, letter.partition)
            ends[tp] = max(ends.get(tp, 0), letter.offset + 1)
        consumer.assign(list(ends))
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in ends.items()})
    finally:
        await consumer.stop()
    return len(chosen)


def dlq_topics(prefix: str, topics: list[str] | None) -> list[str]:
    return [prefix + topic + DLQ_SUFFIX for topic in (topics or TOPICS)]


def run(args: argparse.Namespace, bootstrap: str) -> int:
    topics = dlq_topics(args.prefix, args.topic)
    letters = asyncio.run(read(bootstrap, topics))
    if args.dlq_cmd == "list":
        rows = [d.summary() for d in letters if args.all or not d.replayed]
        if args.json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            for row in rows:
                mark = " (replayed)" if row["replayed"] else ""
                print(f"{row['dlq']}{mark}  from {row['original']}  group {row['group']}\n"
                      f"    event {row['event']}\n    reason {row['reason']}")
            print(f"{len(rows)} dead-lettered event(s){'' if args.all else ' not yet replayed'}")
        return 0
    sent = asyncio.run(replay(bootstrap, letters, again=args.again, group=args.group))
    print(f"replayed {sent} event(s) onto their original topics")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: Any) -> argparse.ArgumentParser:
    dlq = sub.add_parser("dlq", help="dead-lettered events: list them with their reasons, replay them after a fix")
    dsub = dlq.add_subparsers(dest="dlq_cmd", required=True)
    listing = dsub.add_parser("list", help="the dead-lettered events not yet replayed (--all: every one)")
    listing.add_argument("--all", action="store_true", help="include those already replayed")
    listing.add_argument("--json", action="store_true")
    again = dsub.add_parser("replay", help="publish them again on their original topics (idempotent)")
    again.add_argument("--again", action="store_true", help="also those replayed before")
    again.add_argument("--group", help="only those dead-lettered by this consumer group")
    for p in (listing, again):
        common(p)
        p.add_argument("--topic", action="append", choices=TOPICS, help="only this topic's DLQ (repeatable)")
        p.add_argument("--bootstrap", help="the broker (default: the running stack's, from the data folder)")
        p.add_argument("--prefix", default="", help="topic prefix (HRSS_TOPIC_PREFIX) of the stack")
    return dlq
