"""Gateway security: credentials, scopes, county limits, masking of the person view, audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hrss_shared.problems import PROBLEM_JSON
from tests import factories
from tests.gateway.events import apply, employment_registered, person_in_read_model
from tests.support import InProcessService, bearer, token

MASKED_ID = re.compile(r"^3308\*{10}[\dX]{4}$")
READER = ("gateway:read",)
PII_READER = ("gateway:read", "pii:read")


async def audit_rows(svc: InProcessService) -> list[dict[str, Any]]:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.maker() as session:
        return [dict(r) for r in (await session.execute(select(t).order_by(t.c.id))).mappings().all()]


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    return body


# ---- credentials and scopes ----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/persons/11010519491231002X"), ("GET", "/v1/clients"), ("POST", "/v1/clients"),
    ("GET", "/v1/audit"),
])
async def test_401_without_credential(gateway: InProcessService, method: str, path: str) -> None:
    r = await gateway.client.request(method, path, headers={"Authorization": ""})
    problem(r, 401)
    assert r.headers["www-authenticate"].lower().startswith("bearer")


async def test_401_for_expired_or_foreign_tokens(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    problem(await gateway.client.get(f"/v1/persons/{person}", headers=bearer(token(*READER, expired=True))), 401)
    foreign = token(*READER)
    header, claims, signature = foreign.split(".")
    problem(await gateway.client.get(f"/v1/persons/{person}",
                                     headers=bearer(f"{header}.{claims}.{signature[::-1]}")), 401)


async def test_403_without_the_gateway_scope(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    r = await gateway.client.get(f"/v1/persons/{person}", headers=bearer(token("employment:read", "pii:read")))
    assert "gateway:read" in problem(r, 403)["detail"]
    assert await audit_rows(gateway) == []


async def test_bad_id_number_in_path_is_422(gateway: InProcessService) -> None:
    r = await gateway.client.get("/v1/persons/110105194912310021", headers=bearer(token(*READER)))
    body = problem(r, 422)
    assert body["errors"][0]["field"] == "id_number"
    assert "校验码" in body["errors"][0]["reason"]


async def test_unknown_person_is_404(gateway: InProcessService) -> None:
    problem(await gateway.client.get(f"/v1/persons/{factories.id_number()}", headers=bearer(token(*READER))), 404)


# ---- county-limited clients ----------------------------------------------------------------


async def test_county_client_cannot_read_another_countys_person(gateway: InProcessService) -> None:
    kecheng = await person_in_read_model(gateway, county="330802")
    qujiang = await person_in_read_model(gateway, county="330803")
    client = bearer(token(*PII_READER, county="330803"))
    problem(await gateway.client.get(f"/v1/persons/{kecheng}", headers=client), 403)
    assert await audit_rows(gateway) == []
    r = await gateway.client.get(f"/v1/persons/{qujiang}", headers=client)
    assert r.status_code == 200
    assert r.json()["identity"]["county_code"] == "330803"


# ---- masking and audit ---------------------------------------------------------------------


async def test_person_view_is_masked_without_pii_read_and_not_audited(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await apply(gateway, employment_registered(person))
    r = await gateway.client.get(f"/v1/persons/{person}", headers=bearer(token(*READER)))
    assert r.status_code == 200
    body = r.json()
    assert MASKED_ID.match(body["id_number"]), body["id_number"]
    assert body["id_number"][-4:] == person[-4:]
    assert body["identity"]["phone"] == "138****2345"
    assert person not in r.text
    assert "13857012345" not in r.text
    assert body["identity"]["name"] == "王小明"
    assert body["employment"]["status"] == "employed"
    assert await audit_rows(gateway) == []


async def test_pii_read_unmasks_and_writes_exactly_one_audit_row(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    path = f"/v1/persons/{person}"
    headers = {**bearer(token(*PII_READER, client_id="c-benefits")), "X-Purpose": "benefit-check case 2026-0042"}
    r = await gateway.client.get(path, headers=headers)
    assert r.status_code == 200
    assert r.json()["id_number"] == person
    assert r.json()["identity"]["phone"] == "13857012345"
    [row] = await audit_rows(gateway)
    assert row["client_id"] == "c-benefits"
    assert row["client_name"]
    assert row["action"] == f"GET {path}"
    assert row["subject"] == person
    assert row["purpose"] == "benefit-check case 2026-0042"
    assert set(row["fields"]) == {"id_number", "phone", "birth_date"}
    assert row["correlation_id"] == r.headers["X-Correlation-ID"]
    await gateway.client.get(path, headers=headers)
    assert len(await audit_rows(gateway)) == 2


async def test_audit_log_is_append_only(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await gateway.client.get(f"/v1/persons/{person}", headers=bearer(token(*PII_READER)))
    t = gateway.runtime.infra.audit_log
    [row] = await audit_rows(gateway)
    for statement in (update(t).values(client_id="someone-else"), delete(t).where(t.c.id == row["id"])):
        async with gateway.runtime.maker() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(statement)
            await session.rollback()
    assert await audit_rows(gateway) == [row]


async def test_audit_api_needs_admin_and_lists_unmasked_reads(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await gateway.client.get(f"/v1/persons/{person}",
                             headers={**bearer(token(*PII_READER, client_id="c-x")), "X-Purpose": "review"})
    problem(await gateway.client.get("/v1/audit", headers=bearer(token(*PII_READER))), 403)
    r = await gateway.client.get("/v1/audit", params={"subject": person}, headers=bearer(token("admin")))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    entry = body["data"][0]
    assert (entry["client_id"], entry["subject"], entry["purpose"]) == ("c-x", person, "review")
    assert entry["action"] == f"GET /v1/persons/{person}"


async def test_audit_times_are_utc_instants(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await gateway.client.get(f"/v1/persons/{person}", headers=bearer(token(*PII_READER)))
    [entry] = (await gateway.client.get("/v1/audit", headers=bearer(token("admin")))).json()["data"]
    at = datetime.fromisoformat(entry["at"])
    assert at.utcoffset() == timedelta(0), f"audit time {entry['at']!r} carries no UTC offset"
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)
