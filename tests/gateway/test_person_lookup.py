"""POST /v1/persons/lookup: the person view with the ID number in the body answers exactly what the GET answers —
same masking, scope, county limit, 404 and 422 — as a read (no write transaction), with its audit row."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from gateway.config import GatewaySettings
from gateway.main import create_app
from hrss_shared.problems import PROBLEM_JSON
from tests import factories
from tests.gateway.events import apply, employment_registered, person_in_read_model
from tests.support import InProcessService, bearer, on_each_database, token

LOOKUP = "/v1/persons/lookup"
MASKED_ID = re.compile(r"^3308\*{10}[\dX]{4}$")
READER = ("gateway:read",)
PII_READER = ("gateway:read", "pii:read")


# The gateway with no broker, on SQLite and on PostgreSQL (the person view's key look-up differs).
gateway = on_each_database(create_app, GatewaySettings, "gateway")


async def audit_rows(svc: InProcessService) -> list[dict[str, Any]]:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.reader() as session:
        return [dict(r) for r in (await session.execute(select(t).order_by(t.c.id))).mappings().all()]


async def both(svc: InProcessService, id_number: str, headers: dict[str, str]) -> tuple[httpx.Response, ...]:
    get = await svc.client.get(f"/v1/persons/{id_number}", headers=headers)
    post = await svc.client.post(LOOKUP, json={"id_number": id_number}, headers=headers)
    return get, post


def problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    return body


def without_instance(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in ("instance", "correlation_id")}


async def test_masked_client_gets_the_same_answer_as_the_get_and_no_audit(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await apply(gateway, employment_registered(person))
    get, post = await both(gateway, person, bearer(token(*READER)))
    assert get.status_code == post.status_code == 200, post.text
    assert post.headers["content-type"] == "application/json"
    assert post.json() == get.json()
    body = post.json()
    assert MASKED_ID.match(body["id_number"]), body["id_number"]
    assert person not in post.text
    assert "13857012345" not in post.text
    assert body["employment"]["status"] == "employed"
    assert await audit_rows(gateway) == []


async def test_pii_read_client_gets_the_same_unmasked_answer_and_one_audit_row(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    headers = {**bearer(token(*PII_READER, client_id="c-benefits")), "X-Purpose": "benefit-check case 2026-0042"}
    get, post = await both(gateway, person, headers)
    assert get.status_code == post.status_code == 200, post.text
    assert post.json() == get.json()
    assert post.json()["id_number"] == person
    assert post.json()["identity"]["phone"] == "13857012345"
    rows = await audit_rows(gateway)
    assert [r["action"] for r in rows] == [f"GET /v1/persons/{person}", f"POST {LOOKUP}"]
    lookup = rows[1]
    assert (lookup["client_id"], lookup["subject"], lookup["purpose"]) == (
        "c-benefits", person, "benefit-check case 2026-0042")
    assert set(lookup["fields"]) == {"id_number", "phone", "birth_date"}
    assert lookup["correlation_id"] == post.headers["X-Correlation-ID"]


async def test_unknown_valid_id_number_is_the_same_404(gateway: InProcessService) -> None:
    get, post = await both(gateway, factories.id_number(), bearer(token(*PII_READER)))
    assert without_instance(problem(post, 404)) == without_instance(problem(get, 404))
    assert await audit_rows(gateway) == []


@pytest.mark.parametrize("body", [
    {"id_number": "110105194912310021"},  # wrong check character
    {"id_number": "11010519491331002X"},  # no 13th month
    {"id_number": "1101051949123100"},
    {"id_number": 110105194912310021},
    {"id_number": None},
    {},
])
async def test_malformed_id_number_is_422_naming_the_field(gateway: InProcessService, body: dict[str, Any]) -> None:
    r = await gateway.client.post(LOOKUP, json=body, headers=bearer(token(*READER)))
    errors = problem(r, 422)["errors"]
    assert [e["field"] for e in errors] == ["id_number"], errors


async def test_bad_check_character_gives_the_reason_the_get_gives(gateway: InProcessService) -> None:
    bad = "110105194912310021"
    get = await gateway.client.get(f"/v1/persons/{bad}", headers=bearer(token(*READER)))
    post = await gateway.client.post(LOOKUP, json={"id_number": bad}, headers=bearer(token(*READER)))
    assert problem(post, 422)["errors"] == problem(get, 422)["errors"]
    assert "校验码" in post.json()["errors"][0]["reason"]


async def test_same_scope_and_county_limit_as_the_get(gateway: InProcessService) -> None:
    kecheng = await person_in_read_model(gateway, county="330802")
    problem(await gateway.client.post(LOOKUP, json={"id_number": kecheng}, headers={"Authorization": ""}), 401)
    no_scope = bearer(token("employment:read", "pii:read"))
    assert "gateway:read" in problem(await gateway.client.post(LOOKUP, json={"id_number": kecheng},
                                                               headers=no_scope), 403)["detail"]
    other_county = bearer(token(*PII_READER, county="330803"))
    get, post = await both(gateway, kecheng, other_county)
    assert without_instance(problem(post, 403)) == without_instance(problem(get, 403))
    assert await audit_rows(gateway) == []


async def test_lookup_takes_no_write_transaction(gateway: InProcessService) -> None:
    """While a write session is open (on SQLite it holds the write gate every write session queues on), the lookup
    still answers: it reads through the person view's key look-up, not through a write session."""
    person = await person_in_read_model(gateway)
    async with gateway.runtime.maker() as writer:
        await writer.execute(select(1))
        r = await asyncio.wait_for(
            gateway.client.post(LOOKUP, json={"id_number": person}, headers=bearer(token(*READER))), 10)
    assert r.status_code == 200, r.text


async def test_lookup_is_documented_beside_the_get(gateway: InProcessService) -> None:
    spec = (await gateway.client.get("/openapi.json")).json()
    operation = spec["paths"][LOOKUP]["post"]
    assert "请求体" in operation["summary"]
    assert operation["tags"] == spec["paths"]["/v1/persons/{id_number}"]["get"]["tags"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == (
        spec["paths"]["/v1/persons/{id_number}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"])
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert schema["required"] == ["id_number"]
