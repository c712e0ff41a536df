"""The person view's card section across the real broker: a card issued by the real social-insurance service finds
its holder at the gateway by card number; after a replacement the old number finds no one and the new one does —
on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests import factories
from tests.conftest import DbFactory
from tests.support import InProcessService, KafkaNode, bearer, eventually, service_settings, token

READER = bearer(token("gateway:read"))


@dataclass
class Pair:
    social: InProcessService
    gateway: InProcessService


@pytest.fixture
async def pair(make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path) -> AsyncIterator[Pair]:
    def settings(cls: Any, db: str) -> Any:
        return service_settings(cls, db_url=db, bootstrap=kafka.bootstrap, prefix=prefix, data_dir=tmp_path)
    si = InProcessService(create_social_insurance,
                          settings(SocialInsuranceSettings, await make_db("social_insurance")))
    gw = InProcessService(create_gateway, settings(GatewaySettings, await make_db("gateway")))
    async with si, gw:
        yield Pair(social=si, gateway=gw)


async def test_the_gateway_finds_a_person_by_the_card_the_social_insurance_service_issued(pair: Pair) -> None:
    person = factories.id_number()
    r = await pair.social.client.post("/v1/cards", json={"id_number": person, "name": "王小明",
                                                        "county_code": "330802"})
    assert r.status_code == 201, r.text
    issued = r.json()
    number = issued["card_number"]

    async def found() -> dict[str, Any] | None:
        r = await pair.gateway.client.get(f"/v1/persons/{number}", headers=READER)
        body: dict[str, Any] = r.json()
        return body if r.status_code == 200 else None
    view = await eventually(found, timeout=90, interval=0.5)
    card = view["card"]["card"]
    assert (card["card_number"], card["status"]) == (number, "active")
    assert card["services"] == issued["services"]
    assert view["identity"]["name"] == "王小明"
    assert view["id_number"] != person and view["id_number"][-4:] == person[-4:]  # masked without pii:read
    assert view == (await pair.gateway.client.get(f"/v1/persons/{person}", headers=READER)).json()

    r = await pair.social.client.post(f"/v1/cards/{number}/replace", json={"reason": "损坏换卡"})
    assert r.status_code == 201, r.text
    new = r.json()["card_number"]

    async def replaced() -> dict[str, Any] | None:
        old = await pair.gateway.client.get(f"/v1/persons/{number}", headers=READER)
        r = await pair.gateway.client.get(f"/v1/persons/{new}", headers=READER)
        body: dict[str, Any] = r.json()
        return body if old.status_code == 404 and r.status_code == 200 else None
    view = await eventually(replaced, timeout=90, interval=0.5)
    assert view["card"]["card"]["card_number"] == new
    assert {(c["card_number"], c["status"]) for c in view["card"]["cards"]} == {(new, "active"),
                                                                                (number, "cancelled")}
