"""用人单位信息变更 and 注销: PATCH /v1/employers/{credit_code}, POST .../deactivate, and the employer list filters."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from hrss_shared.listing import CHINA_TZ
from tests import factories
from tests.employment.helpers import assert_problem, count, employ, key_of, new_employer, outbox, reason
from tests.support import InProcessService, bearer, token

EMPLOYER_UPDATED = "hrss.employment.employer.updated.v1"
EMPLOYER_DEACTIVATED = "hrss.employment.employer.deactivated.v1"
DEACTIVATION = {"deactivated_date": "2026-06-30", "reason": "企业注销登记"}


async def patch(
    svc: InProcessService, credit_code: str, body: dict[str, object], headers: dict[str, str] | None = None
) -> httpx.Response:
    return await svc.client.patch(f"/v1/employers/{credit_code}", json=body, headers=headers)


# ---- PATCH ---------------------------------------------------------------------------------


async def test_update_changes_the_fields_sent_and_writes_one_updated_event(employment: InProcessService) -> None:
    employer = await new_employer(employment, "330822", industry="制造业", size="small")
    before = len(await outbox(employment))
    r = await patch(employment, employer["credit_code"], {
        "name": "常山新名称有限公司", "industry": "建筑业", "size": "medium", "is_construction": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["name"], body["industry"], body["size"], body["is_construction"]) == (
        "常山新名称有限公司", "建筑业", "medium", True)
    assert body["county_code"] == "330822"
    assert body["updated_at"] is not None
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == EMPLOYER_UPDATED
    assert row["key"] == key_of(employment, employer["credit_code"])
    assert row["event"]["data"] == {
        "id": body["id"], "credit_code": employer["credit_code"], "name": "常山新名称有限公司", "county_code": "330822",
        "industry": "建筑业", "size": "medium", "is_construction": True,
        "changed": ["name", "industry", "size", "is_construction"], "previous_county_code": None,
    }
    again = (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()
    assert again["name"] == "常山新名称有限公司"


async def test_industry_and_size_can_be_cleared(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    r = await patch(employment, employer["credit_code"], {"industry": None, "size": None})
    assert r.status_code == 200
    assert (r.json()["industry"], r.json()["size"]) == (None, None)
    assert (await outbox(employment))[-1]["event"]["data"]["changed"] == ["industry", "size"]


async def test_update_with_unchanged_values_writes_no_event(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    before = await outbox(employment)
    r = await patch(employment, employer["credit_code"], {"name": employer["name"], "industry": employer["industry"]})
    assert r.status_code == 200
    assert r.json()["updated_at"] is None
    assert await outbox(employment) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"name": None}, "name"), ({"name": ""}, "name"), ({"is_construction": None}, "is_construction"),
    ({"size": "huge"}, "size"), ({"county_code": "330800"}, "county_code"), ({"county_code": None}, "county_code"),
    ({"industry": "x" * 101}, "industry"),
])
async def test_bad_update_is_422_naming_the_field_and_writes_nothing(
    employment: InProcessService, body: dict[str, object], field: str
) -> None:
    employer = await new_employer(employment)
    before = await outbox(employment)
    problem = assert_problem(await patch(employment, employer["credit_code"], body), 422, field)
    assert reason(problem, field)
    assert await outbox(employment) == before
    unchanged = (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()
    assert unchanged["name"] == employer["name"]


async def test_empty_update_is_422(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    body = assert_problem(await patch(employment, employer["credit_code"], {}), 422)
    assert "未提供" in body["detail"]


async def test_update_unknown_employer_is_404_and_bad_code_422(employment: InProcessService) -> None:
    assert_problem(await patch(employment, factories.credit_code(), {"name": "x"}), 404)
    assert_problem(await patch(employment, "91350100M000100Y44", {"name": "x"}), 422, "credit_code")


async def test_city_client_moves_an_employer_to_another_county(employment: InProcessService) -> None:
    employer = await new_employer(employment, "330802")
    city = bearer(token("employment:read", "employment:write"))
    r = await patch(employment, employer["credit_code"], {"county_code": "330881"}, headers=city)
    assert r.status_code == 200, r.text
    data = (await outbox(employment))[-1]["event"]["data"]
    assert (data["county_code"], data["previous_county_code"], data["changed"]) == ("330881", "330802",
                                                                                    ["county_code"])


async def test_county_client_cannot_move_an_employer_but_may_edit_its_own(employment: InProcessService) -> None:
    kecheng = bearer(token("employment:read", "employment:write", county="330802"))
    employer = await new_employer(employment, "330802")
    before = await outbox(employment)
    r = await patch(employment, employer["credit_code"], {"county_code": "330803", "name": "新名"}, headers=kecheng)
    assert "县" in assert_problem(r, 403)["detail"]
    assert await outbox(employment) == before
    assert (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()["name"] == employer["name"]
    r = await patch(employment, employer["credit_code"], {"county_code": "330802", "name": "新名"}, headers=kecheng)
    assert r.status_code == 200, r.text
    assert (await outbox(employment))[-1]["event"]["data"]["changed"] == ["name"]


async def test_county_client_cannot_edit_another_countys_employer(employment: InProcessService) -> None:
    qujiang = bearer(token("employment:read", "employment:write", county="330803"))
    employer = await new_employer(employment, "330802")
    before = await outbox(employment)
    assert_problem(await patch(employment, employer["credit_code"], {"name": "x"}, headers=qujiang), 403)
    r = await employment.client.post(f"/v1/employers/{employer['credit_code']}/deactivate", json=DEACTIVATION,
                                     headers=qujiang)
    assert_problem(r, 403)
    assert await outbox(employment) == before


async def test_read_scope_cannot_update(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    reader = bearer(token("employment:read"))
    assert_problem(await patch(employment, employer["credit_code"], {"name": "x"}, headers=reader), 403)


# ---- deactivation --------------------------------------------------------------------------


async def deactivate(svc: InProcessService, credit_code: str, body: dict[str, str] = DEACTIVATION) -> httpx.Response:
    return await svc.client.post(f"/v1/employers/{credit_code}/deactivate", json=body)


async def test_deactivate_once_writes_one_event_and_twice_is_409(employment: InProcessService) -> None:
    employer = await new_employer(employment, "330824")
    before = len(await outbox(employment))
    r = await deactivate(employment, employer["credit_code"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["deactivated_date"], body["deactivation_reason"]) == (
        "inactive", "2026-06-30", "企业注销登记")
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == EMPLOYER_DEACTIVATED
    assert row["key"] == key_of(employment, employer["credit_code"])
    assert row["event"]["data"] == {"id": body["id"], "credit_code": employer["credit_code"], "county_code": "330824",
                                    "deactivated_date": "2026-06-30", "reason": "企业注销登记"}
    problem = assert_problem(await deactivate(employment, employer["credit_code"],
                                              {"deactivated_date": "2026-07-01", "reason": "again"}), 409,
                             "credit_code")
    assert "2026-06-30" in problem["detail"]
    assert len(await outbox(employment)) == before + 1
    assert (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()["deactivated_date"] == (
        "2026-06-30")


async def test_deactivated_employer_cannot_be_updated_or_take_registrations(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    assert (await deactivate(employment, employer["credit_code"])).status_code == 200
    before = await outbox(employment)
    assert_problem(await patch(employment, employer["credit_code"], {"name": "复业"}), 409, "credit_code")
    r = await employment.client.post("/v1/employment-registrations", json={
        "id_number": factories.id_number(), "name": "王小明", "credit_code": employer["credit_code"],
        "start_date": "2026-07-01"})
    assert_problem(r, 422, "credit_code")
    assert await outbox(employment) == before


async def test_employer_with_active_registrations_cannot_be_deactivated(employment: InProcessService) -> None:
    employer = await new_employer(employment)
    reg = await employ(employment, factories.id_number(), employer["credit_code"], "2026-03-01")
    await employ(employment, factories.id_number(), employer["credit_code"], "2026-04-01")
    before = await outbox(employment)
    problem = assert_problem(await deactivate(employment, employer["credit_code"]), 409, "credit_code")
    assert problem["active_registrations"] == 2
    assert problem["existing_id"] == reg["id"]
    assert await outbox(employment) == before
    assert (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()["status"] == "active"


@pytest.mark.parametrize(("body", "field"), [
    ({"deactivated_date": "2099-01-01", "reason": "x"}, "deactivated_date"),
    ({"deactivated_date": "2026-02-30", "reason": "x"}, "deactivated_date"),
    ({"deactivated_date": "2026-06-30", "reason": ""}, "reason"),
    ({"reason": "x"}, "deactivated_date"),
])
async def test_bad_deactivation_is_422_and_writes_nothing(
    employment: InProcessService, body: dict[str, str], field: str
) -> None:
    employer = await new_employer(employment)
    before = await outbox(employment)
    assert_problem(await deactivate(employment, employer["credit_code"], body), 422, field)
    assert await outbox(employment) == before
    assert (await employment.client.get(f"/v1/employers/{employer['credit_code']}")).json()["status"] == "active"


async def test_deactivate_unknown_employer_is_404(employment: InProcessService) -> None:
    assert_problem(await deactivate(employment, factories.credit_code()), 404)
    assert await count(employment, "employers") == 0


# ---- list filters --------------------------------------------------------------------------


async def test_list_filters_by_industry_construction_status_and_created_date(employment: InProcessService) -> None:
    builder = await new_employer(employment, "330881", industry="建筑业", is_construction=True)
    await new_employer(employment, "330881", industry="制造业")
    closed = await new_employer(employment, "330802", industry="制造业")
    assert (await deactivate(employment, closed["credit_code"])).status_code == 200

    async def codes(**params: object) -> list[str]:
        r = await employment.client.get("/v1/employers", params=params)
        assert r.status_code == 200, r.text
        return [e["credit_code"] for e in r.json()["data"]]

    assert await codes(is_construction=True) == [builder["credit_code"]]
    assert len(await codes(is_construction=False)) == 2
    assert len(await codes(industry="制造业")) == 2
    assert await codes(status="inactive") == [closed["credit_code"]]
    assert len(await codes(status="active", county_code="330881")) == 2
    today = datetime.now(CHINA_TZ).date()
    assert len(await codes(from_date=today.isoformat(), to_date=today.isoformat())) == 3
    assert await codes(to_date=(today - timedelta(days=1)).isoformat()) == []
    assert await codes(from_date=(today + timedelta(days=1)).isoformat()) == []
    assert_problem(await employment.client.get("/v1/employers", params={"status": "closed"}), 422, "status")


async def test_list_sorts_by_name(employment: InProcessService) -> None:
    for name in ("乙公司", "甲公司", "丙公司"):
        await new_employer(employment, name=name)
    names = [e["name"] for e in (await employment.client.get("/v1/employers", params={"sort": "name"})).json()["data"]]
    assert names == sorted(names)
    desc = (await employment.client.get("/v1/employers", params={"sort": "-name"})).json()["data"]
    assert [e["name"] for e in desc] == sorted(names, reverse=True)
