"""``python -m gateway rebuild``: rebuild every read-model table from the domain topics.

The domain topics keep every event (``retention.ms=-1``, set when they are created), so the read models are a
function of the topics: a rebuild empties the tables of :data:`gateway.projection.TABLES` and the processed-event
ids, replays every partition from its first offset to the end it had when the rebuild started, through the same
handlers and batch hooks the running gateway uses, and then commits those end offsets for the gateway's consumer
group, so a gateway started afterwards goes on from there. The gateway's own tables (API clients, the audit log,
staff actions) are not touched.

It refuses to start when the result could differ from the topics' state:
- a topic whose retention is not unlimited, or whose first offset is not 0 (events already deleted);
- a broker that cannot say how long it keeps events (the memory-only embedded broker of ``hrss up``);
- a running gateway (members in the consumer group): stop it first.
``--force`` rebuilds anyway from what the topics still hold (for a cluster whose retention a user cannot change).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import MetaData, delete
from tqdm import tqdm

from gateway import projection
from gateway.config import GatewaySettings
from gateway.db import infra
from gateway.main import MIGRATIONS
from gateway.persons import rendered
from hrss_shared import db, kafka_security, migrations
from hrss_shared.consumer import ConsumerRunner
from hrss_shared.embedded_broker import CLUSTER_ID as EMBEDDED_CLUSTER_ID
from hrss_shared.events import CloudEvent
from hrss_shared.kafka import topic_retention
from hrss_shared.logs import get_logger

log = get_logger(__name__)
FETCH_RECORDS = 5000


class RebuildRefused(Exception):
    """A reason the rebuild would not give the state the topics hold (the message says what to do)."""


@dataclass
class RebuildReport:
    events: int = 0
    expected: int = 0  # offsets between the first and the end of every partition (events, unless some were deleted)
    applied: int = 0
    duplicates: int = 0
    ignored: int = 0
    skipped: list[str] = field(default_factory=list)  # events a handler rejects (the live run dead-lettered them)
    views: int = 0  # finished person views rendered after the replay
    seconds: float = 0.0
    offsets: dict[str, int] = field(default_factory=dict)  # "topic/partition" → the offset committed for the group


class _Replayer(ConsumerRunner):
    """The running gateway's consumer, replaying: an event a handler rejects is reported, not dead-lettered again
    (the live run put it in the DLQ when it first arrived)."""

    skipped: list[str]

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], reason: str,
                           event: CloudEvent | None = None) -> None:
        self.skipped.append(f"{record.topic}/{record.partition}@{record.offset}: {reason}")
        log.warning("rebuild_skipped_event", topic=record.topic, offset=record.offset, reason=reason[:300])


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    admin = kafka_security.admin_client(bootstrap, "gateway-rebuild")
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    found = [TopicPartition(t["topic"], p["partition"]) for t in described if not t["error_code"]
             for p in t["partitions"]]
    missing = sorted(set(topics) - {tp.topic for tp in found})
    if missing:
        raise RebuildRefused(f"topics not found on the broker: {', '.join(missing)}")
    return sorted(found)


async def _group_members(bootstrap: str, group: str) -> int:
    admin = kafka_security.admin_client(bootstrap, "gateway-rebuild")
    await admin.start()
    try:
        responses = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    # Raw DescribeGroups answers: (error_code, group_id, state, protocol_type, protocol, members, ...).
    return sum(len(g[5]) for response in responses for g in response.groups if g[1] == group)


async def _cluster_id(bootstrap: str) -> str | None:
    admin = kafka_security.admin_client(bootstrap, "gateway-rebuild")
    await admin.start()
    try:
        cluster: dict[str, Any] = await admin.describe_cluster()
    finally:
        await admin.close()
    found: str | None = cluster.get("cluster_id")
    return found


async def check(settings: GatewaySettings, topics: list[str], group: str, *, force: bool) -> None:
    """Refuse (:class:`RebuildRefused`) when the rebuild could not reproduce the topics' state."""
    bootstrap = settings.bootstrap_servers
    retention = await topic_retention(bootstrap, topics)
    if await _cluster_id(bootstrap) == EMBEDDED_CLUSTER_ID or all(value is None for value in retention.values()):
        raise RebuildRefused(
            "the broker does not say how long it keeps events (the embedded development broker keeps them in memory "
            "only and loses them when it stops): a rebuild needs a durable Apache Kafka broker whose domain topics "
            "keep every event (hrss up --broker apache, or your cluster)")
    limited = {t: v for t, v in retention.items() if v != "-1"}
    if limited and not force:
        raise RebuildRefused(
            "these topics do not keep every event, so a rebuild could miss some: "
            + ", ".join(f"{t} (retention.ms={v})" for t, v in sorted(limited.items()))
            + ". Set them with kafka-configs.sh --alter --entity-type topics --entity-name <topic> "
            "--add-config retention.ms=-1,retention.bytes=-1, or pass --force to rebuild from what they hold")
    members = await _group_members(bootstrap, group)
    if members:
        raise RebuildRefused(f"the consumer group {group} has {members} running member(s): stop the gateway "
                             "instances first (a running gateway would write the tables while they are rebuilt)")


