"""hrss.social-insurance.contributions.posted.v1 (a payer's month posted in bulk, naming the persons) gives the
read model that the equivalent contribution.posted events give: the persons' insurance sections and the employer
view's contribution rows, applied one by one or in one consumed batch, redelivered, and followed by a cancellation.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from gateway.main import create_app
from gateway.projection import CONSUMER
from hrss_contracts.social_insurance import (
    CONTRIBUTION_CANCELLED,
    CONTRIBUTION_POSTED,
    CONTRIBUTIONS_POSTED,
    ContributionsPosted,
)
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.gateway.conftest import gateway_settings
from tests.gateway.events import apply, apply_batch
from tests.support import InProcessService

AT = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
EMPLOYER = factories.credit_code("330802")


def si_event(contract: Contract[Any], data: dict[str, Any], at: datetime) -> CloudEvent:
    model = contract.parse(data)
    return CloudEvent(id=str(uuid.uuid4()),
                      source="/hrss/social-insurance", type=contract.type, time=at,
                      subject=contract.subject_of(model), data=data)


def bulk_data(persons: list[str], month: str, *, credit_code: str = EMPLOYER,
              insurance_type: str = "employee_pension") -> dict[str, Any]:
    return {"credit_code": credit_code, "insurance_type": insurance_type, "month": month,
            "policy_source": "浙江省2025年度社会保险缴费基数上下限（示例值）", "illustrative": True, "kind": "regular",
            "items": [{"id": f"{p}-{insurance_type}-{month}", "id_number": p, "county_code": "330802",
                       "enrolment_id": f"enr-{p}", "declared_base": "4000.00", "base": "4812.00",
                       "base_adjustment": "floor", "employer_amount": "769.92", "personal_amount": "384.96",
                       "paid_date": "2026-03-15"} for p in persons]}


def bulk_event(data: dict[str, Any], at: datetime = AT) -> CloudEvent:
    return si_event(CONTRIBUTIONS_POSTED, data, at)


def single_events(data: dict[str, Any], at: datetime = AT) -> list[CloudEvent]:
    """The contribution.posted events the bulk event stands for (the same time: the same transaction)."""
    model = CONTRIBUTIONS_POSTED.parse(data)
    assert isinstance(model, ContributionsPosted)
    return [si_event(CONTRIBUTION_POSTED, p.model_dump(mode="json"), at) for p in model.postings()]


async def state(svc: InProcessService) -> dict[str, list[tuple[Any, ...]]]:
    """The read-model rows the two paths fill: person sections, employer contribution rows, alert facts and alerts
    (without their evidence, which names the event type that proved them)."""
    async with svc.runtime.maker() as session:
        sections = (await session.execute(text(
            "SELECT id_number, section, doc FROM person_sections ORDER BY id_number, section"))).all()
        rows = (await session.execute(select(text("*")).select_from(text("employer_contributions"))
                                      .order_by(text("id")))).all()
        facts = (await session.execute(text(
            "SELECT kind, record_id, id_number, credit_code, county_code, month, status, detail FROM alert_facts "
            "ORDER BY kind, record_id"))).all()
        alerts = (await session.execute(text(
            "SELECT id, rule, subject, retracted FROM alerts ORDER BY id"))).all()
    return {"sections": [tuple(r) for r in sections], "employer_contributions": [tuple(r) for r in rows],
            "alert_facts": [tuple(r) for r in facts], "alerts": [tuple(r) for r in alerts]}


@pytest.fixture
async def twins(tmp_path: Path) -> AsyncIterator[tuple[InProcessService, InProcessService]]:
    (tmp_path / "bulk").mkdir()
    (tmp_path / "single").mkdir()
    async with InProcessService(create_app, gateway_settings(tmp_path / "bulk")) as a, \
            InProcessService(create_app, gateway_settings(tmp_path / "single")) as b:
        yield a, b


async def test_the_bulk_event_gives_the_read_model_of_the_single_events(
        twins: tuple[InProcessService, InProcessService]) -> None:
    by_bulk, by_single = twins
    persons = [factories.id_number("330802") for _ in range(3)]
    batches = [bulk_data(persons, "2025-01"), bulk_data(persons[:2], "2025-02"),
               bulk_data(persons[:1], "2025-01", insurance_type="unemployment"),
               bulk_data([factories.id_number("330802")], "2025-01", credit_code=factories.credit_code("330881"))]
    delivered = []
    for n, data in enumerate(batches):
        at = AT + timedelta(seconds=n)
        delivered.append(bulk_event(data, at))
        await apply(by_bulk, delivered[-1], consumer=CONSUMER)
        await apply(by_single, *single_events(data, at), consumer=CONSUMER)
    found = await state(by_bulk)
    assert found == await state(by_single)
    assert len(found["employer_contributions"]) == 7
    assert len([s for s in found["sections"] if s[1] == "insurance"]) == 4
    assert len([f for f in found["alert_facts"] if f[0] == "contribution"]) == 7  # the supervision rules see them

    # Redelivered: nothing changes. A later cancellation of one item: the same on both.
    await apply(by_bulk, delivered[0], consumer=CONSUMER)
    cancel = si_event(CONTRIBUTION_CANCELLED, {
        "id": f"{persons[1]}-employee_pension-2025-02", "id_number": persons[1], "county_code": "330802",
        "insurance_type": "employee_pension", "credit_code": EMPLOYER, "enrolment_id": f"enr-{persons[1]}",
        "month": "2025-02", "cancelled_date": "2026-04-01", "reason": "重复记账"}, AT + timedelta(minutes=5))
    await apply(by_bulk, cancel, consumer=CONSUMER)
    await apply(by_single, cancel, consumer=CONSUMER)
    after = await state(by_bulk)
    assert after == await state(by_single)
    assert after != found


async def test_in_one_consumed_batch_too(twins: tuple[InProcessService, InProcessService]) -> None:
    by_bulk, by_single = twins
    persons = [factories.id_number("330802") for _ in range(4)]
    first, second = bulk_data(persons, "2025-03"), bulk_data(persons[1:], "2025-04")
    await apply_batch(by_bulk, bulk_event(first, AT), bulk_event(second, AT + timedelta(seconds=1)), consumer=CONSUMER)
    await apply_batch(by_single, *single_events(first, AT), *single_events(second, AT + timedelta(seconds=1)),
                      consumer=CONSUMER)
    found = await state(by_bulk)
    assert found == await state(by_single)
    assert len(found["employer_contributions"]) == 7
    r = await by_bulk.client.get(f"/v1/employers/{EMPLOYER}")
    assert r.status_code == 200, r.text
