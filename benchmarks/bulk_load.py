"""Benchmark 4 — bulk load: rows/s of ``POST /v1/bulk/contributions`` (缴费, social insurance) against raw COPY.

The social-insurance service runs in-process (no broker: the outbox fills up unpublished) on a fresh database. Not
timed: ``--persons`` employees are enrolled (``POST /v1/bulk/enrolments``, 企业职工养老 with 200 employers). Then, on
the same ``contributions`` table (its indexes and the partial unique index included):

1. baseline — the contribution rows the bulk path will write (the same 18 columns and values, computed beforehand)
   are written raw: PostgreSQL ``COPY`` through asyncpg ``copy_records_to_table`` in one transaction; SQLite one
   ``executemany`` of a prepared INSERT in one transaction. Then the table is emptied again.
2. the bulk path — the 12 months of 2025 for every person, employer by employer and month by month (as employers
   declare them), ``--batch`` rows per request (the bodies encoded beforehand), through the HTTP app (JSON
   parsing, row validation, staging, the covering-enrolment and already-posted checks in SQL, base clamping and
   amounts, COPY of the rows, one ``contributions.posted`` event per employer and month into the outbox).

Prints the machine, both rates and the ratio (goal: the bulk path ≥ 30 % of raw COPY).

    python benchmarks/bulk_load.py                      # PostgreSQL (started here from deploy/postgres) and SQLite
    python benchmarks/bulk_load.py --persons 2000 --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench
    python benchmarks/bulk_load.py --sqlite-only
    python benchmarks/bulk_load.py --stages             # also the time of each statement and COPY of the bulk path
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event, text

from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code, make_id_number
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app

from common import machine, postgres_cluster  # benchmarks/common.py (the script's folder is on sys.path)

DEV_TOKEN = "benchmark-dev-token"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
FLOOR, CEILING = Decimal("4812.00"), Decimal("26802.00")  # policy/contribution_base.toml, 2025
SOURCE = "benchmark"
COLUMNS = ("id", "id_number", "county_code", "insurance_type", "credit_code", "enrolment_id", "month", "kind",
           "declared_base", "base", "base_adjustment", "employer_amount", "personal_amount", "paid_date", "status",
           "policy_source", "illustrative", "created_at")


def people(persons: int) -> list[tuple[str, str, str, Decimal]]:
    """(id number, county, employer credit code, declared wage) of each person."""
    counties = list(QUZHOU_COUNTIES)
    employers = [make_credit_code(counties[i % len(counties)], 770000 + i) for i in range(200)]
    out = []
    for i in range(persons):
        county = counties[i % len(counties)]
        birth = date(1975, 1, 1) + timedelta(days=i // 500)
        wage = Decimal(3000 + (i * 7919) % 27000).quantize(Decimal("0.01"))
        out.append((make_id_number(county, birth, i % 500), county, employers[i % len(employers)], wage))
    return out


def fen(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def raw_rows(persons: list[tuple[str, str, str, Decimal]], enrolment_ids: dict[str, str]) -> list[tuple[Any, ...]]:
    """The rows the bulk path writes, as tuples in ``COLUMNS`` order (the baseline writes these)."""
    now = datetime.now(UTC)
    rows = []
    for id_number, county, credit_code, wage in persons:
        base = min(max(wage, FLOOR), CEILING)
        adjustment = "floor" if wage < FLOOR else "ceiling" if wage > CEILING else None
        for month in MONTHS:
            rows.append((str(uuid.uuid4()), id_number, county, "employee_pension", credit_code,
                         enrolment_ids[id_number], month, "regular", wage, base, adjustment,
                         fen(base * Decimal("0.16")), fen(base * Decimal("0.08")), date(2026, 1, 15), "posted", SOURCE,
                         True, now))
    return rows


async def raw_copy(url: str, rows: list[tuple[Any, ...]]) -> float:
    """Seconds to write ``rows`` with raw COPY (PostgreSQL) or one executemany (SQLite), in one transaction."""
    if url.startswith("postgresql"):
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            start = time.perf_counter()
            async with conn.transaction():
                await conn.copy_records_to_table("contributions", records=rows, columns=list(COLUMNS))
            elapsed = time.perf_counter() - start
            await conn.execute("TRUNCATE contributions")
        finally:
            await conn.close()
        return elapsed
    path = url.split("///", 1)[1]
    values = [tuple(str(v) if isinstance(v, Decimal) else v.isoformat(sep=" ") if isinstance(v, datetime)
                    else v.isoformat() if isinstance(v, date) else v for v in row) for row in rows]
    db = sqlite3.connect(path)
    try:
        start = time.perf_counter()
        with db:
            db.executemany(f"INSERT INTO contributions ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                           values)
        elapsed = time.perf_counter() - start
        with db:
            db.execute("DELETE FROM contributions")
    finally:
        db.close()
    return elapsed


class Stages:
    """``--stages``: the bulk path's time per SQL statement (SQLAlchemy's cursor events on the service's engine) and
    per COPY (asyncpg's ``copy_records_to_table``, by table), summed over the timed requests."""

    def __init__(self) -> None:
        self.seconds: collections.Counter[str] = collections.Counter()
        self.on = False

    @contextlib.contextmanager
    def watching(self, engine: Any) -> Iterator[None]:
        started: list[float] = []

        def before(*_: Any) -> None:
            started.append(time.perf_counter())

        def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            if self.on:
                self.seconds[" ".join(statement.split())[:80]] += time.perf_counter() - started.pop()
            else:
                started.pop()

        copy = asyncpg.Connection.copy_records_to_table

        async def timed_copy(conn: Any, table: str, **kw: Any) -> Any:
            start = time.perf_counter()
            try:
                return await copy(conn, table, **kw)
            finally:
                if self.on:
                    self.seconds[f"COPY {table}"] += time.perf_counter() - start

        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)
        asyncpg.Connection.copy_records_to_table = timed_copy  # type: ignore[method-assign]
        try:
            yield
        finally:
            asyncpg.Connection.copy_records_to_table = copy  # type: ignore[method-assign]
            event.remove(engine.sync_engine, "before_cursor_execute", before)
            event.remove(engine.sync_engine, "after_cursor_execute", after)

    def report(self) -> None:
        for what, seconds in self.seconds.most_common(8):
            print(f"    {seconds:7.2f} s  {what}")


