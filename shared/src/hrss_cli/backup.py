"""``hrss backup`` and ``hrss restore``: each service's database, copied while the stack runs and restored into
fresh databases, after which the relay and the consumers carry on without loss or duplicates.

* SQLite: the ``sqlite3`` online backup API (one step, so the copy is one consistent snapshot even while the
  service writes; WAL readers never block its writers), into ``FOLDER/<service>.db``.
* PostgreSQL (the data folder's ``stack.json`` says so): ``pg_dump -Fc`` per service database into
  ``FOLDER/<service>.dump``, in the snapshot of a repeatable-read transaction whose row counts the manifest
  records (``pg_export_snapshot``: the counts and the dump see the same rows); restored with ``pg_restore`` into
  a fresh database (refused if it already holds tables, unless ``--force``, which drops it first).
* ``FOLDER/manifest.json``: per service the database, file, size, time and the row counts of ``outbox`` (and
  its unpublished rows) and ``processed_events``, and the stream positions the database had applied.

After a restore the outbox rows that were unpublished at backup time are published by the relay when the service
starts (same event ids: consumers that already had them skip them). The consumers' committed offsets are moved
back to just after the last event each restored database applied (``processed_events`` records topic, partition
and offset), so the events it had not applied at backup time are read again; a group with no record of a
partition starts it from the beginning, and the processed-event table skips what was applied. The gateway can
also be rebuilt from the topics (``hrss gateway rebuild``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.engine import make_url

from hrss_shared import kafka_security
from hrss_shared.registry import SERVICES

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class Rows:
    outbox: int
    outbox_unpublished: int
    processed_events: int


@dataclass
class ServiceBackup:
    service: str
    kind: str  # sqlite | postgresql
    database: str  # the SQLite file or the PostgreSQL database name it was taken from
    file: str  # in the backup folder
    bytes: int
    taken_at: str
    rows: Rows
    # "topic/partition" -> the offset after the last event the database had applied
    positions: dict[str, int] = field(default_factory=dict)


@dataclass
class Manifest:
    format: int
    created_at: str
    services: list[ServiceBackup]

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        try:
            raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"no readable {MANIFEST} in {folder} 不是备份目录 ({exc})") from None
        if raw.get("format") != FORMAT:
            raise BackupError(f"{folder / MANIFEST} has format {raw.get('format')!r}; this hrss reads {FORMAT}")
        return cls(format=FORMAT, created_at=raw["created_at"], services=[
            ServiceBackup(**{**s, "rows": Rows(**s["rows"])}) for s in raw["services"]])

    def write(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _kind(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database {backend}")
    return backend


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError(f"{url} is not a SQLite file")
    return Path(database)


def _libpq(url: str, database: str | None = None) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq/asyncpg take it (``postgresql://…``), optionally another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


# ---- counting ----------------------------------------------------------------------------------------------

COUNTS = ("SELECT (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox WHERE published_at IS NULL), "
          "(SELECT count(*) FROM processed_events)")
POSITIONS = ('SELECT topic, "partition", max("offset") + 1 FROM processed_events GROUP BY topic, "partition" '
             'ORDER BY topic, "partition"')


def _sqlite_rows(conn: sqlite3.Connection) -> tuple[Rows, dict[str, int]]:
    outbox, unpublished, processed = conn.execute(COUNTS).fetchone()
    positions = {f"{t}/{p}": int(o) for t, p, o in conn.execute(POSITIONS)}
    return Rows(outbox, unpublished, processed), positions


async def _pg_rows(conn: asyncpg.Connection) -> tuple[Rows, dict[str, int]]:
    outbox, unpublished, processed = await conn.fetchrow(COUNTS)
    positions = {f"{r[0]}/{r[1]}": int(r[2]) for r in await conn.fetch(POSITIONS)}
    return Rows(outbox, unpublished, processed), positions


# ---- backup ------------------------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    """The newest server installation's ``pg_dump``/``pg_restore`` (it must not be older than the server)."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])
                   if p.parts[-3].isdigit() else 0)
    tool = str(found[-1]) if found else shutil.which(name)
    if not tool:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools (deploy/postgres/install.sh)")
    return tool


async def _run(*command: str) -> None:
    proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({proc.returncode}): {(err or out).decode()[-2000:]}")


def _backup_sqlite(service: str, url: str, folder: Path) -> ServiceBackup:
    source = _sqlite_path(url)
    if not source.exists():
        raise BackupError(f"{service}: no database at {source}")
    target = folder / f"{service}.db"
    taken_at = _now()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot
        rows, positions = _sqlite_rows(dst)
    finally:
        dst.close()
        src.close()
    return ServiceBackup(service=service, kind="sqlite", database=str(source), file=target.name,
                         bytes=target.stat().st_size, taken_at=taken_at, rows=rows, positions=positions)


