"""Helpers for the labour-relations API tests: seeding through the API, the outbox rows each change writes (checked
against their contracts), and running the scheduled jobs."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from hrss_contracts import contract_for
from hrss_shared.events import CloudEvent
from tests import factories
from tests.employment.helpers import assert_problem, key_of, outbox, reason
from tests.support import InProcessService, eventually

__all__ = ["assert_problem", "outbox", "reason"]

_seq = itertools.count(1)


def TYPE(entity_verb: str) -> str:  # noqa: N802 - reads as the event type it builds
    """``"arrears_case.accepted"`` → ``"hrss.labour-relations.arrears_case.accepted.v1"``."""
    return f"hrss.labour-relations.{entity_verb}.v1"


async def events_since(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    """The outbox rows written after the first ``before``, each checked against its contract."""
    rows = (await outbox(svc))[before:]
    for row in rows:
        event = CloudEvent.model_validate(row["event"])
        contract = contract_for(event.type)
        contract.parse(event.data)
        assert event.source == "/hrss/labour-relations"
        assert event.subject == str(event.data[contract.subject])
        assert row["key"] == key_of(svc, event.subject)
        assert row["event_type"] == event.type
    return rows


async def types_since(svc: InProcessService, before: int) -> list[str]:
    return [r["event_type"] for r in await events_since(svc, before)]


async def mark(svc: InProcessService) -> int:
    return len(await outbox(svc))


def case_body(county: str = "330802", workers: int = 3, **over: Any) -> dict[str, Any]:
    complainants = [{"id_number": factories.id_number(county), "name": "王小明"} for _ in range(min(workers, 2))]
    return {"credit_code": factories.credit_code(county), "employer_name": f"衢州测试建筑{next(_seq)}有限公司",
            "county_code": county, "complainants": complainants, "workers_affected": workers,
            "amount_owed": "36000.00", "evidence_notes": "工资条、考勤记录", "filed_date": "2025-08-28", **over}


async def new_case(svc: InProcessService, **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/arrears-cases", json=case_body(**over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def act(svc: InProcessService, case_id: str, action: str, body: dict[str, Any] | None = None) -> Any:
    return await svc.client.post(f"/v1/arrears-cases/{case_id}/{action}", json=body or {})


async def step(svc: InProcessService, case_id: str, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = await act(svc, case_id, action, body)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def run_job(svc: InProcessService, name: str) -> str | None:
    scheduler = svc.runtime.scheduler
    assert scheduler is not None and name in scheduler.jobs
    for _ in range(200):  # a run the service started by itself holds the job's lease until it ends
        record = await scheduler.run_now(name)
        if record is not None:
            break
        await asyncio.sleep(0.05)
    assert record is not None and record.error is None, record
    return record.outcome


async def settled(svc: InProcessService) -> None:
    """Wait until every scheduled job has had its start-up run and none is running."""
    scheduler = svc.runtime.scheduler
    assert scheduler is not None

    async def done() -> bool:
        status = await scheduler.status()
        return all(job["runs"] >= 1 and not job["running"] for job in status.values())
    await eventually(done, timeout=30, interval=0.02)


def project_body(county: str = "330802", **over: Any) -> dict[str, Any]:
    return {"name": f"衢州测试安置房{next(_seq)}期工程", "credit_code": factories.credit_code(county),
            "contractor_name": f"衢州测试建工{next(_seq)}有限公司", "county_code": county,
            "wage_account": "330016280180500012345", "wage_account_bank": "中国建设银行衢州分行",
            "start_date": "2026-01-10", "completion_date": "2027-12-31", **over}


async def new_project(svc: InProcessService, **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/projects", json=project_body(**over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
