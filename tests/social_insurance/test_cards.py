"""第三代社会保障卡: one valid card per person with a unique number, report lost, replace (new number, the old one
cancelled), cancel, look-up by number and by ID number, and the card's service scenarios — each change one event."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import TYPE, assert_problem, count_events, events_since, types_of
from tests.support import InProcessService, bearer, token


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 3, 15))


async def issue(si: InProcessService, id_number: str | None = None, **over: Any) -> dict[str, Any]:
    r = await si.client.post("/v1/cards", json={"id_number": id_number or factories.id_number(), "name": "王小明",
                                                "county_code": "330802", **over})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_issue_numbers_cards_in_sequence_with_the_default_scenarios(si: InProcessService) -> None:
    before = await count_events(si)
    a = await issue(si)
    b = await issue(si, issued_date="2026-03-01")
    assert (a["card_number"], b["card_number"]) == ("Q00000001", "Q00000002")
    assert (a["status"], a["issued_date"], b["issued_date"]) == ("active", "2026-03-15", "2026-03-01")
    assert a["services"] == ["identity", "records", "self_service", "benefits", "medical_settlement"]
    rows = await events_since(si, before)
    assert types_of(rows) == ["card.issued", "card.issued"]
    assert (rows[0]["event"]["data"]["card_number"], rows[0]["event"]["data"]["id_number"]) == (
        "Q00000001", a["id_number"])
    assert_problem(await si.client.post("/v1/cards", json={"id_number": factories.id_number(), "name": "王小明",
                                                          "county_code": "330802", "issued_date": "2026-03-16"}),
                   422, "issued_date")


async def test_one_valid_card_per_person(si: InProcessService) -> None:
    card = await issue(si)
    r = await si.client.post("/v1/cards", json={"id_number": card["id_number"], "name": "王小明",
                                                "county_code": "330802"})
    body = assert_problem(r, 409, "id_number")
    assert (body["existing_id"], body["card_number"]) == (card["id"], card["card_number"])
    await si.client.post(f"/v1/cards/{card['card_number']}/report-lost", json={})
    assert_problem(await si.client.post("/v1/cards", json={"id_number": card["id_number"], "name": "王小明",
                                                          "county_code": "330802"}), 409, "id_number")
    before = await count_events(si)
    r = await si.client.post(f"/v1/cards/{card['card_number']}/cancel", json={"reason": "本人申请"})
    assert (r.status_code, r.json()["status"], r.json()["cancel_reason"]) == (200, "cancelled", "本人申请")
    [row] = await events_since(si, before)
    assert (row["event_type"], row["event"]["data"]["status"], row["event"]["data"]["reason"]) == (
        TYPE("card.cancelled"), "cancelled", "本人申请")
    again = await issue(si, card["id_number"])
    assert again["card_number"] != card["card_number"]


async def test_lost_then_replaced_with_a_new_number_and_the_old_one_cancelled(si: InProcessService) -> None:
    card = await issue(si)
    number = card["card_number"]
    before = await count_events(si)
    r = await si.client.post(f"/v1/cards/{number}/report-lost", json={"lost_date": "2026-03-16"})
    assert_problem(r, 422, "lost_date")
    r = await si.client.post(f"/v1/cards/{number}/report-lost", json={"lost_date": "2026-03-14"})
    assert_problem(r, 422, "lost_date")  # before the issue date
    r = await si.client.post(f"/v1/cards/{number}/report-lost", json={})
    assert (r.status_code, r.json()["status"], r.json()["lost_date"]) == (200, "lost", "2026-03-15")
    assert_problem(await si.client.post(f"/v1/cards/{number}/report-lost", json={}), 409, "status")
    await si.client.put(f"/v1/cards/{number}/services", json={"services": ["identity"]})  # refused while lost
    r = await si.client.post(f"/v1/cards/{number}/replace", json={"reason": "挂失补卡"})
    assert r.status_code == 201, r.text
    new = r.json()
    assert (new["status"], new["replaces_card_number"], new["services"]) == ("active", number, card["services"])
    assert new["card_number"] != number
    old = (await si.client.get(f"/v1/cards/{number}")).json()
    assert (old["status"], old["replaced_by_card_number"], old["cancelled_date"]) == (
        "cancelled", new["card_number"], "2026-03-15")
    rows = await events_since(si, before)
    assert types_of(rows) == ["card.reported_lost", "card.replaced", "card.issued"]
    assert (rows[1]["event"]["data"]["status"], rows[1]["event"]["data"]["new_card_number"]) == (
        "cancelled", new["card_number"])
    assert rows[2]["event"]["data"]["replaces_card_number"] == number
    for action, body in (("replace", {"reason": "x"}), ("cancel", {"reason": "x"}), ("report-lost", {})):
        assert_problem(await si.client.post(f"/v1/cards/{number}/{action}", json=body), 409, "status")


async def test_look_up_by_card_number_and_by_id_number(si: InProcessService) -> None:
    card = await issue(si)
    r = await si.client.get(f"/v1/cards/{card['card_number']}")
    assert (r.status_code, r.json()["id"]) == (200, card["id"])
    r = await si.client.get(f"/v1/cards/{card['card_number'].lower()}")
    assert r.json()["id"] == card["id"]
    r = await si.client.get("/v1/cards", params={"id_number": card["id_number"]})
    assert [c["id"] for c in r.json()["data"]] == [card["id"]]
    assert_problem(await si.client.get("/v1/cards/Q99999999"), 404)
    assert_problem(await si.client.get("/v1/cards/12345"), 422, "card_number")


async def test_service_scenarios_come_from_the_catalogue(si: InProcessService) -> None:
    catalogue = (await si.client.get("/v1/card-services")).json()
    codes = [s["code"] for s in catalogue["data"]]
    assert {"transport", "culture_tourism", "medical_settlement"} <= set(codes)
    assert {s["name"] for s in catalogue["data"]} >= {"交通出行", "文化旅游", "医疗结算"}
    assert catalogue["illustrative"] is True
    card = await issue(si)
    number = card["card_number"]
    before = await count_events(si)
    r = await si.client.put(f"/v1/cards/{number}/services", json={"services": ["transport", "identity", "transport"]})
    assert r.json()["services"] == ["identity", "transport"]
    r = await si.client.put(f"/v1/cards/{number}/services", json={"services": ["identity", "transport"]})
    assert r.status_code == 200  # no change, no event
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("card.services_changed")
    assert (row["event"]["data"]["enabled"], row["event"]["data"]["disabled"]) == (
        ["transport"], ["records", "self_service", "benefits", "medical_settlement"])
    assert_problem(await si.client.put(f"/v1/cards/{number}/services", json={"services": ["casino"]}), 422,
                   "services")
    r = await si.client.get("/v1/cards", params={"service": "transport"})
    assert [c["id"] for c in r.json()["data"]] == [card["id"]]


async def test_a_county_client_sees_only_its_county(si: InProcessService) -> None:
    card = await issue(si)
    other = bearer(token("social-insurance:read", "social-insurance:write", county="330881"))
    assert (await si.client.get(f"/v1/cards/{card['card_number']}", headers=other)).status_code == 403
    r = await si.client.get("/v1/cards", headers=other)
    assert r.json()["count"] == 0
    r = await si.client.post(f"/v1/cards/{card['card_number']}/cancel", json={"reason": "x"}, headers=other)
    assert r.status_code == 403


async def test_an_issue_date_before_the_card_policy_is_a_422_not_a_500(si: InProcessService) -> None:
    """policy/card_services.toml starts 2021-01-01: the day before has no scenarios in force."""
    body = {"id_number": factories.id_number(), "name": "王小明", "county_code": "330802"}
    assert_problem(await si.client.post("/v1/cards", json={**body, "issued_date": "2020-12-31"}), 422, "issued_date")
    assert (await si.client.post("/v1/cards", json={**body, "issued_date": "2021-01-01"})).status_code == 201
