"""Person view at city scale: the gateway's ``GET /v1/persons/{id}`` p50/p99 at growing populations (issue 14, 5).

Method, in one run, on a real gateway process started like ``hrss up`` starts it:

1. ``--real`` persons (default 10,000; 3 events each: job-seeker registration, employment, a key group) are
   published on the broker and projected by the real gateway, as benchmarks/person_view.py does: their
   ``person_sections`` rows are the gateway's own documents.
2. For each size of ``--persons`` in turn (ascending), the gateway is stopped and the read model grown to that
   many persons by replicating those real rows under new valid ID numbers with set-based SQL, in the gateway's
   own database: a key table (new ID number → a real person's ID number, made with
   ``hrss_shared.validators.make_id_number``) is loaded, then ``INSERT INTO person_sections SELECT new key, section,
   replace(doc, old ID number, new ID number) FROM keys JOIN person_sections`` in key order, 250,000 persons a
   transaction (SQLite: WAL checkpointed after each; PostgreSQL: ``ANALYZE`` at the end, as autovacuum would).
   The real person's alerts and finished view (``person_views``) are copied the same way (``INSERT INTO alerts
   SELECT …``), so a copied person's view has the same sections, sizes, shapes and alerts as a real one, and is read
   the same way; the other read-model tables (cards, employers,
   indicators) keep what the real persons made.
3. The gateway is started again (same settings), warmed up for 2 s, then wrk (Debian's, one thread,
   ``--connections``, on core 1; the gateway on core 0) requests persons drawn at random from the whole
   population (a uniform sample of up to 200,000 ID numbers, shuffled, read by benchmarks/wrk_report.lua) for
   ``--duration`` seconds, as a client without ``pii:read`` (the masked answer).

The baseline is measured beside each size, since this shared machine's load changes over minutes: a second
gateway (same settings, topics of its own) on a copy of the ``--real``-person read model taken before any
replication, started afresh with the measured one for each size, its runs alternating with the size's
(``--rounds`` pairs). Each size's p99 is printed as a ratio of the reference's p99 of the same rounds, with the
CPU time each gateway spent per request (the cost that the machine's noise barely moves). The first size equals
the reference: its ratio shows the noise.

    python benchmarks/person_view_scale.py                      # 10,000 and 100,000 persons, SQLite
    python benchmarks/person_view_scale.py --persons 10000,100000,1000000,2680000
        # the whole city: about 18 GB of disk (checked before each size), about 15 minutes
    python benchmarks/person_view_scale.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/gw

``--database-url`` is the gateway's database (it must be empty: the run fills it). The data folder is temporary
(``--data-dir`` keeps it elsewhere, e.g. on a larger disk).

Goal (issue 14): the p99 at 2,680,000 persons within 1.5× of the p99 at 10,000.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from hrss_shared.auth import issue_token
from hrss_shared.registry import EMPLOYMENT

from common import (
    LOAD_CPU,
    SERVER_CPU,
    Stack,
    broker,
    cpu_seconds,
    create_topics,
    employers,
    id_number_of,
    load,
    machine,
    person_history,
    pin,
    produce,
    result_line,
    run_wrk,
    wait_applied,
    wait_views_rendered,
)

CHUNK = 250_000  # persons replicated per transaction
SAMPLE = 200_000  # ID numbers in wrk's request file at most
# The disk check's estimate of a section row's bytes beside its document (key, section name, B-tree overhead, page
# slack): a margin for the check, not a figure of the benchmark.
BYTES_PER_SECTION_ROW = 170


def key_rows(start: int, stop: int, real: int) -> list[tuple[str, str]]:
    """(new ID number, the real person's ID number it copies) for persons ``start`` … ``stop - 1``."""
    return [(id_number_of(i), id_number_of(i % real)) for i in range(start, stop)]


INSERT = ("INSERT INTO person_sections (id_number, section, doc) "
          "SELECT k.new_id, s.section, replace(s.doc, s.id_number, k.new_id) "
          "FROM bench_keys k JOIN person_sections s ON s.id_number = k.src_id ORDER BY k.new_id, s.section")
# The alerts about a person come with the view: a copied person gets copies of the real one's (a new id: the first 14
# characters of the original's and the new ID number).
_ALERT_COPIED = ("evidence_key", "credit_code", "county_code", "detected_at", "detected_date", "retracted",
                 "retracted_at")
INSERT_ALERTS = (
    "INSERT INTO alerts (id, rule, subject, id_number, summary, detail, evidence, " + ", ".join(_ALERT_COPIED) + ") "
    "SELECT substr(a.id, 1, 14) || k.new_id, a.rule, "
    "CASE WHEN a.subject = a.id_number THEN k.new_id ELSE a.subject END, k.new_id, "
    "replace(a.summary, a.id_number, k.new_id), replace(a.detail, a.id_number, k.new_id), a.evidence, "
    + ", ".join(f"a.{c}" for c in _ALERT_COPIED) + " FROM bench_keys k JOIN alerts a ON a.id_number = k.src_id")

# The finished views (gateway.persons.rendered) come with them: the real person's, under the new ID number (in full,
# and masked as the mask shows it), so a copied person is read the way a real one is.
_MASKED_ID = "substr({0}, 1, 4) || '**********' || substr({0}, 15)"
INSERT_VIEWS = (
    "INSERT INTO person_views (id_number, county_code, policy_from, masked, unmasked, shown) "
    "SELECT k.new_id, v.county_code, v.policy_from, "
    f"replace(v.masked, {_MASKED_ID.format('v.id_number')}, {_MASKED_ID.format('k.new_id')}), "
    "replace(v.unmasked, v.id_number, k.new_id), replace(v.shown, v.id_number, k.new_id) "
    "FROM bench_keys k JOIN person_views v ON v.id_number = k.src_id ORDER BY k.new_id")


def replicate_sqlite(path: Path, start: int, stop: int, real: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TEMP TABLE bench_keys (new_id TEXT PRIMARY KEY, src_id TEXT NOT NULL)")
        for low in range(start, stop, CHUNK):
            high = min(stop, low + CHUNK)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM bench_keys")
            conn.executemany("INSERT INTO bench_keys VALUES (?, ?)", key_rows(low, high, real))
            conn.execute(INSERT)
            conn.execute(INSERT_ALERTS)
            conn.execute(INSERT_VIEWS)
            conn.execute("COMMIT")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            print(f"    … {high:,} persons", flush=True)
    finally:
        conn.close()


async def replicate_postgres(url: str, start: int, stop: int, real: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        await conn.execute("CREATE TEMP TABLE bench_keys (new_id TEXT PRIMARY KEY, src_id TEXT NOT NULL)")
        for low in range(start, stop, CHUNK):
            high = min(stop, low + CHUNK)
            async with conn.transaction():
                await conn.execute("TRUNCATE bench_keys")
                await conn.copy_records_to_table("bench_keys", records=key_rows(low, high, real))
                await conn.execute(INSERT)
                await conn.execute(INSERT_ALERTS)
                await conn.execute(INSERT_VIEWS)
            print(f"    … {high:,} persons", flush=True)
        await conn.execute("ANALYZE person_sections")
        await conn.execute("ANALYZE alerts")
        await conn.execute("ANALYZE person_views")
    finally:
        await conn.close()


def btree_sqlite(path: Path) -> str:
    """The shape of person_sections' B-tree (SQLite's dbstat): levels, interior pages and what they hold."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        levels, interior, interior_bytes, cells = conn.execute(
            "SELECT max(length(path) - length(replace(path, '/', ''))), count(*) FILTER (WHERE pagetype = 'internal'), "
            "sum(payload) FILTER (WHERE pagetype = 'internal'), sum(ncell) FILTER (WHERE pagetype = 'internal') "
            "FROM dbstat WHERE name = 'person_sections'").fetchone()
    except sqlite3.Error as error:
        return f"B-tree shape unknown ({error})"
    finally:
        conn.close()
    fanout = (cells or 0) / max(interior or 1, 1)
    return (f"B-tree of {levels} levels, {interior:,} interior pages holding {(interior_bytes or 0) / 2**20:,.0f} MiB "
            f"of row copies (fan-out {fanout:.1f})")


VIEW_BYTES = "SELECT sum(length(masked) + length(unmasked) + length(shown)) FROM person_views"


def table_stats_sqlite(path: Path) -> tuple[int, int, int]:
    """(section rows, bytes of documents and finished views) of the person view, and the number of alerts about
    persons."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows, size = conn.execute("SELECT count(*), sum(length(doc)) FROM person_sections").fetchone()
        size = (size or 0) + (conn.execute(VIEW_BYTES).fetchone()[0] or 0)
        alerts = conn.execute("SELECT count(*) FROM alerts WHERE id_number IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    return int(rows), int(size or 0), int(alerts)


async def table_stats_postgres(url: str) -> tuple[int, int, int]:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        row = await conn.fetchrow("SELECT count(*), sum(octet_length(doc)) FROM person_sections")
        views = await conn.fetchval(VIEW_BYTES.replace("length(", "octet_length("))
        alerts = await conn.fetchval("SELECT count(*) FROM alerts WHERE id_number IS NOT NULL")
    finally:
        await conn.close()
    return int(row[0]), int(row[1] or 0) + int(views or 0), int(alerts)


def copy_database(stack_data: Path, ref_data: Path, url: str | None) -> str | None:
    """A copy of the gateway's database (the gateway stopped) for the reference gateway; its URL (None: SQLite in
    ``ref_data``, the gateway's default file there)."""
    if url is None:
        ref_data.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(stack_data / "gateway.db")
        target = sqlite3.connect(ref_data / "gateway.db")
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return None
    server, _, name = url.rpartition("/")
    ref = f"{name}_ref"

    async def create() -> None:
        import asyncpg

        conn = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://", 1) + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{ref}"')
            await conn.execute(f'CREATE DATABASE "{ref}" TEMPLATE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return f"{server}/{ref}"


def drop_copy(url: str | None) -> None:
    if url is None:
        return
    server, _, name = url.rpartition("/")

    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(server.replace("postgresql+asyncpg://", "postgresql://", 1) + "/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


def stats(url: str | None, db_path: Path) -> tuple[int, int, int]:
    return asyncio.run(table_stats_postgres(url)) if url else table_stats_sqlite(db_path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", default="10000,100000", help="population sizes, comma-separated")
    parser.add_argument("--real", type=int, default=10_000, help="persons projected from real events")
    parser.add_argument("--broker", choices=["embedded", "apache"], default="embedded")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="reference/size pairs of wrk runs per size")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", help="the gateway's database (default: SQLite in the data folder)")
    parser.add_argument("--data-dir", type=Path, help="where the run's files go (default: a temporary folder)")
    args = parser.parse_args()
    sizes = sorted({int(x.replace("_", "")) for x in args.persons.split(",")})
    real = min(args.real, sizes[0])
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")
    print(f"person view at scale: {', '.join(f'{n:,}' for n in sizes)} persons ({real:,} projected from real events, "
          f"the rest replicated from them by set-based SQL); {args.connections} connections, {args.duration} s a run, "
          f"{args.rounds} rounds; gateway on {'PostgreSQL' if args.database_url else 'SQLite'}; {machine()}",
          flush=True)
    print(f"  before: {load()}", flush=True)
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hrss-bench-", dir=args.data_dir) as tmp, \
            broker(args.broker, Path(tmp)) as node:
        data = Path(tmp)
        node.pin_to(LOAD_CPU)
        db_path = data / "gateway.db"
        prefix = f"b{uuid.uuid4().hex[:6]}."
        asyncio.run(create_topics(node.bootstrap, prefix))
        codes = employers()
        began = time.perf_counter()
        asyncio.run(produce(node.bootstrap, prefix + str(EMPLOYMENT.topic),
                            [e for i in range(real) for e in person_history(i, codes)]))
        stack = Stack(data, node.bootstrap, prefix=prefix)
        # The reference: a second gateway, same settings, on a copy of the real persons' read model (its own
        # topics, which stay empty), measured beside each size so that both see the same machine.
        reference = Stack(data / "ref", node.bootstrap, prefix=prefix + "ref.", token=stack.token,
                          secret=stack.secret)
        extra = {"HRSS_GATEWAY_DATABASE_URL": args.database_url} if args.database_url else {}
        rng = random.Random(14)
        ref_url: str | None = None
        rows_of: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        try:
            stack.start("gateway", **extra)
            asyncio.run(wait_applied(stack.url("gateway"), real * 3))
            asyncio.run(wait_views_rendered(args.database_url or f"sqlite:///{db_path}"))
            print(f"  projected {real:,} persons ({real * 3:,} events) through the gateway in "
                  f"{time.perf_counter() - began:.0f} s", flush=True)
            stack.stop()
            ref_url = copy_database(data, data / "ref", args.database_url)
            ref_extra = {"HRSS_GATEWAY_DATABASE_URL": ref_url} if ref_url else {}
            stack.start("gateway", **extra)
            token = issue_token(secret=stack.secret, client_id="bench-scale", name="基准测试 scale",
                                scopes=["gateway:read"], ttl=timedelta(hours=4))
            ref_paths = data / "ref-paths.txt"
            ref_paths.write_text("".join(f"/v1/persons/{id_number_of(i)}\n" for i in rng.sample(range(real), real)))
            have = real
            for size in sizes:
                if size > have:
                    stack.stop()
                    began = time.perf_counter()
                    rows, doc_bytes, _ = stats(args.database_url, db_path)
                    need = (size - have) * (doc_bytes + rows * BYTES_PER_SECTION_ROW) / have
                    free = shutil.disk_usage(data).free
                    if not args.database_url and need * 1.2 > free:
                        sys.exit(f"  {size:,} persons need about {need / 2**30:.1f} GiB more; "
                                 f"{free / 2**30:.1f} GiB free in {data}")
                    print(f"  replicating persons {have:,} … {size - 1:,} (about {need / 2**30:.2f} GiB)", flush=True)
                    if args.database_url:
                        asyncio.run(replicate_postgres(args.database_url, have, size, real))
                    else:
                        replicate_sqlite(db_path, have, size, real)
                    print(f"  replicated in {time.perf_counter() - began:.0f} s", flush=True)
                    have = size
                    stack.start("gateway", **extra)
                # Both gateways are fresh processes for each size (neither has served longer than the other),
                # pinned to the server core.
                reference.stop()
                reference.start("gateway", **ref_extra)
                pin(reference.processes["gateway"].proc.pid, SERVER_CPU)  # type: ignore[union-attr]
                pin(stack.processes["gateway"].proc.pid, SERVER_CPU)  # type: ignore[union-attr]
                rows, doc_bytes, alerts = stats(args.database_url, db_path)
                file_size = "" if args.database_url else f", database file {db_path.stat().st_size / 2**20:,.0f} MiB"
                shape = "" if args.database_url else f"; {btree_sqlite(db_path)}"
                print(f"  {size:,} persons: {rows:,} section rows, "
                      f"{doc_bytes / 2**20:,.0f} MiB of documents and finished views, {alerts:,} alerts"
                      f"{file_size}{shape}", flush=True)
                paths = data / "paths.txt"
                paths.write_text("".join(f"/v1/persons/{id_number_of(i)}\n"
                                         for i in rng.sample(range(size), min(size, SAMPLE))))
                targets = {"ref": (reference.url("gateway"), ref_paths), "size": (stack.url("gateway"), paths)}
                pids = {"ref": reference.processes["gateway"].pid, "size": stack.processes["gateway"].pid}
                for url, file in targets.values():
                    first = file.read_text().split("\n", 1)[0]
                    httpx.get(url + first, headers={"Authorization": f"Bearer {token}"}, timeout=10).raise_for_status()
                idle = {name: cpu_seconds(pid) for name, pid in pids.items() if pid is not None}
                time.sleep(3)
                idle = {name: (cpu_seconds(pids[name] or 0) - used) / 3 for name, used in idle.items()}
                print(f"  idle CPU before the runs: reference {idle['ref']:.1%}, {size:,} persons {idle['size']:.1%}",
                      flush=True)
                rows_of[size] = []
                for round_ in range(args.rounds):
                    got: dict[str, dict[str, Any]] = {}
                    for name in (("ref", "size") if round_ % 2 == 0 else ("size", "ref")):
                        url, file = targets[name]
                        env = {"HRSS_BENCH_PATHS": str(file), "HRSS_BENCH_TOKEN": token, "HRSS_BENCH_PURPOSE": ""}
                        run_wrk(url, "wrk_report.lua", env, duration=2, connections=args.connections)  # warm-up
                        pid = pids[name]
                        assert pid is not None
                        used = cpu_seconds(pid)
                        got[name] = run_wrk(url, "wrk_report.lua", env, duration=args.duration,
                                            connections=args.connections)
                        got[name]["cpu_ms"] = (cpu_seconds(pid) - used) * 1000 / max(got[name]["requests"], 1)
                        if got[name]["non_2xx"]:
                            print(f"  WARNING: {got[name]['non_2xx']} non-2xx answers")
                    rows_of[size].append((got["ref"], got["size"]))
                    print(result_line(f"{real:,}", got["ref"], width=10)
                          + f"   CPU {got['ref']['cpu_ms']:.2f} ms a request   (reference)", flush=True)
                    print(result_line(f"{size:,}", got["size"], width=10)
                          + f"   CPU {got['size']['cpu_ms']:.2f} ms a request   p99 "
                          f"{got['size']['p99_ms'] / got['ref']['p99_ms']:.2f}× the reference's   ({load()})",
                          flush=True)
        finally:
            stack.stop()
            reference.stop()
            drop_copy(ref_url)
    print(f"  p99 of each size against the {real:,}-person reference measured beside it (goal: 2,680,000 within "
          f"1.5×), mean of {args.rounds} rounds:")
    for size, pairs in rows_of.items():
        def mean(key: str, which: int, pairs: list[tuple[dict[str, Any], dict[str, Any]]] = pairs) -> float:
            return sum(p[which][key] for p in pairs) / len(pairs)

        ratio = sum(p[1]["p99_ms"] / p[0]["p99_ms"] for p in pairs) / len(pairs)
        p50 = sum(p[1]["p50_ms"] / p[0]["p50_ms"] for p in pairs) / len(pairs)
        rps = sum(p[1]["rps"] / p[0]["rps"] for p in pairs) / len(pairs)
        cpu = sum(p[1]["cpu_ms"] / p[0]["cpu_ms"] for p in pairs) / len(pairs)
        print(f"    {size:>10,}  p99 {mean('p99_ms', 1):7.2f} ms ({ratio:4.2f}×)   p50 {mean('p50_ms', 1):6.2f} ms "
              f"({p50:4.2f}×)   {mean('rps', 1):6,.0f} req/s ({rps:5.1%})   "
              f"CPU {mean('cpu_ms', 1):.2f} ms a request ({cpu:4.2f}×)   reference p99 {mean('p99_ms', 0):6.2f} ms")
    print(f"  after: {load()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
