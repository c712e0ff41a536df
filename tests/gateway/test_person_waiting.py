"""GET /v1/persons/{id}: ETag and If-None-Match (304), and Prefer: wait — a read that answers when the person's view
changes, woken by the read model's commit (or, for a change no signal reports, by its re-read)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.readmodel.store import PERSON_CHANGES, PERSONS
from hrss_shared.waiting import MAX_WAIT
from tests import factories
from tests.gateway.events import apply, employment_registered, job_seeker_registered, person_in_read_model
from tests.support import InProcessService, bearer, on_each_database, token

READER = bearer(token("gateway:read"))
PII_READER = {**bearer(token("gateway:read", "pii:read")), "X-Purpose": "test"}


gateway = on_each_database(create_app, GatewaySettings, "gateway")


async def get(svc: InProcessService, id_number: str, **headers: str) -> httpx.Response:
    return await svc.client.get(f"/v1/persons/{id_number}", headers={**READER, **headers})


async def watched(key_count: int = 1) -> None:
    """Until the waiting request has read once and watches its person (a read started before the change)."""
    for _ in range(500):
        if PERSON_CHANGES.watched >= key_count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the request never started waiting")


async def test_answer_has_an_etag_and_if_none_match_gets_304_until_the_view_changes(
        gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    first = await get(gateway, person)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert (await get(gateway, person)).headers["ETag"] == tag  # the same view, the same tag
    for held in (tag, f"W/{tag}", f'"other", {tag}'):
        r = await get(gateway, person, **{"If-None-Match": held})
        assert r.status_code == 304, held
        assert r.content == b"" and r.headers["ETag"] == tag
    assert (await get(gateway, person, **{"If-None-Match": '"other"'})).status_code == 200

    await apply(gateway, employment_registered(person))
    changed = await get(gateway, person, **{"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert changed.json()["employment"]["status"] == "employed"


async def test_masked_and_unmasked_views_have_different_tags(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    masked = await get(gateway, person)
    r = await gateway.client.get(f"/v1/persons/{person}",
                                 headers={**PII_READER, "If-None-Match": masked.headers["ETag"]})
    assert r.status_code == 200
    assert r.json()["id_number"] == person


async def test_waiting_read_of_an_unknown_person_answers_when_they_appear(gateway: InProcessService) -> None:
    person = factories.id_number("330802")
    waiting = asyncio.create_task(get(gateway, person, Prefer="wait=10"))
    await watched()
    assert not waiting.done()
    await apply(gateway, job_seeker_registered(person))
    r = await asyncio.wait_for(waiting, 10)
    assert r.status_code == 200, r.text
    assert r.headers["Preference-Applied"] == "wait=10"
    assert r.json()["identity"]["name"] == "王小明"
    assert PERSON_CHANGES.watched == 0


async def test_waiting_read_with_the_current_tag_answers_the_change(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    tag = (await get(gateway, person)).headers["ETag"]
    waiting = asyncio.create_task(get(gateway, person, Prefer="wait=10", **{"If-None-Match": tag}))
    await watched()
    await apply(gateway, employment_registered(person, registration_id="reg-waited-for"))
    r = await asyncio.wait_for(waiting, 10)
    assert r.status_code == 200
    assert r.headers["ETag"] != tag
    assert [e["id"] for e in r.json()["employment"]["employments"]] == ["reg-waited-for"]


async def test_a_change_of_another_person_does_not_answer_the_wait(gateway: InProcessService) -> None:
    person, other = await person_in_read_model(gateway), await person_in_read_model(gateway)
    # The commit tells the signal of the person it changed, and of no one else.
    with PERSON_CHANGES.watch(person) as mine, PERSON_CHANGES.watch(other) as theirs:
        await apply(gateway, employment_registered(other))
        assert theirs.is_set() and not mine.is_set()
    tag = (await get(gateway, person)).headers["ETag"]
    waiting = asyncio.create_task(get(gateway, person, Prefer="wait=1", **{"If-None-Match": tag}))
    await watched()
    await apply(gateway, employment_registered(other))
    r = await asyncio.wait_for(waiting, 10)
    assert r.status_code == 304  # after the wait: still the view the client holds
    assert r.headers["Preference-Applied"] == "wait=1"


async def test_a_change_no_signal_reports_is_found_by_the_re_read(
        gateway: InProcessService, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another gateway instance's consumer commits a change: this process hears nothing, its re-read finds it."""
    person = await person_in_read_model(gateway)
    tag = (await get(gateway, person)).headers["ETag"]
    waiting = asyncio.create_task(get(gateway, person, Prefer="wait=10", **{"If-None-Match": tag}))
    await watched()
    monkeypatch.setattr(PERSONS, "changes", None)
    await apply(gateway, employment_registered(person))
    r = await asyncio.wait_for(waiting, 10)
    assert r.status_code == 200
    assert r.json()["employment"]["status"] == "employed"


async def test_wait_ends_with_404_for_a_person_who_never_appears(gateway: InProcessService) -> None:
    r = await get(gateway, factories.id_number("330802"), Prefer="wait=1")
    assert r.status_code == 404
    assert PERSON_CHANGES.watched == 0


@pytest.mark.parametrize("prefer", ["wait=0", "wait=soon", "respond-async"])
async def test_no_readable_wait_answers_at_once(gateway: InProcessService, prefer: str) -> None:
    person = await person_in_read_model(gateway)
    tag = (await get(gateway, person)).headers["ETag"]
    r = await asyncio.wait_for(get(gateway, person, Prefer=prefer, **{"If-None-Match": tag}), 0.9 * MAX_WAIT)
    assert r.status_code == 304
    assert "Preference-Applied" not in r.headers
    unknown = await get(gateway, factories.id_number("330802"), Prefer=prefer)
    assert unknown.status_code == 404


async def test_a_stale_tag_is_answered_at_once(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    r = await get(gateway, person, Prefer="wait=10", **{"If-None-Match": '"an-older-view"'})
    assert r.status_code == 200
    assert PERSON_CHANGES.watched == 0


async def test_waiting_needs_the_same_credential(gateway: InProcessService) -> None:
    person = factories.id_number("330802")
    r = await gateway.client.get(f"/v1/persons/{person}", headers={"Authorization": "", "Prefer": "wait=10"})
    assert r.status_code == 401
    other_county = bearer(token("gateway:read", county="330803"))
    await apply(gateway, job_seeker_registered(person, county="330802"))
    r = await gateway.client.get(f"/v1/persons/{person}", headers={**other_county, "Prefer": "wait=10"})
    assert r.status_code == 403
