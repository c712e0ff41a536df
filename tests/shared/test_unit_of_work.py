"""The request's unit of work (hrss_shared.app.unit_of_work): one commit after the answer, none on error,
a recorded refusal commits before its 4xx, and a read never commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy import func, insert, select

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_shared.app import SessionDep, require
from hrss_shared.auth import Principal
from hrss_shared.problems import Conflict, recorded
from tests.support import InProcessService, alone, with_router

Writer = Annotated[Principal, Depends(require("employment:write"))]


class Written(BaseModel):
    n: int


def note(n: int) -> dict[str, Any]:
    from datetime import UTC, datetime

    return {"at": datetime.now(UTC), "client_id": f"uow-{n}", "client_name": "uow", "action": "test",
            "subject": None, "purpose": None, "correlation_id": None, "fields": []}


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[InProcessService]:
    """The employment service with test routes that write a row (into audit_log, a table every service has)."""
    router = APIRouter(prefix="/v1/test")

    def table(_session: Any) -> Any:
        return service_ref[0].runtime.infra.audit_log

    @router.post("/ok")
    async def ok(session: SessionDep, _: Writer) -> Written:
        await session.execute(insert(table(session)).values(**note(1)))
        return Written(n=1)

    @router.post("/fails-after-writing")
    async def fails(session: SessionDep, _: Writer) -> Written:
        await session.execute(insert(table(session)).values(**note(2)))
        raise RuntimeError("a bug after the write")

    @router.post("/refused")
    async def refused(session: SessionDep, _: Writer) -> Written:
        await session.execute(insert(table(session)).values(**note(3)))
        raise Conflict("拒绝 (refused)", field_name="n")

    @router.post("/refused-with-trace")
    async def refused_with_trace(session: SessionDep, _: Writer) -> Written:
        await session.execute(insert(table(session)).values(**note(4)))
        raise recorded(Conflict("拒绝并留痕 (refused, the trace kept)", field_name="n"))

    @router.get("/read-that-writes")
    async def read(session: SessionDep, _: Writer) -> Written:
        await session.execute(insert(table(session)).values(**note(5)))
        return Written(n=5)

    service_ref: list[InProcessService] = []
    settings = alone(EmploymentSettings, tmp_path, scheduler_enabled=False)
    async with InProcessService(with_router(create_app, router), settings) as svc:
        service_ref.append(svc)
        yield svc


async def written(svc: InProcessService, n: int) -> int:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.maker() as session:
        query = select(func.count()).select_from(t).where(t.c.client_id == f"uow-{n}")
        return int((await session.execute(query)).scalar_one())


async def test_a_successful_write_commits_once_after_its_answer(service: InProcessService) -> None:
    assert (await service.client.post("/v1/test/ok")).json() == {"n": 1}
    assert await written(service, 1) == 1


async def test_an_error_after_a_write_leaves_nothing_and_answers_500(service: InProcessService) -> None:
    transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://e", headers=service.client.headers) as c:
        assert (await c.post("/v1/test/fails-after-writing")).status_code == 500
    assert await written(service, 2) == 0


async def test_a_refusal_rolls_back_unless_it_must_leave_a_trace(service: InProcessService) -> None:
    r = await service.client.post("/v1/test/refused")
    assert r.status_code == 409
    assert await written(service, 3) == 0
    r = await service.client.post("/v1/test/refused-with-trace")
    assert r.status_code == 409
    assert r.json()["errors"] == [{"field": "n", "reason": "拒绝并留痕 (refused, the trace kept)"}]
    assert await written(service, 4) == 1


async def test_a_read_request_never_commits(service: InProcessService) -> None:
    assert (await service.client.get("/v1/test/read-that-writes")).status_code == 200
    assert await written(service, 5) == 0
