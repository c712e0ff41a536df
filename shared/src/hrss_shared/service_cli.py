"""``python -m <service>``: the commands every service answers for itself (migrations, its event catalogue).

The ``hrss`` command runs these as subprocesses by module path, so it never imports a service. A service
adds its own commands (the gateway's ``clients``) through ``extend``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hrss_shared import db, migrations
from hrss_shared.registry import service as registered
from hrss_shared.settings import ServiceSettings

Extend = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def main(
    *, service: str, settings: Callable[[], ServiceSettings], asyncapi: Callable[[], dict[str, Any]],
    extend: Extend | None = None, argv: Sequence[str] | None = None,
) -> int:
    """Parse and run one command of ``service``. Its migrations are the ``migrations`` folder of its package (found
    without importing the app, so a command starts in the time its own imports take); ``asyncapi`` (its AsyncAPI
    document) is called only by the ``asyncapi`` command."""
    entry = registered(service)
    folder = migrations.folder(entry.package)
    parser = argparse.ArgumentParser(prog=f"python -m {entry.package}", description=f"{entry.title} commands")
    sub = parser.add_subparsers(dest="command", required=True)
    dbp = sub.add_parser("db", help="this service's database migrations")
    dsub = dbp.add_subparsers(dest="db_command", required=True)
    rev = dsub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=lambda a: _revision(folder, a.message))
    up = dsub.add_parser("upgrade", help="apply pending migrations to the configured database")
    up.set_defaults(func=lambda a: asyncio.run(_upgrade(settings(), folder)))
    api = sub.add_parser("asyncapi", help="print the AsyncAPI 3 document this service serves at /asyncapi.json")
    api.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    api.set_defaults(func=lambda a: _write_json(asyncapi(), a.output))
    audit = sub.add_parser("audit", help="this service's audit log")
    asub = audit.add_subparsers(dest="audit_command", required=True)
    verify = asub.add_parser("verify", help="check the audit log's hash chains; name the first edited or missing row")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.set_defaults(func=lambda a: asyncio.run(_verify_audit(service, settings(), a.json)))
    if extend is not None:
        extend(sub)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


async def _verify_audit(service: str, settings: ServiceSettings, as_json: bool) -> int:
    """Exit 0 when every chain checks out, 1 at the first row that does not (named on standard output)."""
    from sqlalchemy import MetaData
    from sqlalchemy.exc import DBAPIError

    from hrss_shared.audit import verify
    from hrss_shared.infra import infra_tables

    url = settings.resolved_database_url
    engine = db.make_engine(url)
    try:
        async with db.make_reader(engine)() as session:
            result = await verify(session, infra_tables(MetaData()).audit_log)
    except (DBAPIError, OSError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        print(f"{service}: cannot read the audit log at {where}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    report = {
        "service": service, "ok": result.ok, "rows": result.rows, "unchained_rows": result.unchained,
        "chains": {chain: {"last_seq": seq, "head": head} for chain, (seq, head) in result.heads.items()},
        "first_bad_row": None if result.finding is None else vars(result.finding),
    }
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    elif result.finding is None:
        print(f"{service}: audit log intact — {result.rows} rows in {len(result.heads)} chains"
              f" ({result.unchained} rows older than the chain)")
        for chain, (seq, head) in sorted(result.heads.items()):
            print(f"  {chain}  last {seq}  head {head}")
    else:
        bad = result.finding
        print(f"{service}: audit log BROKEN at row id {bad.id} (chain {bad.chain}, seq {bad.seq}): {bad.reason}")
    return 0 if result.ok else 1


def _revision(migrations_dir: Path, message: str) -> int:
    migrations.autogenerate(migrations_dir, message)
    return 0


async def _upgrade(settings: ServiceSettings, migrations_dir: Path) -> int:
    engine = db.make_engine(settings.resolved_database_url)
    try:
        await migrations.upgrade(engine, migrations_dir)
    finally:
        await engine.dispose()
    return 0


def _write_json(document: dict[str, Any], output: Path | None) -> int:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
    return 0