async def _backup_postgres(service: str, url: str, folder: Path) -> ServiceBackup:
    target = folder / f"{service}.dump"
    dsn = _libpq(url)
    conn = await asyncpg.connect(dsn)
    try:
        transaction = conn.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        taken_at = _now()
        snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
        rows, positions = await _pg_rows(conn)
        await _run(_pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                   f"--file={target}", f"--dbname={dsn}")
        await transaction.rollback()
    finally:
        await conn.close()
    return ServiceBackup(service=service, kind="postgresql", database=str(make_url(url).database),
                         file=target.name, bytes=target.stat().st_size, taken_at=taken_at, rows=rows,
                         positions=positions)


async def backup(databases: Mapping[str, str], folder: Path) -> Manifest:
    """Back up each service's database (``databases``: service → SQLAlchemy URL) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MANIFEST).exists():
        raise BackupError(f"{folder} already holds a backup 该目录已有备份: choose an empty folder")
    taken: list[ServiceBackup] = []
    for service, url in databases.items():
        if _kind(url) == "sqlite":
            taken.append(await asyncio.to_thread(_backup_sqlite, service, url, folder))
        else:
            taken.append(await _backup_postgres(service, url, folder))
    manifest = Manifest(format=FORMAT, created_at=_now(), services=taken)
    manifest.write(folder)
    return manifest


# ---- restore -----------------------------------------------------------------------------------------------


def _restore_sqlite(item: ServiceBackup, folder: Path, url: str, force: bool) -> None:
    target = _sqlite_path(url)
    companions = [target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")]
    if target.exists() and target.stat().st_size > 0 and not force:
        raise BackupError(f"{item.service}: {target} exists 目标数据库已存在; restore into a fresh data folder, "
                          "or pass --force to replace it")
    for path in companions:
        path.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{folder / item.file}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


async def _restore_postgres(item: ServiceBackup, folder: Path, url: str, force: bool) -> None:
    name = make_url(url).database
    if not name:
        raise BackupError(f"{item.service}: {url} names no database")
    admin = await asyncpg.connect(_libpq(url, "postgres"))
    try:
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            conn = await asyncpg.connect(_libpq(url))
            try:
                tables = await conn.fetchval(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            finally:
                await conn.close()
            if tables and not force:
                raise BackupError(f"{item.service}: database {name} already holds {tables} tables 目标数据库非空; "
                                  "restore into a fresh database, or pass --force to drop and recreate it")
            if tables:
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                await admin.execute(f'CREATE DATABASE "{name}"')
        else:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    await _run(_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction",
               f"--dbname={_libpq(url)}", str(folder / item.file))


async def restore(folder: Path, databases: Mapping[str, str], *, force: bool = False) -> Manifest:
    """Restore every service of the backup in ``folder`` into ``databases`` (service → URL of the new database)."""
    manifest = Manifest.read(folder)
    missing = [item.service for item in manifest.services if item.service not in databases]
    if missing:
        raise BackupError(f"no target database for {', '.join(missing)}")
    for item in manifest.services:
        url = databases[item.service]
        if _kind(url) != item.kind:
            raise BackupError(f"{item.service}: the backup is {item.kind}, the target is {_kind(url)}")
    for item in manifest.services:
        if item.kind == "sqlite":
            await asyncio.to_thread(_restore_sqlite, item, folder, databases[item.service], force)
        else:
            await _restore_postgres(item, folder, databases[item.service], force)
    return manifest


def _owns(service: str, group: str, prefix: str) -> bool:
    """A service's consumer group is ``<prefix><service>`` or ``<prefix><service>-…`` (hrss_shared.app)."""
    name = group.removeprefix(prefix) if group.startswith(prefix) else None
    return name is not None and (name == service or name.startswith(service + "-"))


async def rewind_consumers(manifest: Manifest, *, bootstrap: str, prefix: str = "") -> dict[str, dict[str, int]]:
    """Commit, for each restored service's consumer groups, the offset after the last event its database had
    applied on each partition (the beginning where it has none): the events it had not applied at backup time are
    read again. Refused while a group has running members (stop the services first)."""
    admin = kafka_security.admin_client(bootstrap, "hrss-restore")
    await admin.start()
    moved: dict[str, dict[str, int]] = {}
    try:
        groups = [g[0] for g in await admin.list_consumer_groups()]
        for item in manifest.services:
            for group in sorted(g for g in groups if _owns(item.service, g, prefix)):
                committed = await admin.list_consumer_group_offsets(group)
                offsets = {tp: item.positions.get(f"{tp.topic}/{tp.partition}", 0) for tp in committed}
                for key, offset in item.positions.items():
                    topic, _, partition = key.rpartition("/")
                    offsets.setdefault(TopicPartition(topic, int(partition)), offset)
                if offsets:
                    await _commit(bootstrap, group, offsets)
                    moved[group] = {f"{tp.topic}/{tp.partition}": o for tp, o in sorted(offsets.items())}
    finally:
        await admin.close()
    return moved


