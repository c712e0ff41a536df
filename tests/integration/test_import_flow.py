"""A 4,000-row import through the real broker: exactly the good rows reach the gateway."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from gateway.readmodel.models import PersonSection
from tests import factories
from tests.integration.conftest import Stack
from tests.support import InProcessService, KafkaNode, PostgresNode, eventually, service_settings

ROWS = 4_000  # tests/employment/test_imports.py imports 10,000 without the broker


@pytest.fixture
async def pg_stack(kafka: KafkaNode, postgres: PostgresNode, prefix: str, tmp_path: Path) -> AsyncIterator[Stack]:
    suffix = uuid.uuid4().hex[:6]
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await postgres.create_database(f"employment_{suffix}"),
        bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path))
    gw = InProcessService(create_gateway, service_settings(
        GatewaySettings, db_url=await postgres.create_database(f"gateway_{suffix}"),
        bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path))
    async with emp, gw:
        yield Stack(employment=emp, gateway=gw, prefix=prefix, bootstrap=kafka.bootstrap)


@pytest.mark.slow
async def test_bulk_import_publishes_exactly_the_good_rows_to_the_gateway(pg_stack: Stack) -> None:
    emp, gw = pg_stack.employment, pg_stack.gateway
    employers = []
    for county in ("330802", "330822", "330881"):
        body = factories.employer(county)
        assert (await emp.client.post("/v1/employers", json=body)).status_code == 201
        employers.append(body["credit_code"])
    unknown = factories.credit_code("330824")
    lines = ["id_number,name,credit_code,start_date,occupation,end_date,termination_reason"]
    bad: dict[int, str] = {}
    for i in range(ROWS):
        person = factories.id_number("330803")
        if i % 100 == 13:
            bad[i + 2] = "id_number" if i % 200 == 13 else "credit_code"
            if bad[i + 2] == "id_number":
                person = person[:17] + ("0" if person[17] != "0" else "1")
            lines.append(f"{person},周芳,{unknown if bad[i + 2] == 'credit_code' else employers[0]},2026-04-01,焊工,,")
        else:
            lines.append(f"{person},周芳,{employers[i % 3]},2026-04-01,焊工,,")
    r = await emp.client.post("/v1/imports", params={"kind": "employment_registration"},
                              headers={"Content-Type": "text/csv"}, content="\n".join(lines) + "\n")
    assert r.status_code == 202, r.text
    location = r.headers["location"]

    async def completed() -> dict | None:  # type: ignore[type-arg]
        report = (await emp.client.get(location, params={"limit": 500})).json()
        return report if report["status"] == "completed" else None
    report = await eventually(completed, timeout=300, interval=2.0)
    assert (report["accepted"], report["rejected"]) == (ROWS - len(bad), len(bad))
    assert {row["line"]: row["field"] for row in report["rejections"]["data"]} == bad

    async def in_gateway() -> bool:
        async with gw.runtime.maker() as session:
            t = PersonSection.__table__  # type: ignore[attr-defined]
            query = select(func.count()).select_from(t).where(t.c.section == "employment")
            n = (await session.execute(query)).scalar_one()
        return int(n) == ROWS - len(bad)
    await eventually(in_gateway, timeout=300, interval=1.0)
    processed = gw.runtime.infra.processed_events
    async with gw.runtime.maker() as session:
        applied = (await session.execute(select(func.count()).select_from(processed))).scalar_one()
    assert applied == ROWS - len(bad) + len(employers)
    assert gw.runtime.consumers[0].stats.dead_lettered == 0
