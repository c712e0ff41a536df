"""Import throughput: rows per second of ``POST /v1/imports`` (批量导入) for a CSV of 就业登记 rows.

Runs the employment service in-process (no broker; the outbox fills up unpublished) on a fresh
SQLite file, and on PostgreSQL too when ``--database-url`` names an empty database, posts one CSV
of ``--rows`` employment registrations spread over 50 employers, and waits for the report.

    python benchmarks/import_throughput.py                       # 10,000 rows on SQLite
    python benchmarks/import_throughput.py --rows 2000 \\
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench

The event loop is uvloop when installed, as under ``uvicorn`` (``--loop asyncio`` for the plain loop,
as in the tests). A GET of the report every 0.2 s runs meanwhile and its slowest answer is printed:
on SQLite an import holds the write lock for up to half a second per batch.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code, make_id_number

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] brings it
    uvloop = None  # type: ignore[assignment]

DEV_TOKEN = "benchmark-dev-token"


def csv_body(rows: int, credit_codes: list[str]) -> bytes:
    lines = ["id_number,name,credit_code,start_date,occupation"]
    for i in range(rows):
        person = make_id_number("330802", date(1980, 1, 1) + timedelta(days=i // 1000), i % 1000)
        lines.append(f"{person},王小明,{credit_codes[i % len(credit_codes)]},2026-03-01,车工")
    return ("\n".join(lines) + "\n").encode()


async def measure(database_url: str, rows: int, data_dir: Path) -> tuple[float, float, dict[str, object]]:
    settings = EmploymentSettings(
        database_url=database_url, bootstrap_servers="127.0.0.1:1", data_dir=data_dir, dev_token=DEV_TOKEN,
        auth_secret="benchmark-secret-benchmark-secret", environment="test", relay_enabled=False,
        consumers_enabled=False, log_level="CRITICAL",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://employment",
                                     headers={"Authorization": f"Bearer {DEV_TOKEN}"}, timeout=120) as client:
            counties = list(QUZHOU_COUNTIES)
            codes = [make_credit_code(counties[i % len(counties)], 880000 + i) for i in range(50)]
            for i, code in enumerate(codes):
                r = await client.post("/v1/employers", json={
                    "credit_code": code, "name": f"衢州导入基准企业{i}有限公司", "county_code": code[2:8]})
                r.raise_for_status()
            body = csv_body(rows, codes)
            started = time.perf_counter()
            r = await client.post("/v1/imports", params={"kind": "employment_registration"}, content=body,
                                  headers={"Content-Type": "text/csv"})
            r.raise_for_status()
            location = r.headers["location"]
            waits: list[float] = []
            while True:
                asked = time.perf_counter()
                report = (await client.get(location, params={"limit": 1})).json()
                waits.append(time.perf_counter() - asked)
                if report["status"] == "completed":
                    break
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
    return elapsed, max(waits), report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (postgresql+asyncpg://…)")
    parser.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop" if uvloop else "asyncio")
    args = parser.parse_args()
    run = uvloop.run if args.loop == "uvloop" and uvloop else asyncio.run
    with tempfile.TemporaryDirectory() as tmp:
        targets = [("sqlite", f"sqlite+aiosqlite:///{tmp}/employment.db")]
        if args.database_url:
            targets.append(("postgresql", args.database_url))
        for name, url in targets:
            elapsed, slowest, report = run(measure(url, args.rows, Path(tmp)))
            print(f"{name:10s} ({args.loop}) {args.rows} rows in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s "
                  f"(accepted {report['accepted']}, rejected {report['rejected']}; "
                  f"slowest progress GET meanwhile {slowest * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
