"""成品人员视图: the person view is stored finished when what it shows changes, and GET /v1/persons/{id} serves those
bytes — the same bytes, masking and audit as the view assembled live from the sections and alerts — on SQLite and
PostgreSQL. Sections, alerts raised and retracted, and staff actions each re-render it in their own transaction."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import delete, select, text, update

from gateway import projection
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.persons import rendered, service
from gateway.persons.schemas import PersonView
from gateway.readmodel import views
from gateway.readmodel.models import PersonViewPending, PersonViewRendered
from hrss_contracts import employment as emp
from hrss_shared import clock, db, privacy
from hrss_shared.scheduler import Every, JobContext
from tests import factories
from tests.conftest import DbFactory
from tests.gateway.events import apply, apply_batch, employment_registered, person_in_read_model
from tests.gateway.test_alerts import contribution, ev, unemployment
from tests.support import InProcessService, bearer, eventually, migrate, on_each_database, token

READER = bearer(token("gateway:read"))
PII_READER = {**bearer(token("gateway:read", "pii:read", client_id="c-benefits")), "X-Purpose": "case-2026-0042"}
SUPERVISOR = bearer(token("gateway:read", "gateway:supervise", client_id="staff-1"))

gateway = on_each_database(create_app, GatewaySettings, "gateway")
scheduled = on_each_database(create_app, GatewaySettings, "gateway", scheduler_enabled=True)


async def live(svc: InProcessService, person: str, *, sees_pii: bool) -> bytes:
    """The view assembled from the sections and alerts at read time, serialised as the route serialises it."""
    view = await service.get_person(lookups=svc.runtime.lookups, id_number=person)
    with privacy.serialising(sees_pii):
        return TypeAdapter(PersonView).dump_json(view)


async def row(svc: InProcessService, person: str) -> Any:
    async with svc.runtime.reader() as session:
        return (await session.execute(select(PersonViewRendered).where(
            PersonViewRendered.id_number == person))).scalars().one_or_none()


async def audit(svc: InProcessService) -> list[dict[str, Any]]:
    t = svc.runtime.infra.audit_log
    async with svc.runtime.reader() as session:
        return [dict(r) for r in (await session.execute(select(t).order_by(t.c.id))).mappings().all()]


async def get(svc: InProcessService, person: str, headers: dict[str, str]) -> bytes:
    r = await svc.client.get(f"/v1/persons/{person}", headers=headers)
    assert r.status_code == 200, r.text
    return r.content


async def test_a_read_serves_the_stored_view_the_same_as_assembled_live(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    await apply(gateway, employment_registered(person))
    stored = await row(gateway, person)
    assert stored is not None and stored.county_code == "330802"
    masked = await get(gateway, person, READER)
    assert masked == stored.masked.encode() == await live(gateway, person, sees_pii=False)
    assert person not in masked.decode() and b'"status":"employed"' in masked
    assert await audit(gateway) == []
    unmasked = await get(gateway, person, PII_READER)
    assert unmasked == stored.unmasked.encode() == await live(gateway, person, sees_pii=True)
    [read] = await audit(gateway)
    assert (read["client_id"], read["subject"], read["purpose"]) == ("c-benefits", person, "case-2026-0042")
    assert set(read["fields"]) == {"id_number", "phone", "birth_date"}


async def test_the_read_uses_the_stored_bytes_until_another_policy_version_names_the_rules(
        gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    marker = '{"stored":true}'
    async with gateway.runtime.maker() as session, session.begin():
        await session.execute(update(PersonViewRendered).where(PersonViewRendered.id_number == person).values(
            masked=marker))
    assert await get(gateway, person, READER) == marker.encode()  # what is stored is what is served
    async with gateway.runtime.maker() as session, session.begin():
        await session.execute(update(PersonViewRendered).where(PersonViewRendered.id_number == person).values(
            policy_from="2000-01-01"))
    assert await get(gateway, person, READER) == await live(gateway, person, sees_pii=False)


async def test_the_view_job_renders_again_the_views_of_another_policy_version(
        gateway: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    people = sorted([await person_in_read_model(gateway), await person_in_read_model(gateway)])
    async with gateway.runtime.maker() as session, session.begin():
        await session.execute(update(PersonViewRendered).where(PersonViewRendered.id_number == people[0]).values(
            policy_from="2000-01-01"))  # rendered under an older version of the alert policy
    monkeypatch.setattr(views, "queued_here", False)
    monkeypatch.setattr(views, "last_deferral", float("-inf"))
    record = await rendered.job().run(JobContext(scheduled_for=clock.now(), maker=gateway.runtime.maker))
    assert record == "rendered 1 person views"
    current = (await row(gateway, people[1])).policy_from
    assert (await row(gateway, people[0])).policy_from == current
    assert await get(gateway, people[0], READER) == (await row(gateway, people[0])).masked.encode()
    assert await rendered.job().run(JobContext(scheduled_for=clock.now(), maker=gateway.runtime.maker)) == \
        "rendered 0 person views"


async def test_a_person_without_a_stored_view_is_read_live(gateway: InProcessService) -> None:
    """A database upgraded before views were stored: the answer is the same, assembled at read time."""
    person = await person_in_read_model(gateway)
    expected = await get(gateway, person, READER)
    async with gateway.runtime.maker() as session, session.begin():
        await session.execute(delete(PersonViewRendered))
    assert await get(gateway, person, READER) == expected == await live(gateway, person, sees_pii=False)
    await apply(gateway, employment_registered(person))  # the next change stores it again
    assert (await row(gateway, person)).masked.encode() == await get(gateway, person, READER)


async def test_alerts_raised_acted_on_and_retracted_re_render_the_view(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, "2026-03-01", "u1"), contribution(person, "2026-04", credit=credit),
                consumer=projection.CONSUMER)
    view = PersonView.model_validate_json(await get(gateway, person, READER))
    [alert] = view.alerts
    assert (alert.rule, alert.status) == ("unemployed_while_contributing", "open")
    acted = await gateway.client.post(f"/v1/alerts/{alert.id}/acknowledge", json={"note": "核查中"},
                                      headers=SUPERVISOR)
    assert acted.status_code == 200, acted.text
    answer = await get(gateway, person, READER)
    assert answer == await live(gateway, person, sees_pii=False)
    [acknowledged] = PersonView.model_validate_json(answer).alerts
    assert acknowledged.status == "acknowledged" and [n.note for n in acknowledged.notes] == ["核查中"]
    await apply(gateway, ev(emp.UNEMPLOYMENT_CANCELLED, {"id": "u1", "id_number": person,
                                                         "registered_date": "2026-03-01", "reason": "登记有误"}),
                consumer=projection.CONSUMER)
    answer = await get(gateway, person, READER)
    assert PersonView.model_validate_json(answer).alerts == []
    assert answer == (await row(gateway, person)).masked.encode() == await live(gateway, person, sees_pii=False)


async def test_a_refused_staff_action_leaves_the_view_as_it_was(gateway: InProcessService) -> None:
    person, credit = factories.id_number(), factories.credit_code()
    await apply(gateway, unemployment(person, "2026-03-01", "u1"), contribution(person, "2026-04", credit=credit),
                consumer=projection.CONSUMER)
    [alert] = PersonView.model_validate_json(await get(gateway, person, READER)).alerts
    await gateway.client.post(f"/v1/alerts/{alert.id}/resolve", json={"note": "已处理"}, headers=SUPERVISOR)
    before = await row(gateway, person)
    again = await gateway.client.post(f"/v1/alerts/{alert.id}/resolve", json={"note": "再次"}, headers=SUPERVISOR)
    assert again.status_code == 409
    assert (await row(gateway, person)).masked == before.masked


async def test_a_rolled_back_change_stores_no_view(gateway: InProcessService) -> None:
    person = factories.id_number()
    event = employment_registered(person)
    with pytest.raises(RuntimeError):
        async with gateway.runtime.maker() as session, session.begin():
            for hook in projection.CONSUMER.hooks:
                await hook.before(session, [event])
            await projection.CONSUMER.handlers[event.type](session, event)
            for hook in projection.CONSUMER.hooks:
                await hook.after(session)
            raise RuntimeError("the batch fails after its hooks ran")
    assert await row(gateway, person) is None
    assert (await gateway.client.get(f"/v1/persons/{person}", headers=READER)).status_code == 404
    await apply(gateway, event)
    assert await row(gateway, person) is not None


# ---- large transactions queue their views; the view job renders them after the catch-up --------------------------


async def pending(svc: InProcessService) -> list[str]:
    async with svc.runtime.reader() as session:
        return list((await session.execute(select(PersonViewPending.id_number).order_by(
            PersonViewPending.id_number))).scalars())


async def test_a_large_batch_queues_its_views_and_the_job_renders_them_after_the_catch_up(
        gateway: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await person_in_read_model(gateway)
    stale = await get(gateway, first, READER)
    monkeypatch.setattr(views, "INLINE_MAX", 2)  # more persons than this in one transaction: queued
    people = sorted([first, factories.id_number(), factories.id_number()])
    await apply_batch(gateway, *[employment_registered(p) for p in people])
    monkeypatch.setattr(views, "queued_here", False)  # this test drains the queue itself, not the gateway's follower
    assert await pending(gateway) == people
    assert all([await row(gateway, p) is None for p in people])  # the first one's view was stale: removed
    for p in people:  # meanwhile every read is assembled live, with the batch's changes
        assert await get(gateway, p, READER) == await live(gateway, p, sees_pii=False)
    assert await get(gateway, first, READER) != stale
    # The catch-up is still under way (it queued less than `quiet` seconds ago): the job leaves the queue alone.
    assert await rendered.render_pending(gateway.runtime.maker, quiet=60) == (0, 3)
    assert await rendered.render_pending(gateway.runtime.maker, chunk=2, quiet=0) == (3, 0)
    assert await pending(gateway) == []
    for p in people:
        stored = await row(gateway, p)
        assert stored.masked.encode() == await get(gateway, p, READER) == await live(gateway, p, sees_pii=False)


async def test_a_queued_person_rendered_by_a_small_transaction_leaves_the_queue(
        gateway: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "INLINE_MAX", 1)
    people = sorted([factories.id_number(), factories.id_number()])
    await apply_batch(gateway, *[employment_registered(p) for p in people])
    monkeypatch.setattr(views, "queued_here", False)  # not the gateway's follower: the next transaction renders one
    assert await pending(gateway) == people
    await apply(gateway, employment_registered(people[0]))
    assert await pending(gateway) == people[1:]
    assert (await row(gateway, people[0])).masked.encode() == await live(gateway, people[0], sees_pii=False)


async def test_the_view_job_runs_in_the_gateway_scheduler(
        scheduled: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    scheduler = scheduled.runtime.scheduler
    assert scheduler is not None and scheduler.jobs[rendered.JOB].schedule == Every(timedelta(minutes=1))
    monkeypatch.setattr(views, "INLINE_MAX", 1)
    people = sorted([factories.id_number(), factories.id_number()])
    await apply_batch(scheduled, *[employment_registered(p) for p in people])
    monkeypatch.setattr(views, "queued_here", False)  # the job renders the queue, not the gateway's follower
    monkeypatch.setattr(views, "last_deferral", float("-inf"))  # the catch-up is over
    for _ in range(100):  # the scheduler's own first tick may hold the job's lease for a moment
        record = await scheduler.run_now(rendered.JOB)
        if record is not None:
            break
        await asyncio.sleep(0.05)
    # The job rendered them: in this run, or in the scheduler's own first run of it, which may have come first.
    assert record is not None and record.error is None and record.outcome in (
        "rendered 2 person views", "rendered 0 person views")
    assert await pending(scheduled) == [] and all([await row(scheduled, p) is not None for p in people])


async def test_the_upgrade_to_finished_views_queues_every_known_person(make_db: DbFactory) -> None:
    """A database upgraded from revision 0011 has sections but no finished views: every person is queued."""
    from gateway.main import MIGRATIONS

    engine = db.make_engine(await make_db("mig_person_views"))
    try:
        await migrate(engine, MIGRATIONS, "upgrade", "0011")
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO person_sections (id_number, section, doc) VALUES "
                                    "('330802199001011234', 'identity', '{}'), "
                                    "('330802199001011234', 'employment', '{}'), "
                                    "('330802199202021234', 'identity', '{}')"))
        await migrate(engine, MIGRATIONS, "upgrade", "0012")
        async with engine.connect() as conn:
            queued = (await conn.execute(text("SELECT id_number FROM person_views_pending ORDER BY id_number"))).all()
        assert [r[0] for r in queued] == ["330802199001011234", "330802199202021234"]
    finally:
        await engine.dispose()


async def test_the_gateway_renders_what_its_catch_up_queued_once_it_is_over(
        gateway: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "INLINE_MAX", 1)
    people = sorted([factories.id_number(), factories.id_number()])
    await apply_batch(gateway, *[employment_registered(p) for p in people])
    assert await pending(gateway) == people and views.queued_here

    async def rendered_all() -> bool:
        return await pending(gateway) == [] and all([await row(gateway, p) is not None for p in people])

    await eventually(rendered_all, timeout=15)  # the follower: quiet for 2 s, then rendered
    assert not views.queued_here
