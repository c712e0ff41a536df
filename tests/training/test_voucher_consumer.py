"""再就业培训券 from employment's unemployment registrations: the training consumer's handler, called directly."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update

from hrss_contracts.employment import UNEMPLOYMENT_REGISTERED
from hrss_shared.consumer import PermanentEventError
from hrss_shared.events import CloudEvent
from tests import factories
from tests.support import InProcessService
from tests.training.helpers import TYPE, events_since, outbox
from training import consumers
from training.vouchers.models import Voucher
from training.vouchers.service import POLICY


def registration(id_number: str | None = None, **over: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "id_number": id_number or factories.id_number(), "name": "王小明",
            "county_code": "330802", "registered_date": "2026-03-02", "reason": "合同期满", **over}


def event(data: dict[str, Any], event_id: str | None = None) -> CloudEvent:
    return CloudEvent(id=event_id or str(uuid.uuid4()), source="/hrss/employment", type=UNEMPLOYMENT_REGISTERED.type,
                      time=datetime.now(UTC), subject=str(data.get("id_number", "x")), data=data)


async def apply(svc: InProcessService, ev: CloudEvent) -> None:
    """Run the handler in one transaction, as the consumer runner does."""
    handlers = consumers.handlers(lambda: svc.runtime.outbox)  # type: ignore[arg-type,return-value]
    async with svc.runtime.maker() as session, session.begin():
        await handlers[UNEMPLOYMENT_REGISTERED.type](session, ev)


def test_the_consumer_reads_employment_social_insurance_and_its_own_topic() -> None:
    assert consumers.TOPICS == ["hrss.employment", "hrss.training", "hrss.social-insurance"]
    assert set(consumers.handlers(lambda: None)) == {  # type: ignore[arg-type,return-value]
        UNEMPLOYMENT_REGISTERED.type, "hrss.employment.unemployment.cancelled.v1", TYPE("certificate.issued"),
        TYPE("certificate.corrected"),
        TYPE("certificate.cancelled"), TYPE("enrolment.completed"), TYPE("enrolment.corrected"),
        TYPE("enrolment.cancelled"), "hrss.employment.employment.registered.v1",
        "hrss.employment.employment.terminated.v1", "hrss.social-insurance.contribution.posted.v1",
        "hrss.social-insurance.contributions.posted.v1", "hrss.social-insurance.contribution.corrected.v1",
        "hrss.social-insurance.contribution.cancelled.v1"}


async def test_a_registration_issues_the_policy_voucher_once_however_often_delivered(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 5))
    data = registration()
    before = len(await outbox(training))
    ev = event(data)
    for _ in range(2):
        await apply(training, ev)
    await apply(training, event(data))  # the same registration in another event (a re-publication)
    listed = (await training.client.get("/v1/vouchers", params={"id_number": data["id_number"]})).json()["data"]
    assert len(listed) == 1
    [v] = listed
    rules = POLICY.at(date(2026, 3, 2))
    assert rules.illustrative is True
    assert (v["kind"], v["face_value"], v["issue_date"], v["expiry_date"], v["eligible_course_kinds"],
            v["unemployment_registration_id"], v["illustrative"], v["policy_source"], v["status"]) == (
        "reemployment", "2000.00", "2026-03-02", "2027-03-02", ["employment_skills", "entrepreneurship"],
        data["id"], True, rules.source, "issued")
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("voucher.issued")
    assert (row["event"]["data"]["unemployment_registration_id"], row["event"]["data"]["illustrative"]) == (
        data["id"], True)


async def test_a_new_spell_gives_a_new_voucher(training: InProcessService) -> None:
    person = factories.id_number()
    await apply(training, event(registration(person, registered_date="2025-01-10")))
    await apply(training, event(registration(person, registered_date="2026-02-01")))
    listed = (await training.client.get("/v1/vouchers", params={"id_number": person})).json()["data"]
    assert sorted(v["expiry_date"] for v in listed) == ["2026-01-10", "2027-02-01"]


async def test_a_registration_before_any_policy_is_dead_lettered(training: InProcessService) -> None:
    before = len(await outbox(training))
    with pytest.raises(PermanentEventError):
        await apply(training, event(registration(registered_date="2020-12-31")))
    assert await events_since(training, before) == []


async def test_a_cancelled_registration_cancels_its_unused_voucher_once(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 5))
    data = registration()
    await apply(training, event(data))
    before = len(await outbox(training))
    cancelled = CloudEvent(
        id=str(uuid.uuid4()), source="/hrss/employment", type="hrss.employment.unemployment.cancelled.v1",
        time=datetime.now(UTC), subject=data["id_number"], data={
            "id": data["id"], "id_number": data["id_number"], "registered_date": data["registered_date"],
            "reason": "重复登记"})
    handlers = consumers.handlers(lambda: training.runtime.outbox)  # type: ignore[arg-type,return-value]
    for _ in range(2):  # redelivered: nothing more
        async with training.runtime.maker() as session, session.begin():
            await handlers[cancelled.type](session, cancelled)
    [voucher] = (await training.client.get("/v1/vouchers", params={"id_number": data["id_number"]})).json()["data"]
    assert (voucher["status"], voucher["cancel_reason"]) == ("cancelled", "失业登记已撤销：重复登记")
    rows = await events_since(training, before)
    assert [r["event_type"] for r in rows] == [TYPE("voucher.cancelled")]
    await apply(training, event(data))  # the registration event again: no new voucher
    assert len((await training.client.get("/v1/vouchers", params={"id_number": data["id_number"]})).json()["data"]) == 1


async def test_a_redeemed_voucher_stays_when_its_registration_is_cancelled(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 5))
    data = registration()
    await apply(training, event(data))
    async with training.runtime.maker() as session, session.begin():
        await session.execute(  # a redeemed voucher, as after a redemption
            update(Voucher).where(Voucher.unemployment_registration_id == data["id"]).values(
            status="redeemed"))
    before = len(await outbox(training))
    handlers = consumers.handlers(lambda: training.runtime.outbox)  # type: ignore[arg-type,return-value]
    cancelled = CloudEvent(
        id=str(uuid.uuid4()), source="/hrss/employment", type="hrss.employment.unemployment.cancelled.v1",
        time=datetime.now(UTC), subject=data["id_number"], data={
            "id": data["id"], "id_number": data["id_number"], "registered_date": data["registered_date"],
            "reason": "重复登记"})
    async with training.runtime.maker() as session, session.begin():
        await handlers[cancelled.type](session, cancelled)
    assert await events_since(training, before) == []
