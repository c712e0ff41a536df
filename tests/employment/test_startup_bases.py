"""创业孵化基地 / 返乡入乡创业基地: recognition, revocation, and the list the "30 bases" indicator counts."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.employment.helpers import assert_problem, count, key_of, outbox, outbox_types
from tests.support import InProcessService, bearer, token

RECOGNISED = "hrss.employment.startup_base.recognised.v1"
REVOKED = "hrss.employment.startup_base.revoked.v1"


def base(**over: Any) -> dict[str, Any]:
    return {"kind": "return_home", "name": "龙游县返乡入乡创业园", "county_code": "330825",
            "credit_code": factories.credit_code("330825"), "level": "provincial", "recognised_date": "2022-05-01",
            "capacity": 40, **over}


async def recognised(svc: InProcessService, **over: Any) -> dict[str, Any]:
    r = await svc.client.post("/v1/startup-bases", json=base(**over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_recognition_writes_one_recognised_event(employment: InProcessService) -> None:
    body = base()
    r = await employment.client.post("/v1/startup-bases", json=body)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "recognised" and got["kind_name"] == "返乡入乡创业基地"
    [row] = await outbox(employment)
    assert row["event_type"] == RECOGNISED and row["key"] == key_of(employment, body["credit_code"])
    assert row["event"]["data"] == {
        "id": got["id"], "credit_code": body["credit_code"], "kind": "return_home", "name": "龙游县返乡入乡创业园",
        "county_code": "330825", "level": "provincial", "recognised_date": "2022-05-01", "capacity": 40}
    assert (await employment.client.get(f"/v1/startup-bases/{got['id']}")).json() == got


@pytest.mark.parametrize(("over", "field"), [
    ({"kind": "coworking"}, "kind"), ({"capacity": 0}, "capacity"), ({"name": ""}, "name"),
    ({"county_code": "330100"}, "county_code"), ({"credit_code": "91350100M000100Y44"}, "credit_code"),
    ({"level": "village"}, "level"),
])
async def test_bad_base_is_422_naming_the_field_and_writes_nothing(
    employment: InProcessService, over: dict[str, Any], field: str
) -> None:
    assert_problem(await employment.client.post("/v1/startup-bases", json=base(**over)), 422, field)
    assert await count(employment, "startup_bases") == 0
    assert await outbox(employment) == []


async def test_same_kind_and_name_in_a_county_is_409_until_revoked(employment: InProcessService) -> None:
    first = await recognised(employment)
    r = await employment.client.post("/v1/startup-bases", json=base(recognised_date="2023-01-01"))
    problem = assert_problem(r, 409, "name")
    assert problem["existing_id"] == first["id"]
    assert await outbox_types(employment) == [RECOGNISED]
    await recognised(employment, kind="incubation")  # another kind with the same name is a different base
    await recognised(employment, county_code="330881")  # and so is one in another county
    r = await employment.client.post(f"/v1/startup-bases/{first['id']}/revoke",
                                     json={"revoked_date": "2023-06-30", "reason": "年度考核不合格"})
    assert r.status_code == 200, r.text
    await recognised(employment, recognised_date="2024-01-01")


async def test_revocation_writes_one_revoked_event_once(employment: InProcessService) -> None:
    got = await recognised(employment)
    url = f"/v1/startup-bases/{got['id']}/revoke"
    assert_problem(await employment.client.post(url, json={"revoked_date": "2022-04-30", "reason": "x"}),
                   422, "revoked_date")
    assert_problem(await employment.client.post(url, json={"revoked_date": "2023-06-30"}), 422, "reason")
    r = await employment.client.post(url, json={"revoked_date": "2023-06-30", "reason": "年度考核不合格"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked" and r.json()["revoke_reason"] == "年度考核不合格"
    rows = await outbox(employment)
    assert [x["event_type"] for x in rows] == [RECOGNISED, REVOKED]
    assert rows[1]["event"]["data"] == {
        "id": got["id"], "credit_code": got["credit_code"], "kind": "return_home", "county_code": "330825",
        "revoked_date": "2023-06-30", "reason": "年度考核不合格"}
    again = assert_problem(await employment.client.post(url, json={"revoked_date": "2023-07-01", "reason": "x"}),
                           409, "status")
    assert again["current_status"] == "revoked"
    assert await outbox_types(employment) == [RECOGNISED, REVOKED]
    assert_problem(await employment.client.post("/v1/startup-bases/nope/revoke",
                                                json={"revoked_date": "2023-07-01", "reason": "x"}), 404)


async def test_list_counts_recognised_return_home_bases_by_county(employment: InProcessService) -> None:
    a = await recognised(employment, name="柯城返乡创业园", county_code="330802", recognised_date="2021-06-01")
    b = await recognised(employment, name="江山返乡创业园", county_code="330881", recognised_date="2022-06-01",
                         capacity=80)
    c = await recognised(employment, name="江山创业孵化园", county_code="330881", kind="incubation",
                         recognised_date="2023-06-01")
    d = await recognised(employment, name="江山第二返乡创业园", county_code="330881", recognised_date="2023-09-01")
    await employment.client.post(f"/v1/startup-bases/{d['id']}/revoke",
                                 json={"revoked_date": "2024-01-01", "reason": "停止运营"})
    ids = lambda r: [x["id"] for x in r.json()["data"]]  # noqa: E731
    url = "/v1/startup-bases"
    r = await employment.client.get(url, params={"kind": "return_home", "status": "recognised"})
    assert r.json()["count"] == 2 and ids(r) == [b["id"], a["id"]]
    r = await employment.client.get(url, params={"kind": "return_home", "status": "recognised",
                                                 "county_code": "330881"})
    assert r.json()["count"] == 1
    assert ids(await employment.client.get(url)) == [d["id"], c["id"], b["id"], a["id"]]
    assert ids(await employment.client.get(url, params={"sort": "-capacity"}))[0] == b["id"]
    assert ids(await employment.client.get(url, params={"sort": "name"})) == sorted(
        [a["id"], b["id"], c["id"], d["id"]], key=lambda i: {a["id"]: a, b["id"]: b, c["id"]: c, d["id"]: d}[i]["name"])
    assert ids(await employment.client.get(url, params={"from_date": "2022-01-01", "to_date": "2023-06-30"})) == [
        c["id"], b["id"]]
    assert ids(await employment.client.get(url, params={"kind": "incubation"})) == [c["id"]]
    r = await employment.client.get(url, params={"limit": 1, "offset": 3})
    assert ids(r) == [a["id"]] and r.json()["count"] == 4
    assert_problem(await employment.client.get(url, params={"sort": "county_code"}), 422, "sort")
    assert_problem(await employment.client.get(url, params={"kind": "park"}), 422, "kind")


async def test_county_client_works_only_in_its_county(employment: InProcessService) -> None:
    mine = await recognised(employment, county_code="330822", name="常山返乡创业园")
    theirs = await recognised(employment, county_code="330825")
    client = bearer(token("employment:read", "employment:write", county="330822"))
    r = await employment.client.get("/v1/startup-bases", headers=client)
    assert [x["id"] for x in r.json()["data"]] == [mine["id"]]
    assert_problem(await employment.client.get(f"/v1/startup-bases/{theirs['id']}", headers=client), 403)
    assert_problem(await employment.client.post(f"/v1/startup-bases/{theirs['id']}/revoke", headers=client,
                                                json={"revoked_date": "2023-01-01", "reason": "x"}), 403)
    assert_problem(await employment.client.post("/v1/startup-bases", headers=client, json=base()), 403)
    assert await count(employment, "startup_bases") == 2
