"""Helpers for the employment API tests: seeding through the API and reading tables directly."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select, text

from hrss_shared.problems import PROBLEM_JSON
from tests import factories
from tests.support import InProcessService

EMPLOYMENT_REGISTERED = "hrss.employment.employment.registered.v1"
EMPLOYMENT_TERMINATED = "hrss.employment.employment.terminated.v1"
UNEMPLOYMENT_REGISTERED = "hrss.employment.unemployment.registered.v1"
UNEMPLOYMENT_CLOSED = "hrss.employment.unemployment.closed.v1"
EMPLOYER_REGISTERED = "hrss.employment.employer.registered.v1"
JOB_SEEKER_REGISTERED = "hrss.employment.job_seeker.registered.v1"


async def outbox(svc: InProcessService) -> list[dict[str, Any]]:
    """Every outbox row, oldest first, with the CloudEvent payload parsed."""
    t = svc.runtime.infra.outbox
    async with svc.runtime.maker() as session:
        rows = (await session.execute(select(t).order_by(t.c.id))).mappings().all()
    return [{**dict(r), "event": json.loads(r["payload"])} for r in rows]


def key_of(svc: InProcessService, subject: str) -> str:
    """The Kafka message key the service's outbox gives events about ``subject`` (a keyed hash, never the subject)."""
    assert svc.runtime.outbox is not None
    return svc.runtime.outbox.key_for(subject)


async def outbox_types(svc: InProcessService) -> list[str]:
    return [r["event_type"] for r in await outbox(svc)]


async def count(svc: InProcessService, table: str) -> int:
    async with svc.runtime.maker() as session:
        return int((await session.execute(select(func.count()).select_from(text(table)))).scalar_one())


async def audit_rows(svc: InProcessService) -> list[dict[str, Any]]:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.maker() as session:
        return [dict(r) for r in (await session.execute(select(t).order_by(t.c.id))).mappings().all()]


async def new_employer(svc: InProcessService, county: str = "330802", **over: Any) -> dict[str, Any]:
    body = factories.employer(county, **over)
    r = await svc.client.post("/v1/employers", json=body)
    assert r.status_code == 201, r.text
    return body


async def employ(svc: InProcessService, id_number: str, credit_code: str, start_date: str = "2026-03-01",
                 **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/employment-registrations", json={
        "id_number": id_number, "name": "王小明", "credit_code": credit_code, "start_date": start_date, **over})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def unemploy(svc: InProcessService, id_number: str, registered_date: str = "2026-07-02",
                   county: str = "330802") -> dict[str, Any]:
    r = await svc.client.post("/v1/unemployment-registrations", json={
        "id_number": id_number, "name": "王小明", "county_code": county, "registered_date": registered_date})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def assert_problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """The response is problem+json with ``status``; with ``field``, one error names that field."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, body
    return body


def reason(body: dict[str, Any], field: str) -> str:
    return next(e["reason"] for e in body["errors"] if e["field"] == field)


async def key_group_member(svc: InProcessService, *, group: str | None, start_date: str, county: str,
                           end_date: str | None = None, source: str = "县人社局认定") -> str:
    """A registered job seeker, in ``group`` from ``start_date`` (no membership when group is None)."""
    seeker = factories.job_seeker(county)
    assert (await svc.client.post("/v1/job-seekers", json=seeker)).status_code == 201
    if group is not None:
        body = {"group": group, "source": source, "start_date": start_date}
        if group == "hard_to_employ":  # 就业困难人员认定 rests on an open unemployment registration and a category
            await unemploy(svc, seeker["id_number"], start_date, county)
            body |= {"category": "minimum_living", "evidence": "低保证 衢低保〔2020〕001号"}
        if end_date:
            body["end_date"] = end_date
        r = await svc.client.post(f"/v1/job-seekers/{seeker['id_number']}/key-groups", json=body)
        assert r.status_code == 201, r.text
    id_number: str = seeker["id_number"]
    return id_number
