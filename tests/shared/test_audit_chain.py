"""The audit log's hash chain (hrss_shared.audit) on SQLite and PostgreSQL: concurrent appends from reads and
writes stay one unbroken chain, a rolled-back write leaves no gap, and ``audit verify`` names the first row
edited or removed behind the service's back."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, select, text

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_shared import db
from hrss_shared.audit import GENESIS, AuditChain, verify
from hrss_shared.infra import infra_tables
from tests import factories
from tests.conftest import DbFactory
from tests.support import InProcessService, bearer, on_each_database, token

AUDIT = infra_tables(MetaData()).audit_log


def note(n: int) -> dict[str, Any]:
    return {"at": datetime.now(UTC), "client_id": f"c{n}", "client_name": "测试", "action": "GET /x",
            "subject": None, "purpose": "窗口业务办理", "correlation_id": None, "fields": ["phone"]}


service = on_each_database(create_app, EmploymentSettings, "employment")


async def test_a_rolled_back_append_leaves_no_gap_and_an_unknown_commit_rereads_the_head(
    service: InProcessService,
) -> None:
    maker = service.runtime.maker
    chain = AuditChain(AUDIT, "unit-chain")
    async with maker() as session, chain.appending(session, [note(1), note(2)]):
        await session.commit()
    with pytest.raises(RuntimeError):
        async with maker() as session, chain.appending(session, [note(3)]):
            raise RuntimeError("the write failed before its commit")
    # The commit happens, but the caller sees an error (as when the connection drops during COMMIT).
    with pytest.raises(ConnectionResetError):
        async with maker() as session, chain.appending(session, [note(4)]):
            await session.commit()
            raise ConnectionResetError("lost after COMMIT")
    async with maker() as session, chain.appending(session, [note(5)]):
        await session.commit()
    async with service.runtime.reader() as session:
        rows = (await session.execute(select(AUDIT.c.client_id, AUDIT.c.seq, AUDIT.c.prev_hash, AUDIT.c.hash)
                                      .where(AUDIT.c.chain == "unit-chain").order_by(AUDIT.c.seq))).all()
        result = await verify(session, AUDIT)
    assert [(r.client_id, r.seq) for r in rows] == [("c1", 1), ("c2", 2), ("c4", 3), ("c5", 4)]
    assert rows[0].prev_hash == GENESIS and all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    assert result.ok and result.heads["unit-chain"] == (4, rows[-1].hash)


async def test_concurrent_audited_reads_and_writes_form_one_intact_chain(service: InProcessService) -> None:
    pii = bearer(token("employment:read", "employment:write", "pii:read"))
    seekers = [factories.job_seeker() for _ in range(5)]
    writes = [service.client.post("/v1/job-seekers", json=s, headers=pii) for s in seekers]
    assert all(r.status_code == 201 for r in await asyncio.gather(*writes))
    reads = [service.client.get(f"/v1/job-seekers/{s['id_number']}", headers=pii) for s in seekers * 6]
    assert all(r.status_code == 200 for r in await asyncio.gather(*reads))
    async with service.runtime.reader() as session:
        result = await verify(session, AUDIT)
    assert result.ok, result.finding
    assert result.rows == 35 and len(result.heads) == 1
    chain = service.runtime.audit.chain
    assert result.heads[chain.chain] == (chain.seq, chain.head)


def run_verify(url: str, data_dir: Path) -> tuple[int, dict[str, Any]]:
    env = {**os.environ, "HRSS_EMPLOYMENT_DATABASE_URL": url, "HRSS_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, "-m", "employment", "audit", "verify", "--json"], env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


async def tamper(service: InProcessService, statement: str, **params: Any) -> None:
    """Change audit_log as someone with the database's owner rights would: around its append-only trigger."""
    engine = service.runtime.engine
    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            await conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            await conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        else:
            await conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"))
        await conn.execute(text(statement), params)


async def test_audit_verify_names_the_first_edited_then_the_first_missing_row(
    service: InProcessService, tmp_path: Path,
) -> None:
    pii = bearer(token("employment:read", "employment:write", "pii:read"))
    seeker = factories.job_seeker()
    assert (await service.client.post("/v1/job-seekers", json=seeker, headers=pii)).status_code == 201
    for _ in range(4):
        assert (await service.client.get(f"/v1/job-seekers/{seeker['id_number']}", headers=pii)).status_code == 200
    url = service.settings.resolved_database_url
    code, report = await asyncio.to_thread(run_verify, url, tmp_path)
    assert code == 0 and report["ok"] and report["rows"] == 5, report
    async with service.runtime.reader() as session:
        ids = list((await session.execute(select(AUDIT.c.id).order_by(AUDIT.c.seq))).scalars())

    async with service.runtime.reader() as session:
        purpose = (await session.execute(select(AUDIT.c.purpose).where(AUDIT.c.id == ids[2]))).scalar_one()
    await tamper(service, "UPDATE audit_log SET purpose = '无' WHERE id = :id", id=ids[2])
    code, report = await asyncio.to_thread(run_verify, url, tmp_path)
    assert code == 1 and not report["ok"]
    assert report["first_bad_row"]["id"] == ids[2] and "edited" in report["first_bad_row"]["reason"]

    # Put the row back as it was: intact again. Then remove the one before it: the row after the gap is named.
    await tamper(service, "UPDATE audit_log SET purpose = :p WHERE id = :id", p=purpose, id=ids[2])
    code, report = await asyncio.to_thread(run_verify, url, tmp_path)
    assert code == 0, report
    await tamper(service, "DELETE FROM audit_log WHERE id = :id", id=ids[1])
    code, report = await asyncio.to_thread(run_verify, url, tmp_path)
    assert code == 1
    assert report["first_bad_row"]["id"] == ids[2] and "missing" in report["first_bad_row"]["reason"]


async def test_an_empty_audit_log_verifies(make_db: DbFactory) -> None:
    engine = db.make_engine(await make_db("empty"))
    try:
        metadata = MetaData()
        table = infra_tables(metadata).audit_log
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with db.make_reader(engine)() as session:
            result = await verify(session, table)
        assert result.ok and result.rows == 0 and result.heads == {}
    finally:
        await engine.dispose()
