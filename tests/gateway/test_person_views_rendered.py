"""成品人员视图: the person view is stored finished when what it shows changes, and GET /v1/persons/{id} serves those
bytes — the same bytes, masking and audit as the view assembled live from the sections and alerts — on SQLite and
PostgreSQL. Sections, alerts raised and retracted, and staff actions each re-render it in their own transaction."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import delete, select, update

from gateway import projection
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.persons import service
from gateway.persons.schemas import PersonView
from gateway.readmodel.models import PersonViewRendered
from hrss_contracts import employment as emp
from hrss_shared import privacy
from tests import factories
from tests.gateway.events import apply, employment_registered, person_in_read_model
from tests.gateway.test_alerts import contribution, ev, unemployment
from tests.support import InProcessService, bearer, on_each_database, token

READER = bearer(token("gateway:read"))
PII_READER = {**bearer(token("gateway:read", "pii:read", client_id="c-benefits")), "X-Purpose": "case-2026-0042"}
SUPERVISOR = bearer(token("gateway:read", "gateway:supervise", client_id="staff-1"))

gateway = on_each_database(create_app, GatewaySettings, "gateway")


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