async def _commit(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="hrss-restore", group_id=group,
                                enable_auto_commit=False, **kafka_security.options())
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        try:
            await consumer.commit(offsets)
        except Exception as exc:
            raise BackupError(f"could not move the offsets of consumer group {group} ({exc!r}): is a service of "
                              "the old stack still consuming? Stop it and run hrss restore again") from exc
    finally:
        await consumer.stop()


# ---- command line ------------------------------------------------------------------------------------------


def stack_databases(data_dir: Path, state: dict[str, Any] | None) -> dict[str, str]:
    """Each service's database as the data folder's stack uses it: PostgreSQL when its ``stack.json`` says so,
    otherwise the SQLite file ``<data dir>/<service>.db`` (the services' default)."""
    pg: dict[str, str] = ((state or {}).get("postgres") or {}).get("databases") or {}
    return {name: pg.get(name) or f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').resolve()}"
            for name in SERVICES}


def cmd_backup(args: argparse.Namespace, state: dict[str, Any] | None) -> int:
    data_dir: Path = args.data_dir.resolve()
    databases = stack_databases(data_dir, state)
    if args.service:
        databases = {name: databases[name] for name in args.service}
    try:
        manifest = asyncio.run(backup(databases, args.to.resolve()))
    except (BackupError, OSError, asyncpg.PostgresError, sqlite3.Error) as exc:
        print(f"backup failed 备份失败: {exc} (PostgreSQL: the stack must be running)", file=sys.stderr)
        return 1
    for item in manifest.services:
        print(f"  {item.service:<17} {item.kind:<10} {item.bytes:>12,} bytes  outbox {item.rows.outbox:,} "
              f"({item.rows.outbox_unpublished:,} unpublished)  processed events {item.rows.processed_events:,}")
    print(f"backed up 已备份 to {args.to.resolve()} ({MANIFEST})")
    return 0


def cmd_restore(args: argparse.Namespace, state: dict[str, Any] | None, running: bool) -> int:
    data_dir: Path = args.data_dir.resolve()
    if running:
        print(f"a stack runs from {data_dir} 正在运行: stop it (Ctrl-C in hrss up) before restoring", file=sys.stderr)
        return 1
    folder: Path = args.source.resolve()
    try:
        manifest = Manifest.read(folder)
        databases = stack_databases(data_dir, state)
        if args.postgres_url:
            databases = {name: args.postgres_url.rstrip("/") + "/" + SERVICES[name].database for name in SERVICES}
        if any(item.kind == "postgresql" for item in manifest.services) and not args.postgres_url and not (
                (state or {}).get("postgres")):
            raise BackupError("the backup is of PostgreSQL databases: pass --postgres-url of the server to restore "
                              "into (e.g. postgresql://postgres@127.0.0.1:5433/)")
        asyncio.run(restore(folder, {i.service: databases[i.service] for i in manifest.services}, force=args.force))
        bootstrap = args.bootstrap or ((state or {}).get("broker") or {}).get("bootstrap")
        if bootstrap and not args.no_rewind:
            moved = asyncio.run(rewind_consumers(manifest, bootstrap=bootstrap, prefix=args.topic_prefix))
            for group, offsets in moved.items():
                print(f"  consumer group {group}: resumes at {json.dumps(offsets)}")
        elif not args.no_rewind:
            print("no broker known (--bootstrap): consumer offsets left as they are; events applied after the "
                  "backup are not applied again 未重置消费位点", file=sys.stderr)
    except (BackupError, OSError, asyncpg.PostgresError) as exc:
        print(f"restore failed 恢复失败: {exc}", file=sys.stderr)
        return 1
    for item in manifest.services:
        print(f"  {item.service:<17} restored from {item.file} (taken {item.taken_at}; "
              f"{item.rows.outbox_unpublished:,} outbox rows to publish)")
    print("restored 已恢复: start the stack (hrss up); the relay publishes the unpublished outbox rows")
    return 0


def add_parsers(sub: Any, data_dir: Any) -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """``hrss backup`` and ``hrss restore`` (the caller sets their ``func``)."""
    b = sub.add_parser("backup", help="back up every service's database (SQLite online backup or pg_dump)")
    data_dir(b)
    b.add_argument("--to", type=Path, required=True, help="an empty folder for the backup and its manifest")
    b.add_argument("--service", action="append", choices=list(SERVICES), help="only this service (repeatable)")
    r = sub.add_parser("restore", help="restore a backup into fresh databases (the stack stopped)")
    data_dir(r)
    r.add_argument("--from", dest="source", type=Path, required=True, help="the backup folder")
    r.add_argument("--postgres-url", help="PostgreSQL server to restore into, e.g. postgresql://postgres@host:5433/ "
                                          "(default: the data folder's stack)")
    r.add_argument("--bootstrap", help="HOST:PORT of the Kafka cluster (default: the data folder's stack)")
    r.add_argument("--topic-prefix", default="", help="the stack's HRSS_TOPIC_PREFIX")
    r.add_argument("--no-rewind", action="store_true", help="leave the consumer groups' offsets as they are")
    r.add_argument("--force", action="store_true", help="replace databases that already hold data")
    return b, r
