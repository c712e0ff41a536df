"""Helpers for the social-insurance tests: seeding through the API and the consumers, and the outbox rows each
change writes (checked against their contracts)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from hrss_contracts import contract_for
from hrss_contracts.employment import EMPLOYMENT_REGISTERED, EMPLOYMENT_TERMINATED
from hrss_shared.consumer import BatchHandler
from hrss_shared.events import CloudEvent
from social_insurance import consumers
from tests import factories
from tests.employment.helpers import assert_problem, key_of, outbox, reason
from tests.support import InProcessService

__all__ = ["assert_problem", "outbox", "reason"]


def TYPE(entity_verb: str) -> str:  # noqa: N802 - reads as the event type it builds
    """``"enrolment.registered"`` → ``"hrss.social-insurance.enrolment.registered.v1"``."""
    return f"hrss.social-insurance.{entity_verb}.v1"


async def events_since(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    """The outbox rows written after the first ``before``, each checked against its contract: the data validates,
    the subject is the contract's subject field and the key is the keyed hash of that subject."""
    rows = (await outbox(svc))[before:]
    for row in rows:
        event = CloudEvent.model_validate(row["event"])
        contract = contract_for(event.type)
        contract.parse(event.data)
        assert event.source == "/hrss/social-insurance"
        assert event.subject == str(event.data[contract.subject])
        assert row["key"] == key_of(svc, event.subject)
        assert row["event_type"] == event.type
    return rows


def types_of(rows: list[dict[str, Any]]) -> list[str]:
    return [r["event_type"].removeprefix("hrss.social-insurance.").removesuffix(".v1") for r in rows]


async def count_events(svc: InProcessService) -> int:
    return len(await outbox(svc))


def enrolment_body(insurance_type: str = "employee_pension", *, id_number: str | None = None,
                   credit_code: str | None = None, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id_number": id_number or factories.id_number(), "name": "王小明", "county_code": "330802",
                            "insurance_type": insurance_type, "start_date": "2025-01-01", **over}
    if credit_code is not None:
        body["credit_code"] = credit_code
    return body


async def enrol(svc: InProcessService, insurance_type: str = "employee_pension", **over: Any) -> dict[str, Any]:
    if "credit_code" not in over and insurance_type != "resident_pension" and not over.get("flexible"):
        over["credit_code"] = factories.credit_code()
    r = await svc.client.post("/v1/enrolments", json=enrolment_body(insurance_type, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def pay(svc: InProcessService, enrolment: dict[str, Any], month: str, base: str = "6000.00",
              **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id_number": enrolment["id_number"], "insurance_type": enrolment["insurance_type"],
                            "month": month, **over}
    if enrolment["credit_code"]:
        body["credit_code"] = enrolment["credit_code"]
    if enrolment["insurance_type"] != "resident_pension":
        body.setdefault("declared_base", base)
    r = await svc.client.post("/v1/contributions", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def employment_registered(id_number: str | None = None, credit_code: str | None = None,
                          **over: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "id_number": id_number or factories.id_number(), "name": "王小明",
            "credit_code": credit_code or factories.credit_code(), "employer_name": "衢州测试企业有限公司",
            "county_code": "330802", "start_date": "2026-03-01", **over}


def employment_terminated(registered: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {"id": registered["id"], "id_number": registered["id_number"], "credit_code": registered["credit_code"],
            "end_date": "2026-06-30", "reason": "合同期满", **over}


def event(event_type: str, data: dict[str, Any], event_id: str | None = None) -> CloudEvent:
    return CloudEvent(id=event_id or str(uuid.uuid4()), source="/hrss/employment", type=event_type,
                      time=datetime.now(UTC), subject=str(data.get("id_number", "x")), data=data)


async def apply(svc: InProcessService, ev: CloudEvent) -> None:
    """Run the consumer's handler in one transaction, as the consumer runner does."""
    found = consumers.handlers(lambda: svc.runtime.outbox)  # type: ignore[arg-type,return-value]
    async with svc.runtime.maker() as session, session.begin():
        await found[ev.type](session, ev)


async def apply_run(svc: InProcessService, events: list[CloudEvent]) -> None:
    """Run the consumer's batch handler over a run of events of one type in one transaction, as the consumer runner
    does with consecutive events of a polled batch."""
    handler = consumers.handlers(lambda: svc.runtime.outbox)[events[0].type]  # type: ignore[arg-type,return-value]
    assert isinstance(handler, BatchHandler) and {e.type for e in events} == {events[0].type}
    async with svc.runtime.maker() as session, session.begin():
        await handler.many(session, events)


async def register_employment(svc: InProcessService, data: dict[str, Any]) -> None:
    await apply(svc, event(EMPLOYMENT_REGISTERED.type, data))


async def terminate_employment(svc: InProcessService, data: dict[str, Any]) -> None:
    await apply(svc, event(EMPLOYMENT_TERMINATED.type, data))


async def enrolments_of(svc: InProcessService, id_number: str) -> list[dict[str, Any]]:
    r = await svc.client.get("/v1/enrolments", params={"id_number": id_number, "sort": "insurance_type"})
    assert r.status_code == 200, r.text
    data: list[dict[str, Any]] = r.json()["data"]
    return data