async def measure(url: str, persons: int, batch: int, data_dir: Path, stages: Stages | None = None
                  ) -> dict[str, float]:
    settings = SocialInsuranceSettings(
        database_url=url, bootstrap_servers="127.0.0.1:1", data_dir=data_dir, dev_token=DEV_TOKEN,
        auth_secret="benchmark-secret-benchmark-secret", environment="test", relay_enabled=False,
        consumers_enabled=False, scheduler_enabled=False, log_level="CRITICAL",
    )
    app = create_app(settings)
    who = people(persons)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://social-insurance",
            headers={"Authorization": f"Bearer {DEV_TOKEN}"}, timeout=600) as client:
        enrolment_rows = [{"id_number": p, "name": "王小明", "county_code": c, "insurance_type": "employee_pension",
                           "credit_code": e, "start_date": "2024-01-01"} for p, c, e, _ in who]
        for start in range(0, len(enrolment_rows), 10_000):
            r = await client.post("/v1/bulk/enrolments", json={"rows": enrolment_rows[start:start + 10_000]})
            r.raise_for_status()
        async with app.state.runtime.maker() as session:
            found = await session.execute(text("SELECT id_number, id FROM enrolments"))
            enrolment_ids: dict[str, str] = dict(found.all())  # type: ignore[arg-type]
        baseline = await raw_copy(url, raw_rows(who, enrolment_ids))

        # As employers declare them (单位月度申报): each employer's persons month by month.
        rows = [{"id_number": p, "insurance_type": "employee_pension", "month": m, "credit_code": e,
                 "declared_base": str(w), "paid_date": "2026-01-15"}
                for e, m, p, w in sorted((e, m, p, w) for p, _, e, w in who for m in MONTHS)]
        # The request bodies are encoded before the clock starts: a loader's JSON encoding is the client's work, not
        # the service's (a real loader runs in another process; here it would share the service's core).
        bodies = [json.dumps({"rows": rows[first:first + batch]}, ensure_ascii=False, separators=(",", ":")).encode()
                  for first in range(0, len(rows), batch)]
        with stages.watching(app.state.runtime.engine) if stages else contextlib.nullcontext():
            if stages:
                stages.on = True
            start = time.perf_counter()
            written = events = 0
            for body in bodies:
                r = await client.post("/v1/bulk/contributions", content=body,
                                      headers={"Content-Type": "application/json"})
                r.raise_for_status()
                written += r.json()["written"]
                events += r.json()["events"]
            elapsed = time.perf_counter() - start
        assert written == len(rows), (written, len(rows))
    return {"rows": len(rows), "bulk": len(rows) / elapsed, "raw": len(rows) / baseline, "events": events}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=10_000, help="persons (12 contribution rows each)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per bulk request")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (postgresql+asyncpg://…)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--stages", action="store_true",
                        help="also print the bulk path's time per statement and per COPY (slows it a little)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"bulk load of contributions: {args.persons} persons × 12 months, {args.batch} rows per request")
    with tempfile.TemporaryDirectory(prefix="bulk-bench-") as tmp, contextlib.ExitStack() as stop:
        root = Path(tmp)
        targets: list[tuple[str, str]] = []
        if not args.sqlite_only:
            if args.database_url:
                targets.append(("postgresql", args.database_url))
            else:
                targets.append(("postgresql", stop.enter_context(postgres_cluster(root / "pg", ["bulk_bench"]))
                                + "bulk_bench"))
        targets.append(("sqlite", f"sqlite+aiosqlite:///{root / 'si.db'}"))
        for name, url in targets:
            data_dir = root / name
            data_dir.mkdir(exist_ok=True)
            stages = Stages() if args.stages else None
            result = asyncio.run(measure(url, args.persons, args.batch, data_dir, stages))
            baseline = "raw COPY" if name == "postgresql" else "raw executemany"
            print(f"{name:10s} {int(result['rows']):>8d} rows  bulk path {result['bulk']:>9.0f} rows/s  "
                  f"{baseline} {result['raw']:>9.0f} rows/s  ratio {result['bulk'] / result['raw']:.0%}"
                  f"  (goal ≥ 30 %); {int(result['events'])} contributions.posted events")
            if stages:
                stages.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
