"""Helpers for the training API tests: seeding institutions, courses and enrolments through the API, and the
outbox rows each change writes (checked against their contracts)."""

from __future__ import annotations

import itertools
from typing import Any

from hrss_contracts import contract_for
from hrss_shared.events import CloudEvent
from tests import factories
from tests.employment.helpers import assert_problem, audit_rows, count, key_of, outbox, reason
from tests.support import InProcessService
from training import consumers

__all__ = ["assert_problem", "audit_rows", "count", "key_of", "outbox", "reason"]

_seq = itertools.count(1)
ELECTRICIAN = ("6-31-01-03", "电工")
WELDER = ("6-18-02-04", "焊工")


def TYPE(entity_verb: str) -> str:  # noqa: N802 - reads as the event type it builds
    """``"enrolment.enrolled"`` → ``"hrss.training.enrolment.enrolled.v1"``."""
    return f"hrss.training.{entity_verb}.v1"


async def events_since(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    """The outbox rows written after the first ``before``, each checked against its contract: the CloudEvent
    parses, its data validates against the contract of its type, its subject is the contract's subject field
    and its message key is the keyed hash of that subject."""
    rows = (await outbox(svc))[before:]
    for row in rows:
        event = CloudEvent.model_validate(row["event"])
        contract = contract_for(event.type)
        contract.parse(event.data)
        assert event.source == "/hrss/training"
        assert event.subject == str(event.data[contract.subject])
        assert row["key"] == key_of(svc, event.subject)
        assert row["event_type"] == event.type
    return rows


def institution_body(county: str = "330802", **over: Any) -> dict[str, Any]:
    return {"credit_code": factories.credit_code(county), "name": f"衢州测试职业培训学校{next(_seq)}",
            "county_code": county, "kind": "private_provider", **over}


async def new_institution(svc: InProcessService, county: str = "330802", **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/institutions", json=institution_body(county, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def accreditation_body(occupation: tuple[str, str] = ELECTRICIAN, **over: Any) -> dict[str, Any]:
    return {"occupation_code": occupation[0], "occupation_name": occupation[1], "valid_from": "2021-01-01",
            "valid_until": "2030-12-31", **over}


async def accredit(svc: InProcessService, institution_id: str, valid_from: str = "2021-01-01",
                   valid_until: str = "2030-12-31", occupation: tuple[str, str] = ELECTRICIAN) -> dict[str, Any]:
    r = await svc.client.post(f"/v1/institutions/{institution_id}/accreditations",
                              json=accreditation_body(occupation, valid_from=valid_from, valid_until=valid_until))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def course_body(institution_id: str, **over: Any) -> dict[str, Any]:
    return {"institution_id": institution_id, "occupation_code": ELECTRICIAN[0], "occupation_name": ELECTRICIAN[1],
            "kind": "employment_skills", "target_level": 4, "hours": 100, "fee_per_trainee": "1280.00",
            "capacity": 30, "start_date": "2026-03-01", "end_date": "2026-04-30", "county_code": "330802", **over}


async def new_course(svc: InProcessService, institution_id: str | None = None, **over: Any) -> dict[str, Any]:
    """A published course (of a new institution accredited 2021–2030 for 电工 unless one is given)."""
    if institution_id is None:
        institution_id = (await new_institution(svc, over.get("county_code", "330802")))["id"]
        await accredit(svc, institution_id)
    r = await svc.client.post("/v1/courses", json=course_body(institution_id, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def enrol(svc: InProcessService, course_id: str, id_number: str | None = None,
                name: str = "王小明") -> dict[str, Any]:
    r = await svc.client.post("/v1/enrolments", json={
        "course_id": course_id, "id_number": id_number or factories.id_number(), "name": name})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def certificate_body(id_number: str | None = None, level: int = 4, occupation: tuple[str, str] = ELECTRICIAN,
                     **over: Any) -> dict[str, Any]:
    return {"certificate_number": f"Y{next(_seq):06d}3308{level}", "id_number": id_number or factories.id_number(),
            "name": "李技工", "county_code": "330802", "occupation_code": occupation[0],
            "occupation_name": occupation[1], "level": level, "evaluation_org": "衢州市职业技能鉴定指导中心",
            "issued_date": "2026-03-10", **over}


async def new_certificate(svc: InProcessService, id_number: str | None = None, level: int = 4,
                          **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/certificates", json=certificate_body(id_number, level, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def deliver_own_events(svc: InProcessService, before: int = 0, times: int = 1) -> int:
    """Run the training service's own consumer handlers over its outbox rows after the first ``before``, each in
    its own transaction as the consumer runner does (``times`` > 1 redelivers each); the outbox length after."""
    handlers = consumers.handlers(lambda: svc.runtime.outbox)  # type: ignore[arg-type,return-value]
    done = before
    while True:
        rows = (await outbox(svc))[done:]
        if not rows:
            return done
        done += len(rows)
        for row in rows:
            event = CloudEvent.model_validate(row["event"])
            handler = handlers.get(event.type)
            if handler is None:
                continue
            for _ in range(times):
                async with svc.runtime.maker() as session, session.begin():
                    await handler(session, event)
