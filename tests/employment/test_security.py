"""Employment service security: credentials, scopes, county limits, masking and the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, insert, update
from sqlalchemy.exc import DBAPIError

from tests import factories
from tests.employment.helpers import (
    assert_problem,
    audit_rows,
    count,
    employ,
    new_employer,
    outbox,
    unemploy,
)
from tests.support import InProcessService, bearer, token

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")


def no_auth() -> dict[str, str]:
    return {"Authorization": ""}


# ---- credentials and scopes ----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/v1/employers"), ("POST", "/v1/employers"), ("GET", "/v1/job-seekers"),
    ("GET", "/v1/employment-registrations"), ("POST", "/v1/employment-registrations"),
    ("GET", "/v1/unemployment-registrations"), ("GET", "/v1/audit"),
])
async def test_every_api_needs_a_credential(employment: InProcessService, method: str, path: str) -> None:
    r = await employment.client.request(method, path, headers=no_auth(), json={})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].lower().startswith("bearer")


async def test_expired_token_is_401(employment: InProcessService) -> None:
    r = await employment.client.get("/v1/employers", headers=bearer(token("employment:read", expired=True)))
    assert_problem(r, 401)


async def test_health_needs_no_credential(employment: InProcessService) -> None:
    assert (await employment.client.get("/healthz", headers=no_auth())).status_code == 200


async def test_read_scope_cannot_write(employment: InProcessService) -> None:
    reader = bearer(token("employment:read"))
    assert (await employment.client.get("/v1/employers", headers=reader)).status_code == 200
    r = await employment.client.post("/v1/employers", json=factories.employer(), headers=reader)
    assert "employment:write" in assert_problem(r, 403)["detail"]
    r = await employment.client.post("/v1/job-seekers", json=factories.job_seeker(), headers=reader)
    assert_problem(r, 403)
    assert await count(employment, "employers") == 0
    assert await count(employment, "job_seekers") == 0
    assert await outbox(employment) == []


async def test_other_domains_scopes_do_not_open_employment(employment: InProcessService) -> None:
    other = bearer(token("training:read", "training:write", "gateway:read", "pii:read"))
    assert_problem(await employment.client.get("/v1/employers", headers=other), 403)


async def test_write_scope_alone_cannot_read(employment: InProcessService) -> None:
    writer = bearer(token("employment:write"))
    assert (await employment.client.post("/v1/employers", json=factories.employer(), headers=writer)).status_code == 201
    assert_problem(await employment.client.get("/v1/employers", headers=writer), 403)


# ---- county-limited clients ----------------------------------------------------------------


async def test_county_client_cannot_read_another_countys_records(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", "employment:write", county="330803"))
    employer = await new_employer(employment, "330802")
    seeker = factories.job_seeker("330802")
    assert (await employment.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    reg = await employ(employment, seeker["id_number"], employer["credit_code"])
    assert_problem(await employment.client.get(f"/v1/employers/{employer['credit_code']}", headers=qujiang), 403)
    assert_problem(await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}", headers=qujiang), 403)
    assert_problem(await employment.client.get(f"/v1/employment-registrations/{reg['id']}", headers=qujiang), 403)


async def test_county_client_cannot_write_another_countys_records(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", "employment:write", county="330803"))
    kecheng_employer = await new_employer(employment, "330802")
    reg = await employ(employment, factories.id_number(), kecheng_employer["credit_code"])
    before = await outbox(employment)
    client = employment.client
    assert_problem(await client.post("/v1/employers", json=factories.employer("330802"), headers=qujiang), 403)
    assert_problem(await client.post("/v1/job-seekers", json=factories.job_seeker("330802"), headers=qujiang), 403)
    r = await client.post("/v1/employment-registrations", headers=qujiang, json={
        "id_number": factories.id_number("330803"), "name": "李四", "credit_code": kecheng_employer["credit_code"],
        "start_date": "2026-03-01"})
    assert_problem(r, 403)
    r = await client.post(f"/v1/employment-registrations/{reg['id']}/terminate", headers=qujiang,
                          json={"end_date": "2026-06-30", "reason": "x"})
    assert_problem(r, 403)
    r = await client.post("/v1/unemployment-registrations", headers=qujiang, json={
        "id_number": factories.id_number(), "name": "李四", "county_code": "330802", "registered_date": "2026-07-01"})
    assert_problem(r, 403)
    assert await outbox(employment) == before
    assert await count(employment, "employers") == 1
    assert await count(employment, "job_seekers") == 0
    assert await count(employment, "employment_registrations") == 1
    assert await count(employment, "unemployment_registrations") == 0
    still = (await client.get(f"/v1/employment-registrations/{reg['id']}")).json()
    assert still["status"] == "active"


async def test_county_client_writes_and_reads_its_own_county(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", "employment:write", county="330803"))
    employer = factories.employer("330803")
    assert (await employment.client.post("/v1/employers", json=employer, headers=qujiang)).status_code == 201
    r = await employment.client.get(f"/v1/employers/{employer['credit_code']}", headers=qujiang)
    assert r.status_code == 200


async def test_county_client_lists_only_its_county(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", county="330803"))
    for county in ("330802", "330803", "330803", "330881"):
        employer = await new_employer(employment, county)
        assert (await employment.client.post("/v1/job-seekers", json=factories.job_seeker(county))).status_code == 201
        await employ(employment, factories.id_number(county), employer["credit_code"])
        await unemploy(employment, factories.id_number(county), county=county)
    for path in ("/v1/employers", "/v1/job-seekers", "/v1/employment-registrations",
                 "/v1/unemployment-registrations"):
        body = (await employment.client.get(path, headers=qujiang)).json()
        assert body["count"] == 2, path
        assert {row["county_code"] for row in body["data"]} == {"330803"}, path
        own = (await employment.client.get(path, params={"county_code": "330803"}, headers=qujiang)).json()
        assert own["count"] == 2, path
        assert_problem(await employment.client.get(path, params={"county_code": "330802"}, headers=qujiang), 403)


# ---- masking and audit ---------------------------------------------------------------------


async def test_job_seekers_are_masked_without_pii_read_and_not_audited(employment: InProcessService) -> None:
    seeker = factories.job_seeker(phone="13857012345")
    writer = bearer(token("employment:write", "employment:read"))
    r = await employment.client.post("/v1/job-seekers", json=seeker, headers=writer)
    assert r.status_code == 201
    assert MASKED_ID.match(r.json()["id_number"])
    for body in (
        (await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}", headers=writer)).json(),
        (await employment.client.get("/v1/job-seekers", headers=writer)).json()["data"][0],
    ):
        assert MASKED_ID.match(body["id_number"]), body
        assert body["id_number"][:4] == seeker["id_number"][:4]
        assert body["id_number"][-4:] == seeker["id_number"][-4:]
        assert body["phone"] == "138****2345"
        assert MASKED_PHONE.match(body["phone"])
        assert body["name"] == seeker["name"]
    assert await audit_rows(employment) == []


async def test_registrations_are_masked_without_pii_read(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    person = factories.id_number()
    reg = await employ(employment, person, employer["credit_code"])
    reader = bearer(token("employment:read"))
    before = len(await audit_rows(employment))
    one = (await employment.client.get(f"/v1/employment-registrations/{reg['id']}", headers=reader)).json()
    listed = (await employment.client.get("/v1/employment-registrations", headers=reader)).json()
    assert MASKED_ID.match(one["id_number"])
    assert MASKED_ID.match(listed["data"][0]["id_number"])
    assert person not in str(listed)
    assert len(await audit_rows(employment)) == before


async def test_pii_read_unmasks_and_writes_one_audit_row_per_read(employment: InProcessService) -> None:
    seeker = factories.job_seeker()
    assert (await employment.client.post("/v1/job-seekers", json=seeker,
                                         headers=bearer(token("employment:write")))).status_code == 201
    assert await audit_rows(employment) == []
    pii = bearer(token("employment:read", "pii:read", client_id="c-pii-reader"))
    path = f"/v1/job-seekers/{seeker['id_number']}"
    r = await employment.client.get(path, headers={**pii, "X-Purpose": "unemployment benefit review 2026-118"})
    assert r.status_code == 200
    assert r.json()["id_number"] == seeker["id_number"]
    assert r.json()["phone"] == seeker["phone"]
    [row] = await audit_rows(employment)
    assert row["client_id"] == "c-pii-reader"
    assert row["action"] == f"GET {path}"
    assert row["subject"] == seeker["id_number"]
    assert row["purpose"] == "unemployment benefit review 2026-118"
    assert set(row["fields"]) == {"id_number", "phone"}
    assert row["at"] is not None
    r = await employment.client.get(path, headers=pii)
    assert r.status_code == 200
    rows = await audit_rows(employment)
    assert len(rows) == 2
    assert rows[1]["purpose"] is None


async def test_unmasked_list_audits_each_person_shown(employment: InProcessService) -> None:
    seekers = [factories.job_seeker() for _ in range(3)]
    for s in seekers:
        assert (await employment.client.post("/v1/job-seekers", json=s,
                                             headers=bearer(token("employment:write")))).status_code == 201
    pii = bearer(token("employment:read", "pii:read", client_id="c-list"))
    r = await employment.client.get("/v1/job-seekers", params={"limit": 2}, headers={**pii, "X-Purpose": "survey"})
    assert r.status_code == 200
    shown = {p["id_number"] for p in r.json()["data"]}
    rows = await audit_rows(employment)
    assert {row["subject"] for row in rows} == shown
    assert len(rows) == 2
    assert all(row["action"] == "GET /v1/job-seekers" and row["purpose"] == "survey" for row in rows)


async def test_refused_reads_are_not_audited(employment: InProcessService) -> None:
    seeker = factories.job_seeker("330802")
    assert (await employment.client.post("/v1/job-seekers", json=seeker,
                                         headers=bearer(token("employment:write")))).status_code == 201
    county = bearer(token("employment:read", "pii:read", county="330803"))
    assert_problem(await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}", headers=county), 403)
    assert_problem(await employment.client.get(f"/v1/job-seekers/{factories.id_number()}",
                                               headers=bearer(token("employment:read", "pii:read"))), 404)
    assert await audit_rows(employment) == []


async def test_audit_log_is_append_only(employment: InProcessService) -> None:
    t = employment.runtime.infra.audit_log
    seeker = factories.job_seeker()
    await employment.client.post("/v1/job-seekers", json=seeker, headers=bearer(token("employment:write")))
    await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}",
                                headers=bearer(token("employment:read", "pii:read")))
    [row] = await audit_rows(employment)
    for statement in (update(t).values(purpose="tampered"), delete(t)):
        async with employment.runtime.maker() as session:
            with pytest.raises(DBAPIError, match="append-only"):
                await session.execute(statement)
            await session.rollback()
    assert await audit_rows(employment) == [row]
    async with employment.runtime.maker() as session:  # appending still works
        await session.execute(insert(t).values(at=row["at"], client_id="c", client_name="c", action="GET /x"))
        await session.commit()
    assert len(await audit_rows(employment)) == 2


async def test_audit_api_needs_admin(employment: InProcessService) -> None:
    seeker = factories.job_seeker()
    await employment.client.post("/v1/job-seekers", json=seeker, headers=bearer(token("employment:write")))
    await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}",
                                headers=bearer(token("employment:read", "pii:read", client_id="c-aud")))
    not_admin = bearer(token("employment:read", "employment:write", "pii:read"))
    assert_problem(await employment.client.get("/v1/audit", headers=not_admin), 403)
    admin = bearer(token("admin", client_id="c-admin"))
    r = await employment.client.get("/v1/audit", params={"client_id": "c-aud"}, headers=admin)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1
    assert body["data"][0]["subject"] == seeker["id_number"]
    # Reading the audit log shows ID numbers unmasked, so that read is audited too.
    r = await employment.client.get("/v1/audit", params={"subject": seeker["id_number"]}, headers=admin)
    assert [(row["client_id"], row["action"]) for row in r.json()["data"]] == [
        ("c-admin", "GET /v1/audit"), ("c-aud", f"GET /v1/job-seekers/{seeker['id_number']}")]
