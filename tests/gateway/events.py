"""Employment events as the gateway receives them, applied the way its consumer applies them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.readmodel import CONSUMER
from hrss_shared.app import ConsumerSpec
from hrss_shared.events import CloudEvent
from tests import factories
from tests.support import InProcessService

EMPLOYER_REGISTERED = "hrss.employment.employer.registered.v1"
JOB_SEEKER_REGISTERED = "hrss.employment.job_seeker.registered.v1"
EMPLOYMENT_REGISTERED = "hrss.employment.employment.registered.v1"
EMPLOYMENT_TERMINATED = "hrss.employment.employment.terminated.v1"
UNEMPLOYMENT_REGISTERED = "hrss.employment.unemployment.registered.v1"
UNEMPLOYMENT_CLOSED = "hrss.employment.unemployment.closed.v1"

_clock = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def event(type: str, subject: str, data: dict[str, Any], *, time: datetime | None = None) -> CloudEvent:
    global _clock
    _clock += timedelta(seconds=1)
    return CloudEvent(id=str(uuid.uuid4()), source="/hrss/employment", type=type, time=time or _clock,
                      subject=subject, data=data)


async def apply_batch(svc: InProcessService, *events: CloudEvent, consumer: ConsumerSpec = CONSUMER) -> None:
    """Apply events in one transaction with the consumer's batch hooks, as the gateway's consumer applies a poll
    (``consumer``: the read models' part by default; ``gateway.projection.CONSUMER`` for every part)."""
    async with svc.runtime.maker() as session, session.begin():
        for hook in consumer.hooks:
            await hook.before(session, events)
        for e in events:
            await consumer.handlers[e.type](session, e)
        for hook in consumer.hooks:
            await hook.after(session)


async def apply(svc: InProcessService, *events: CloudEvent, consumer: ConsumerSpec = CONSUMER) -> None:
    """Apply each event in its own transaction (a batch of one), as the consumer does when isolating a failure."""
    for e in events:
        await apply_batch(svc, e, consumer=consumer)


def job_seeker_registered(id_number: str, *, county: str = "330802", phone: str | None = "13857012345",
                          name: str = "王小明") -> CloudEvent:
    return event(JOB_SEEKER_REGISTERED, id_number, {
        "id_number": id_number, "name": name, "phone": phone, "county_code": county,
        "registered_date": "2026-02-01"})


def employment_registered(id_number: str, *, registration_id: str | None = None, credit_code: str | None = None,
                          county: str = "330802", start_date: str = "2026-03-01") -> CloudEvent:
    return event(EMPLOYMENT_REGISTERED, id_number, {
        "id": registration_id or str(uuid.uuid4()), "id_number": id_number, "name": "王小明",
        "credit_code": credit_code or factories.credit_code(county), "employer_name": "衢州测试企业有限公司",
        "county_code": county, "start_date": start_date, "occupation": "车工"})


def employment_terminated(id_number: str, *, registration_id: str, credit_code: str,
                          end_date: str = "2026-06-30") -> CloudEvent:
    return event(EMPLOYMENT_TERMINATED, id_number, {
        "id": registration_id, "id_number": id_number, "credit_code": credit_code, "end_date": end_date,
        "reason": "合同到期"})


async def person_in_read_model(svc: InProcessService, *, county: str = "330802") -> str:
    """A new person the gateway has heard of through a job-seeker registration."""
    id_number = factories.id_number(county)
    await apply(svc, job_seeker_registered(id_number, county=county))
    return id_number