async def rebuild(settings: GatewaySettings, *, force: bool = False, progress: bool = True) -> RebuildReport:
    """Empty the read-model tables and replay every domain topic into them; see the module's description."""
    spec = projection.CONSUMER
    topics = [settings.topic(t) for t in spec.topics]
    group = f"{settings.topic_prefix}{spec.group}"
    await check(settings, topics, group, force=force)
    started = time.perf_counter()
    report = RebuildReport()
    engine = db.make_engine(settings.resolved_database_url)
    try:
        await migrations.upgrade(engine, MIGRATIONS)
        maker = db.make_sessionmaker(engine)
        metadata = MetaData()
        async with engine.connect() as conn:
            await conn.run_sync(lambda c: metadata.reflect(c, only=projection.TABLES))
        tables = [metadata.tables[name] for name in projection.TABLES]
        async with maker() as session, session.begin():
            for table in [*tables, infra.processed_events]:
                await session.execute(delete(table))
        runner = _Replayer(group_id=group, topics=topics, handlers=dict(spec.handlers), maker=maker,
                           processed=infra.processed_events, bootstrap=settings.bootstrap_servers,
                           hooks=list(spec.hooks), max_retries=1)
        runner.skipped = report.skipped
        ends = await _replay(settings.bootstrap_servers, topics, runner, report, force=force, progress=progress)
        # The replay's batches queued the persons' finished views (gateway.readmodel.views): each rendered once, now.
        report.views, _ = await rendered.render_pending(maker, quiet=0)
        await _commit(settings.bootstrap_servers, group, ends)
        report.offsets = {f"{tp.topic}/{tp.partition}": offset for tp, offset in sorted(ends.items())}
        report.applied, report.duplicates = runner.stats.applied, runner.stats.duplicates
        report.ignored = runner.stats.ignored
    finally:
        await engine.dispose()
    report.seconds = round(time.perf_counter() - started, 1)
    return report


async def _replay(bootstrap: str, topics: list[str], runner: _Replayer, report: RebuildReport, *, force: bool,
                  progress: bool) -> dict[TopicPartition, int]:
    partitions = await _partitions(bootstrap, topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="gateway-rebuild", group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                max_poll_records=FETCH_RECORDS, fetch_max_wait_ms=100, **kafka_security.options())
    await consumer.start()
    try:
        consumer.assign(partitions)
        firsts = await consumer.beginning_offsets(partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        gone = {tp: offset for tp, offset in firsts.items() if offset > 0}
        if gone and not force:
            raise RebuildRefused(
                "events were already deleted from " + ", ".join(f"{tp.topic}/{tp.partition} (first offset {o})"
                                                               for tp, o in sorted(gone.items()))
                + ": a rebuild would miss them (pass --force to rebuild from what the topics hold)")
        for tp in partitions:  # explicit positions: no offset-reset request can race the first fetches
            consumer.seek(tp, firsts[tp])
        todo = {tp for tp in partitions if ends[tp] > firsts[tp]}
        total = sum(ends[tp] - firsts[tp] for tp in partitions)
        with tqdm(total=total, unit="event", desc="rebuild", disable=not progress, file=sys.stderr) as bar:
            while todo:
                polled = await consumer.getmany(*todo, timeout_ms=1000, max_records=FETCH_RECORDS)
                records = []
                for tp, batch in polled.items():
                    records += [r for r in batch if r.offset < ends[tp]]
                    if batch and batch[-1].offset + 1 >= ends[tp]:
                        todo.discard(tp)
                        consumer.pause(tp)
                if not polled:  # nothing came: a partition whose remaining records were deleted meanwhile
                    for tp in list(todo):
                        if await consumer.position(tp) >= ends[tp]:
                            todo.discard(tp)
                if records:
                    await runner.handle_batch(records)
                    report.events += len(records)
                    bar.update(len(records))
    finally:
        await consumer.stop()
    report.expected = sum(ends[tp] - firsts[tp] for tp in partitions)
    return ends


async def _commit(bootstrap: str, group: str, ends: dict[TopicPartition, int]) -> None:
    """Commit the replayed end offsets for the gateway's group: a gateway started now goes on from there."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="gateway-rebuild", group_id=group,
                                enable_auto_commit=False, **kafka_security.options())
    await consumer.start()
    try:
        consumer.assign(list(ends))
        await consumer.commit(dict(ends))
    finally:
        await consumer.stop()


def run(args: argparse.Namespace) -> int:
    try:
        report = asyncio.run(rebuild(GatewaySettings(), force=args.force, progress=not args.no_progress))
    except RebuildRefused as exc:
        print(f"rebuild refused 拒绝重建: {exc}", file=sys.stderr)
        return 2
    print(f"rebuilt 重建完成: {report.events} events read of {report.expected} offsets, {report.applied} applied, "
          f"{report.ignored} not for the read models, {len(report.skipped)} rejected by a handler, "
          f"{report.views} person views rendered, in "
          f"{report.seconds} s")
    for line in report.skipped[:20]:
        print(f"  rejected: {line}")
    return 0
