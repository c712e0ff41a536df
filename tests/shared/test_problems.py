"""problem+json rendering (RFC 9457) through a service app built by hrss_shared.app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from employment.config import EmploymentSettings
from employment.db import infra
from employment.main import MIGRATIONS
from hrss_shared.app import create_service_app
from hrss_shared.problems import PROBLEM_JSON, Conflict, InvalidField
from hrss_shared.validators import IdNumber
from tests.support import DEV_TOKEN, alone, bearer


class Thing(BaseModel):
    id_number: IdNumber
    items: list[int] = []


def probe_router() -> APIRouter:
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    @router.post("/things")
    async def things(body: Thing) -> Thing:
        return body

    @router.get("/conflict")
    async def conflict() -> None:
        raise Conflict("已存在 (exists)", field_name="credit_code", existing_id="r-1")

    @router.get("/invalid")
    async def invalid() -> None:
        raise InvalidField("end_date", "早于起始日期 (before the start date)")

    return router


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = alone(EmploymentSettings, tmp_path)
    app: FastAPI = create_service_app(
        settings=settings, title="t", description="d", infra=infra, migrations_dir=MIGRATIONS,
        routers=[probe_router()],
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://t", headers=bearer(DEV_TOKEN)
    ) as c:
        yield c


def assert_problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body = r.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    return body  # type: ignore[no-any-return]


async def test_validation_error_names_the_field_and_the_reason(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/things", json={"id_number": "110105194912310021", "items": ["a"]}), 422)
    errors = {e["field"]: e["reason"] for e in body["errors"]}  # type: ignore[attr-defined]
    assert set(errors) == {"id_number", "items.0"}
    assert "校验码" in errors["id_number"]
    assert not errors["id_number"].startswith("Value error")
    assert body["instance"] == "/things"


async def test_missing_body_field_is_named(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.post("/things", json={}), 422)
    assert [e["field"] for e in body["errors"]] == ["id_number"]  # type: ignore[attr-defined]


async def test_domain_errors_carry_their_fields_and_extras(client: httpx.AsyncClient) -> None:
    body = assert_problem(await client.get("/conflict"), 409)
    assert body["errors"] == [{"field": "credit_code", "reason": "已存在 (exists)"}]
    assert body["existing_id"] == "r-1"
    body = assert_problem(await client.get("/invalid"), 422)
    assert body["errors"] == [{"field": "end_date", "reason": "早于起始日期 (before the start date)"}]


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/no/such/route"), 404)


async def test_unexpected_error_is_500_with_a_correlation_id_and_no_internals(client: httpx.AsyncClient) -> None:
    r = await client.get("/boom", headers={"X-Correlation-ID": "corr-500"})
    body = assert_problem(r, 500)
    assert "hunter2" not in r.text
    assert "quote the correlation id" in str(body["detail"])
    # The detail asks the caller to quote the correlation id, so the response must carry it.
    assert body.get("correlation_id") == "corr-500", body
    assert r.headers.get("X-Correlation-ID") == "corr-500"


async def test_correlation_id_is_echoed_on_errors_and_generated_when_absent(client: httpx.AsyncClient) -> None:
    r = await client.get("/conflict", headers={"X-Correlation-ID": "corr-409"})
    assert r.headers["X-Correlation-ID"] == "corr-409"
    assert r.json()["correlation_id"] == "corr-409"
    r = await client.get("/conflict")
    assert len(r.headers["X-Correlation-ID"]) >= 16
    assert r.json()["correlation_id"] == r.headers["X-Correlation-ID"]


async def test_health_needs_no_credential(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"Authorization": ""})
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "service": "employment"}
