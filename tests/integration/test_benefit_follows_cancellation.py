"""失业保险金 follows a cancelled (撤销) unemployment registration across the real broker and PostgreSQL: employment
registers the person as unemployed, social insurance decides the benefit and pays a month; employment cancels the
registration, and social insurance stops the benefit from its start and flags the month paid for recovery (追回) —
each event once and valid against its contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from hrss_contracts import contract_for
from hrss_shared.events import CloudEvent
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_social_insurance_benefit import benefits_of, contribution_history
from tests.integration.test_social_insurance_one_stop import Pair, social_events
from tests.support import InProcessService, KafkaNode, eventually, service_settings


@pytest.fixture
async def pair(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> AsyncIterator[Pair]:
    move_today(date(2026, 4, 10))
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    si = InProcessService(create_social_insurance, service_settings(
        SocialInsuranceSettings, db_url=await make_db("social_insurance"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with emp, si:
        yield Pair(employment=emp, social=si)


async def test_a_cancelled_registration_stops_the_benefit_and_recovers_the_month_paid(
    pair: Pair, kafka: KafkaNode, prefix: str
) -> None:
    person = factories.id_number(birth=date(1990, 5, 17))
    await contribution_history(pair.social, person)
    r = await pair.employment.client.post("/v1/unemployment-registrations", json={
        "id_number": person, "name": "周晓燕", "county_code": "330802", "registered_date": "2026-03-02",
        "separation_reason": "employer_closed"})
    assert r.status_code == 201, r.text
    registration_id = r.json()["id"]

    async def decided() -> list[dict[str, Any]] | None:
        return await benefits_of(pair.social, person) or None
    [benefit] = await eventually(decided, timeout=90, interval=0.5)
    assert (benefit["status"], benefit["unemployment_registration_id"]) == ("active", registration_id)
    r = await pair.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments",
                                      json={"month": "2026-03"})
    assert r.status_code == 201, r.text

    r = await pair.employment.client.post(f"/v1/unemployment-registrations/{registration_id}/cancel",
                                          json={"reason": "同一失业期重复登记"})
    assert r.status_code == 200, r.text

    async def stopped() -> dict[str, Any] | None:
        [found] = await benefits_of(pair.social, person)
        return found if found["status"] == "stopped" else None
    found = await eventually(stopped, timeout=90, interval=0.5)
    assert (found["stopped_date"], found["stop_reason"], found["registration_cancelled"],
            found["registration_cancel_reason"], found["recovery_months"], found["recovery_amount"]) == (
        "2026-03-02", "registration_cancelled", True, "同一失业期重复登记", 1, "1863.00")
    r = await pair.social.client.post(f"/v1/unemployment-benefits/{benefit['id']}/payments",
                                      json={"month": "2026-04"})
    assert r.status_code == 409, r.text

    async def published() -> list[CloudEvent] | None:
        events = [e for e in await social_events(kafka, prefix) if e.subject == person]
        return events if any(e.type.endswith("recovery_required.v1") for e in events) else None
    events = await eventually(published, timeout=60, interval=0.5)
    for e in events:
        contract_for(e.type).parse(e.data)
    names = [e.type.removeprefix("hrss.social-insurance.").removesuffix(".v1") for e in events
             if "benefit" in e.type]
    assert names == ["unemployment_benefit.decided", "benefit_payment.posted", "unemployment_benefit.stopped",
                     "unemployment_benefit.recovery_required"]
    [recovery] = [e for e in events if e.type.endswith("recovery_required.v1")]
    assert (recovery.data["months"], recovery.data["amount"], recovery.data["cause"]) == (
        ["2026-03"], "1863.00", "registration_cancelled")
