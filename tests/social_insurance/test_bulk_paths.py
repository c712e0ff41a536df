"""POST /v1/bulk/enrolments, /cards, /contributions: the API's rules set-based, on SQLite and PostgreSQL.

Rows written in bulk read back like rows written through the single-record API; each written row gets its event
(contributions: one ``contributions.posted`` per payer, month and type, naming each person); a second run writes
and publishes nothing; refused rows are reported and not written; a malformed row is a 422 naming its field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.social_insurance.helpers import (
    TYPE,
    count_events,
    employment_registered,
    enrol,
    enrolment_body,
    events_since,
    pay,
    register_employment,
    types_of,
)
from tests.support import InProcessService, offline, post_bulk

VOLATILE = {"id", "created_at", "updated_at", "card_number"}


@pytest.fixture
async def svc(make_db: DbFactory, tmp_path: Path) -> AsyncIterator[InProcessService]:
    settings = offline(SocialInsuranceSettings, db_url=await make_db("socialinsurance"), data_dir=tmp_path)
    async with InProcessService(create_app, settings) as service:
        yield service


async def bulk(svc: InProcessService, kind: str, rows: list[dict[str, Any]], status: int = 200) -> dict[str, Any]:
    r = await post_bulk(svc, kind, rows)
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def same(a: dict[str, Any], b: dict[str, Any], *ignore: str) -> None:
    skip = VOLATILE | set(ignore)
    assert {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}


async def get(svc: InProcessService, path: str) -> dict[str, Any]:
    r = await svc.client.get(path)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# ---- 参保登记 -------------------------------------------------------------------------------------------------


async def test_enrolments_read_back_like_api_ones_and_load_once(svc: InProcessService) -> None:
    employer = factories.credit_code()
    rows = [
        enrolment_body("employee_pension", credit_code=employer),
        enrolment_body("unemployment", credit_code=employer),
        enrolment_body("employee_pension", flexible=True),
        enrolment_body("resident_pension"),
    ]
    rows[1]["id_number"] = rows[0]["id_number"]
    before = await count_events(svc)
    report = await bulk(svc, "enrolments", rows)
    assert report == {"kind": "enrolments", "received": 4, "written": 4, "skipped": 0, "events": 4, "refused": []}
    events = await events_since(svc, before)
    assert types_of(events) == ["enrolment.registered"] * 4

    # The same row through the API gives the same record and the same event data.
    api_before = await count_events(svc)
    twin = await enrol(svc, "employee_pension", credit_code=factories.credit_code())
    api_event = (await events_since(svc, api_before))[0]["event"]["data"]
    bulk_event = events[0]["event"]["data"]
    written = await get(svc, f"/v1/enrolments/{bulk_event['id']}")
    same(written, twin, "id_number", "credit_code")
    assert written["status"] == "active" and written["activated_date"] == "2025-01-01"
    assert written["origin"] == "manual"
    same(bulk_event, api_event, "id_number", "credit_code")

    # A second run writes and publishes nothing.
    again_before = await count_events(svc)
    assert await bulk(svc, "enrolments", rows) == {
        "kind": "enrolments", "received": 4, "written": 0, "skipped": 4, "events": 0, "refused": []}
    assert await count_events(svc) == again_before


async def test_enrolments_refused_where_the_api_refuses(svc: InProcessService) -> None:
    existing = await enrol(svc, "employee_pension")
    resident = await enrol(svc, "resident_pension")
    person = factories.id_number()
    rows = [
        # 0: another employer while the person's employee pension is active → 409 in the API
        enrolment_body("employee_pension", id_number=existing["id_number"], credit_code=factories.credit_code()),
        # 1: employee pension while the resident pension is active
        enrolment_body("employee_pension", id_number=resident["id_number"], credit_code=factories.credit_code()),
        # 2: unemployment needs an employer
        enrolment_body("unemployment"),
        # 3 and 4: both pensions for one person in one request: the first wins
        enrolment_body("employee_pension", id_number=person, flexible=True),
        enrolment_body("resident_pension", id_number=person),
        # 5: the same row again in the request: skipped
        enrolment_body("employee_pension", id_number=person, flexible=True),
        # 6: before the insurance-types policy (2011-07-01): refused, not a 500
        enrolment_body("resident_pension", start_date="2011-06-30"),
    ]
    before = await count_events(svc)
    report = await bulk(svc, "enrolments", rows)
    assert (report["written"], report["skipped"], report["events"]) == (1, 1, 1)
    refused = {r["row"]: r for r in report["refused"]}
    assert sorted(refused) == [0, 1, 2, 4, 6]
    assert refused[6]["field"] == "start_date"
    assert refused[0]["existing_id"] == existing["id"] and refused[0]["field"] == "insurance_type"
    assert refused[1]["existing_id"] == resident["id"]
    assert refused[2]["field"] == "credit_code"
    assert refused[4]["field"] == "insurance_type"
    events = await events_since(svc, before)
    assert [e["event"]["data"]["id_number"] for e in events] == [person]
    listed = (await svc.client.get("/v1/enrolments", params={"id_number": existing["id_number"]})).json()["data"]
    assert [e["id"] for e in listed] == [existing["id"]]  # nothing written for a refused row


async def test_a_malformed_row_is_a_422_naming_its_field(svc: InProcessService) -> None:
    good = enrolment_body("resident_pension")
    bad = {**enrolment_body("resident_pension"), "id_number": "330802199001011234"}
    r = await svc.client.post("/v1/bulk/enrolments", json={"rows": [good, bad]})
    assert r.status_code == 422, r.text
    assert any(e["field"] == "rows.1.id_number" for e in r.json()["errors"]), r.text
    r = await svc.client.post("/v1/bulk/contributions", json={"rows": [
        {"id_number": good["id_number"], "insurance_type": "resident_pension", "month": "2025-13",
         "personal_amount": "100.00"}]})
    assert r.status_code == 422 and any(e["field"] == "rows.0.month" for e in r.json()["errors"]), r.text
    assert (await svc.client.post("/v1/bulk/cards", json={"rows": []})).status_code == 422


# ---- 发卡 -------------------------------------------------------------------------------------------------------


def card_row(id_number: str | None = None, **over: Any) -> dict[str, Any]:
    return {"id_number": id_number or factories.id_number(), "name": "王小明", "county_code": "330802",
            "issued_date": "2025-06-01", **over}


async def test_cards_one_per_person_numbered_after_the_api_ones(svc: InProcessService,
                                                              move_today: MoveToday) -> None:
    move_today(date(2026, 1, 20))
    r = await svc.client.post("/v1/cards", json=card_row())
    assert r.status_code == 201, r.text
    api_card = r.json()
    holder = card_row()
    r = await svc.client.post("/v1/cards", json=holder)
    assert r.status_code == 201
    rows = [card_row(), holder, card_row(issued_date="2026-01-20"), card_row(issued_date="2026-01-21")]
    rows.append(dict(rows[0]))  # the same person twice in one request
    rows.append(card_row(issued_date="2020-12-31"))  # the day before the card-services policy starts
    before = await count_events(svc)
    report = await bulk(svc, "cards", rows)
    assert (report["written"], report["skipped"], report["events"]) == (2, 2, 2)
    assert [(x["row"], x["field"]) for x in report["refused"]] == [(3, "issued_date"), (5, "issued_date")]
    events = await events_since(svc, before)
    assert types_of(events) == ["card.issued", "card.issued"]
    numbers = [e["event"]["data"]["card_number"] for e in events]
    assert numbers == ["Q00000003", "Q00000004"]
    found = (await svc.client.get("/v1/cards", params={"id_number": rows[0]["id_number"]})).json()["data"]
    assert len(found) == 1
    same(found[0], api_card, "id_number", "issued_date")
    assert found[0]["status"] == "active" and found[0]["services"] == api_card["services"]

    again = await count_events(svc)
    report = await bulk(svc, "cards", rows[:3])
    assert (report["written"], report["skipped"], report["events"]) == (0, 3, 0)
    assert await count_events(svc) == again


# ---- 缴费 -------------------------------------------------------------------------------------------------------


def row(enrolment: dict[str, Any], month: str, base: str | None = "6000.00", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id_number": enrolment["id_number"], "insurance_type": enrolment["insurance_type"],
                            "month": month, "paid_date": "2025-12-15", **over}
    if enrolment["credit_code"]:
        body.setdefault("credit_code", enrolment["credit_code"])
    if base is not None:
        body["declared_base"] = base
    return body


@pytest.mark.parametrize("base", ["4811.99", "4812.00", "5001.00", "26802.00", "26802.01"])
async def test_contribution_amounts_are_the_apis(svc: InProcessService, base: str) -> None:
    """Floor and ceiling edges (day before / on / after), and half-up to the fen (5001 × 0.5 % = 25.005 → 25.01)."""
    employer = factories.credit_code()
    kinds = ["employee_pension", "unemployment", "work_injury"]
    api = [await enrol(svc, kind, credit_code=employer) for kind in kinds]
    loaded = [await enrol(svc, kind, credit_code=employer) for kind in kinds]
    flexible_api = await enrol(svc, "employee_pension", flexible=True)
    flexible = await enrol(svc, "employee_pension", flexible=True)
    report = await bulk(svc, "contributions", [row(e, "2025-03", base) for e in [*loaded, flexible]])
    assert report["written"] == 4 and report["refused"] == []
    for by_api, by_bulk in zip([*api, flexible_api], [*loaded, flexible], strict=True):
        expected = await pay(svc, by_api, "2025-03", base, paid_date="2025-12-15")
        found = (await svc.client.get("/v1/contributions", params={"id_number": by_bulk["id_number"]})).json()["data"]
        same(found[0], expected, "id_number", "enrolment_id")
        assert found[0]["enrolment_id"] == by_bulk["id"]
    if base == "5001.00":
        unemployment = (await svc.client.get("/v1/contributions", params={
            "id_number": loaded[1]["id_number"], "insurance_type": "unemployment"})).json()["data"][0]
        assert unemployment["employer_amount"] == unemployment["personal_amount"] == "25.01"


async def test_contributions_one_event_per_employer_month_and_type(svc: InProcessService) -> None:
    employer = factories.credit_code()
    pension = [await enrol(svc, "employee_pension", credit_code=employer) for _ in range(3)]
    unemployment = await enrol(svc, "unemployment", credit_code=employer, id_number=pension[0]["id_number"])
    flexible = [await enrol(svc, "employee_pension", flexible=True, county_code=county)
                for county in ("330802", "330881")]
    rows = [row(e, m) for m in ("2025-01", "2025-02") for e in [*pension, unemployment, *flexible]]
    before = await count_events(svc)
    report = await bulk(svc, "contributions", rows)
    assert (report["written"], report["skipped"], report["refused"]) == (12, 0, [])
    events = await events_since(svc, before)
    # The employer: (2 types) × (2 months); the flexible workers: one contribution.posted each, as by the API.
    assert types_of(events) == ["contributions.posted"] * 4 + ["contribution.posted"] * 4
    assert report["events"] == 8
    by_group = {(e["event"]["subject"], e["event"]["data"]["month"], e["event"]["data"]["insurance_type"]):
                e["event"]["data"] for e in events[:4]}
    group = by_group[(employer, "2025-02", "employee_pension")]
    assert sorted(i["id_number"] for i in group["items"]) == sorted(e["id_number"] for e in pension)
    assert group["credit_code"] == employer and group["illustrative"] is True
    assert group["items"][0]["base"] == "6000.00" and group["items"][0]["employer_amount"] == "960.00"
    assert by_group[(employer, "2025-01", "unemployment")]["items"][0]["personal_amount"] == "30.00"
    # The items are the contributions as stored.
    stored = await get(svc, f"/v1/contributions/{group['items'][0]['id']}")
    assert stored["month"] == "2025-02" and stored["base"] == group["items"][0]["base"]

    # A flexible worker's month: the event the API would publish for it.
    personal = events[4]["event"]["data"]
    api_before = await count_events(svc)
    await pay(svc, flexible[0], "2025-03", paid_date="2025-12-15")
    api_event = (await events_since(svc, api_before))[-1]["event"]["data"]
    same(personal, api_event, "month")
    assert personal["employer_amount"] == "0.00" and personal["personal_amount"] == "1200.00"

    again = await count_events(svc)
    report = await bulk(svc, "contributions", rows)
    assert (report["written"], report["skipped"], report["events"]) == (0, 12, 0)
    assert await count_events(svc) == again


async def test_contributions_refused_where_the_api_refuses(svc: InProcessService) -> None:
    employer = factories.credit_code()
    enrolment = await enrol(svc, "employee_pension", credit_code=employer, start_date="2025-03-31")
    api_paid = await pay(svc, enrolment, "2025-04")
    resident = await enrol(svc, "resident_pension")
    rows = [
        row(enrolment, "2025-02"),  # 0: the month before the enrolment's first month
        row(enrolment, "2025-03"),  # 1: its first month (started on the 31st): written
        row(enrolment, "2025-04"),  # 2: already posted through the API: skipped
        row(enrolment, "2025-05", credit_code=factories.credit_code()),  # 3: not enrolled with that employer
        row(enrolment, "2099-01"),  # 4: after the current month
        row(enrolment, "2025-06", paid_date="2099-01-01"),  # 5: paid in the future
        row(enrolment, "2025-07", base=None),  # 6: no declared base
        row(resident, "2025-03", base=None, personal_amount="300.00"),  # 7: resident pension grade: written
        row(resident, "2025-04", base=None),  # 8: resident pension without the grade
        row(enrolment, "2025-03"),  # 9: the same month again in the request: skipped
    ]
    before = await count_events(svc)
    report = await bulk(svc, "contributions", rows)
    assert (report["written"], report["skipped"]) == (2, 2)
    assert [(r["row"], r["field"]) for r in report["refused"]] == [
        (0, "month"), (3, "month"), (4, "month"), (5, "paid_date"), (6, "declared_base"), (8, "personal_amount")]
    events = await events_since(svc, before)
    assert types_of(events) == ["contributions.posted", "contribution.posted"]  # the resident pension's own
    months = (await svc.client.get("/v1/contributions", params={"id_number": enrolment["id_number"],
                                                                 "sort": "month"})).json()["data"]
    assert [m["month"] for m in months] == ["2025-03", "2025-04"]
    assert months[1]["id"] == api_paid["id"]
    topped = (await svc.client.get("/v1/contributions", params={"id_number": resident["id_number"]})).json()["data"]
    assert topped[0]["personal_amount"] == "300.00" and topped[0]["base"] is None


async def test_a_pending_enrolment_is_activated_by_its_first_bulk_contribution(svc: InProcessService) -> None:
    """参保"一件事": as POST /v1/contributions does, the first contribution activates the pending enrolment."""
    registered = employment_registered(start_date="2025-01-10")
    await register_employment(svc, registered)
    pending = (await svc.client.get("/v1/enrolments", params={
        "id_number": registered["id_number"], "insurance_type": "employee_pension"})).json()["data"][0]
    assert pending["status"] == "pending"
    # A person whose earlier employer's enrolment is active: activation would transfer it, so the row is refused.
    moved = await enrol(svc, "employee_pension", start_date="2024-01-01")
    second = employment_registered(id_number=moved["id_number"], start_date="2025-02-01")
    await register_employment(svc, second)
    before = await count_events(svc)
    report = await bulk(svc, "contributions", [
        row(pending, "2025-02"), row(pending, "2025-01"),
        row({**moved, "credit_code": second["credit_code"]}, "2025-02")])
    assert report["written"] == 2 and [r["row"] for r in report["refused"]] == [2]
    assert report["refused"][0]["existing_id"] == moved["id"]
    events = await events_since(svc, before)
    assert types_of(events) == ["enrolment.activated", "contributions.posted", "contributions.posted"]
    activated = events[0]["event"]["data"]
    first = next(i for e in events[1:] for i in e["event"]["data"]["items"] if e["event"]["data"]["month"] == "2025-01")
    assert activated["id"] == pending["id"] and activated["contribution_id"] == first["id"]
    assert activated["status"] == "active"
    assert (await get(svc, f"/v1/enrolments/{pending['id']}"))["status"] == "active"
    assert TYPE("enrolment.activated") == events[0]["event_type"]


async def test_bulk_paths_need_the_write_scope(svc: InProcessService) -> None:
    from tests.support import bearer, token

    r = await svc.client.post("/v1/bulk/cards", json={"rows": [card_row()]},
                              headers=bearer(token("social-insurance:read")))
    assert r.status_code == 403
    county = await svc.client.post("/v1/bulk/cards", json={"rows": [card_row(county_code="330881")]},
                                   headers=bearer(token("social-insurance:write", county="330802")))
    assert county.status_code == 200 and county.json()["refused"][0]["field"] == "county_code"
    assert Decimal(county.json()["written"]) == 0
