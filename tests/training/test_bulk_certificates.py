"""POST /v1/bulk/certificates on SQLite and PostgreSQL: rows read back like API-written ones, one
certificate.issued event per written row (valid against its contract, the same data as the API's), a second run
writes and publishes nothing, refused rows are reported and not written, a 422 names the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import factories
from tests.conftest import MoveToday
from tests.support import InProcessService, bearer, post_bulk, token
from tests.training.helpers import (
    TYPE,
    WELDER,
    assert_problem,
    certificate_body,
    enrol,
    events_since,
    new_certificate,
    new_course,
    outbox,
)

VOLATILE = {"id", "certificate_number", "id_number", "created_at"}


async def bulk(svc: InProcessService, rows: list[dict[str, Any]], **kw: Any) -> Any:
    return await post_bulk(svc, "certificates", rows, **kw)


async def test_rows_read_back_like_the_api_and_publish_the_same_events(service: InProcessService) -> None:
    via_api = await new_certificate(service, level=3)
    api_event = (await outbox(service))[-1]["event"]["data"]
    before = len(await outbox(service))
    rows = [certificate_body(level=3), certificate_body(level=5, occupation=WELDER, county_code="330825")]
    r = await bulk(service, rows)
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "certificates", "received": 2, "written": 2, "skipped": 0, "events": 2, "refused": []}

    listed = {c["certificate_number"]: c for c in (await service.client.get(
        "/v1/certificates", params={"limit": 100})).json()["data"]}
    first, second = listed[rows[0]["certificate_number"]], listed[rows[1]["certificate_number"]]
    assert {k: v for k, v in first.items() if k not in VOLATILE} == {
        k: v for k, v in via_api.items() if k not in VOLATILE}
    assert (first["status"], first["corrections"], first["high_skill"], first["level_name"]) == (
        "valid", 0, True, "三级/高级工")
    assert (second["county_code"], second["occupation_name"], second["high_skill"]) == ("330825", "焊工", False)
    got = await service.client.get(f"/v1/certificates/{first['id']}")
    assert got.status_code == 200 and got.json() == first

    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [TYPE("certificate.issued")] * 2
    data = {e["event"]["data"]["certificate_number"]: e["event"]["data"] for e in events}
    assert data[rows[0]["certificate_number"]]["id"] == first["id"]
    assert {k: v for k, v in data[rows[0]["certificate_number"]].items() if k not in VOLATILE} == {
        k: v for k, v in api_event.items() if k not in VOLATILE}
    assert data[rows[1]["certificate_number"]]["id_number"] == rows[1]["id_number"]

    again = await bulk(service, rows)
    assert again.json() == {"kind": "certificates", "received": 2, "written": 0, "skipped": 2, "events": 0,
                            "refused": []}
    assert len(await outbox(service)) == before + 2


async def test_refused_rows_are_reported_and_not_written(service: InProcessService, move_today: MoveToday) -> None:
    taken = await new_certificate(service)
    move_today(date(2026, 3, 1))
    course = await new_course(service)
    enrolment = await enrol(service, course["id"])
    move_today(date(2026, 4, 30))
    before = len(await outbox(service))
    good = certificate_body()
    rows = [
        certificate_body(certificate_number=taken["certificate_number"]),  # 0: number recorded for someone else
        good,  # 1
        certificate_body(enrolment_id=enrolment["id"]),  # 2: someone else's enrolment, not completed
        certificate_body(enrolment_id="no-such-enrolment"),  # 3
        {**good, "id_number": factories.id_number(birth=date(1990, 1, 1))},  # 4: same number, another holder
        dict(good),  # 5: the same row twice in one request
        certificate_body(county_code="330825"),  # 6: another county (for the Kecheng client only)
    ]
    kecheng = bearer(token("training:read", "training:write", county="330802"))
    r = await bulk(service, rows, headers=kecheng)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["written"], body["skipped"], body["events"]) == (7, 1, 1, 1)
    refused = {x["row"]: x["reason"] for x in body["refused"]}
    assert sorted(refused) == [0, 2, 3, 4, 6]
    assert taken["id"] in refused[0] and "已登记" in refused[0]
    assert "enrolment_id" in refused[2] and "enrolment_id" in refused[3] and "不存在" in refused[3]
    assert "330802" in refused[6]
    numbers = [c["certificate_number"] for c in (await service.client.get(
        "/v1/certificates", params={"limit": 100})).json()["data"]]
    assert sorted(numbers) == sorted([taken["certificate_number"], good["certificate_number"]])
    assert len(await events_since(service, before)) == 1


async def test_a_bad_row_is_a_422_naming_its_field(service: InProcessService) -> None:
    before = len(await outbox(service))
    r = await bulk(service, [certificate_body(), certificate_body(issued_date="2026-05-01")])
    assert_problem(r, 422, "rows.1.issued_date")
    r = await bulk(service, [certificate_body(level=6)])
    assert_problem(r, 422, "rows.0.level")
    assert_problem(await bulk(service, []), 422, "rows")
    assert len(await outbox(service)) == before
    assert (await service.client.get("/v1/certificates")).json()["count"] == 0
