"""培训机构 and 培训资质认定: POST/GET/PATCH /v1/institutions, POST .../accreditations, their events and the list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from hrss_shared import clock
from tests.support import InProcessService, bearer, token
from tests.training.helpers import (
    ELECTRICIAN,
    TYPE,
    WELDER,
    accredit,
    assert_problem,
    count,
    events_since,
    institution_body,
    new_institution,
    outbox,
    reason,
)
from tests.training.helpers import (
    accreditation_body as accreditation,
)

# ---- registration --------------------------------------------------------------------------


async def test_register_answers_the_institution_and_writes_one_registered_event(training: InProcessService) -> None:
    body = institution_body("330881", kind="technical_school", name="江山市技工学校")
    r = await training.client.post("/v1/institutions", json=body)
    assert r.status_code == 201, r.text
    answer = r.json()
    assert {k: answer[k] for k in ("credit_code", "name", "county_code", "kind", "status", "accreditations")} == {
        "credit_code": body["credit_code"], "name": "江山市技工学校", "county_code": "330881",
        "kind": "technical_school", "status": "active", "accreditations": []}
    [row] = await events_since(training, 0)
    assert row["event_type"] == TYPE("institution.registered")
    assert row["event"]["subject"] == body["credit_code"]
    assert row["event"]["data"] == {"id": answer["id"], "credit_code": body["credit_code"], "name": "江山市技工学校",
                                    "county_code": "330881", "kind": "technical_school", "status": "active"}
    assert (await training.client.get(f"/v1/institutions/{answer['id']}")).json() == answer


async def test_a_credit_code_registers_once_409_naming_the_existing_institution(training: InProcessService) -> None:
    first = await new_institution(training)
    before = len(await outbox(training))
    again = institution_body(credit_code=first["credit_code"].lower(), name="另一个名称培训学校")
    problem = assert_problem(await training.client.post("/v1/institutions", json=again), 409, "credit_code")
    assert problem["existing_id"] == first["id"]
    assert first["name"] in problem["detail"] and first["id"] in problem["detail"]
    assert len(await outbox(training)) == before
    assert await count(training, "institutions") == 1


async def test_unknown_institution_is_404(training: InProcessService) -> None:
    assert_problem(await training.client.get("/v1/institutions/no-such-id"), 404)
    assert_problem(await training.client.patch("/v1/institutions/no-such-id", json={"name": "某某学校"}), 404)
    r = await training.client.post("/v1/institutions/no-such-id/accreditations", json=accreditation())
    assert_problem(r, 404)
    assert await outbox(training) == []


@pytest.mark.parametrize(("body", "field"), [
    (institution_body(credit_code="91330802MA2XXXXX0X"), "credit_code"),
    (institution_body(credit_code="91350100M000100Y44"), "credit_code"),
    (institution_body(county_code="330800"), "county_code"),
    (institution_body(kind="university"), "kind"),
    (institution_body(name="培训\x00学校"), "name"),
    (institution_body(name="   "), "name"),
    ({"name": "衢州培训学校", "county_code": "330802", "kind": "enterprise"}, "credit_code"),
])
async def test_bad_registration_is_422_naming_the_field(
    training: InProcessService, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await training.client.post("/v1/institutions", json=body), 422, field)
    assert reason(problem, field)
    assert await count(training, "institutions") == 0
    assert await outbox(training) == []


# ---- PATCH: name and status ----------------------------------------------------------------


async def test_rename_and_suspend_write_one_updated_event_each(training: InProcessService) -> None:
    inst = await new_institution(training)
    before = len(await outbox(training))
    r = await training.client.patch(f"/v1/institutions/{inst['id']}", json={"name": "衢州新名称职业技能培训学校"})
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["status"]) == ("衢州新名称职业技能培训学校", "active")
    assert r.json()["updated_at"] is not None
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("institution.updated")
    assert (row["event"]["data"]["changed"], row["event"]["data"]["previous_status"]) == (["name"], None)

    r = await training.client.patch(f"/v1/institutions/{inst['id']}", json={"status": "suspended"})
    assert r.json()["status"] == "suspended"
    [row] = await events_since(training, before + 1)
    assert row["event"]["data"] == {
        "id": inst["id"], "credit_code": inst["credit_code"], "name": "衢州新名称职业技能培训学校",
        "county_code": "330802", "kind": "private_provider", "status": "suspended", "changed": ["status"],
        "previous_status": "active"}


async def test_unchanged_values_write_no_event(training: InProcessService) -> None:
    inst = await new_institution(training)
    before = await outbox(training)
    r = await training.client.patch(f"/v1/institutions/{inst['id']}", json={"name": inst["name"], "status": "active"})
    assert r.status_code == 200
    assert r.json()["updated_at"] is None
    assert await outbox(training) == before


async def test_a_closed_institution_changes_no_more(training: InProcessService) -> None:
    inst = await new_institution(training)
    await training.client.patch(f"/v1/institutions/{inst['id']}", json={"status": "suspended"})
    assert (await training.client.patch(f"/v1/institutions/{inst['id']}",
                                        json={"status": "active"})).json()["status"] == "active"
    assert (await training.client.patch(f"/v1/institutions/{inst['id']}",
                                        json={"status": "closed"})).json()["status"] == "closed"
    before = await outbox(training)
    for body in ({"status": "active"}, {"name": "复业培训学校"}):
        problem = assert_problem(await training.client.patch(f"/v1/institutions/{inst['id']}", json=body), 409,
                                 "status")
        assert "关闭" in problem["detail"]
    assert_problem(await training.client.post(f"/v1/institutions/{inst['id']}/accreditations",
                                              json=accreditation()), 409, "status")
    assert await outbox(training) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"name": None}, "name"), ({"status": None}, "status"), ({"status": "deleted"}, "status"),
    ({"name": "学校\u202e名称"}, "name"),
])
async def test_bad_update_is_422_naming_the_field(
    training: InProcessService, body: dict[str, Any], field: str
) -> None:
    inst = await new_institution(training)
    before = await outbox(training)
    assert_problem(await training.client.patch(f"/v1/institutions/{inst['id']}", json=body), 422, field)
    assert "未提供" in assert_problem(await training.client.patch(f"/v1/institutions/{inst['id']}", json={}),
                                      422)["detail"]
    assert await outbox(training) == before


# ---- accreditations --------------------------------------------------------------------------


async def test_accreditation_is_listed_in_the_institution_and_writes_one_event(training: InProcessService) -> None:
    inst = await new_institution(training, "330824")
    before = len(await outbox(training))
    answer = await accredit(training, inst["id"], "2025-01-01", "2027-12-31")
    [item] = answer["accreditations"]
    assert {k: item[k] for k in ("occupation_code", "occupation_name", "valid_from", "valid_until")} == {
        "occupation_code": ELECTRICIAN[0], "occupation_name": "电工", "valid_from": "2025-01-01",
        "valid_until": "2027-12-31"}
    [row] = await events_since(training, before)
    assert row["event_type"] == TYPE("institution.accredited")
    assert row["event"]["data"] == {
        "id": inst["id"], "accreditation_id": item["id"], "credit_code": inst["credit_code"], "county_code": "330824",
        "occupation_code": ELECTRICIAN[0], "occupation_name": "电工", "valid_from": "2025-01-01",
        "valid_until": "2027-12-31"}
    assert (await training.client.get(f"/v1/institutions/{inst['id']}")).json()["accreditations"] == [item]


async def test_periods_of_one_occupation_may_follow_each_other_but_not_overlap(training: InProcessService) -> None:
    inst = await new_institution(training)
    first = (await accredit(training, inst["id"], "2024-01-01", "2025-12-31"))["accreditations"][0]
    await accredit(training, inst["id"], "2026-01-01", "2027-12-31")  # the renewal, from the next day
    await accredit(training, inst["id"], "2024-06-01", "2026-06-30", occupation=WELDER)  # another occupation
    before = await outbox(training)
    r = await training.client.post(f"/v1/institutions/{inst['id']}/accreditations",
                                   json=accreditation(valid_from="2025-12-31", valid_until="2025-12-31"))
    problem = assert_problem(r, 409, "valid_from")
    assert problem["existing_id"] == first["id"]
    assert "2024-01-01～2025-12-31" in problem["detail"]
    assert await outbox(training) == before
    codes = [(a["occupation_code"], a["valid_from"]) for a in
             (await training.client.get(f"/v1/institutions/{inst['id']}")).json()["accreditations"]]
    assert codes == [(WELDER[0], "2024-06-01"), (ELECTRICIAN[0], "2024-01-01"), (ELECTRICIAN[0], "2026-01-01")]


async def test_a_suspended_institution_is_not_accredited(training: InProcessService) -> None:
    inst = await new_institution(training)
    await training.client.patch(f"/v1/institutions/{inst['id']}", json={"status": "suspended"})
    before = await outbox(training)
    r = await training.client.post(f"/v1/institutions/{inst['id']}/accreditations", json=accreditation())
    assert "暂停" in assert_problem(r, 409, "status")["detail"]
    assert await outbox(training) == before


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"occupation_code": "6-29-3-01"}, "occupation_code", "6-29-03-01"),
    ({"occupation_code": "9-29-03-01"}, "occupation_code", "X-XX-XX-XX"),
    ({"occupation_code": "62903010"}, "occupation_code", "国家职业分类大典"),
    ({"occupation_code": 6290301}, "occupation_code", "字符串"),
    ({"occupation_name": "电\x00工"}, "occupation_name", "U+0000"),
    ({"occupation_name": ""}, "occupation_name", "不能为空"),
    ({"valid_from": "2026-05-01", "valid_until": "2026-04-30"}, "valid_until", "valid_from"),
    ({"valid_until": "2026-02-30"}, "valid_until", "date"),
    ({"valid_until": "2100-01-01"}, "valid_until", "2099-12-31"),
])
async def test_bad_accreditation_is_422_naming_the_field(
    training: InProcessService, over: dict[str, Any], field: str, words: str
) -> None:
    inst = await new_institution(training)
    before = await outbox(training)
    r = await training.client.post(f"/v1/institutions/{inst['id']}/accreditations", json=accreditation(**over))
    assert words in reason(assert_problem(r, 422, field), field)
    assert await outbox(training) == before
    assert await count(training, "institution_accreditations") == 0


# ---- list ------------------------------------------------------------------------------------


async def test_list_filters_by_county_kind_status_and_accredited_occupation(training: InProcessService) -> None:
    school = await new_institution(training, "330802", kind="technical_school")
    college = await new_institution(training, "330881", kind="vocational_college")
    firm = await new_institution(training, "330881", kind="enterprise")
    await accredit(training, school["id"], "2021-01-01", "2025-12-31")
    await accredit(training, college["id"], "2026-01-01", "2026-12-31")
    await accredit(training, firm["id"], "2026-01-01", "2026-12-31", occupation=WELDER)
    await training.client.patch(f"/v1/institutions/{firm['id']}", json={"status": "suspended"})

    async def ids(**params: Any) -> set[str]:
        r = await training.client.get("/v1/institutions", params=params)
        assert r.status_code == 200, r.text
        return {i["id"] for i in r.json()["data"]}

    assert await ids(county_code="330881") == {college["id"], firm["id"]}
    assert await ids(kind="technical_school") == {school["id"]}
    assert await ids(status="suspended") == {firm["id"]}
    assert await ids(occupation_code=ELECTRICIAN[0]) == {school["id"], college["id"]}
    assert await ids(occupation_code=ELECTRICIAN[0], accredited_on="2026-03-01") == {college["id"]}
    assert await ids(occupation_code=ELECTRICIAN[0], accredited_on="2025-12-31") == {school["id"]}
    assert await ids(accredited_on="2026-06-30") == {college["id"], firm["id"]}
    assert await ids(occupation_code=WELDER[0], county_code="330802") == set()
    assert_problem(await training.client.get("/v1/institutions", params={"occupation_code": "6-31"}), 422,
                   "occupation_code")
    assert_problem(await training.client.get("/v1/institutions", params={"kind": "school"}), 422, "kind")


async def test_list_pages_sorts_and_filters_by_registration_date(
    training: InProcessService, move_today: Any
) -> None:
    registered = ((date(2026, 3, 1), "乙培训学校"), (date(2026, 3, 2), "甲培训学校"), (date(2026, 3, 3), "丙培训学校"))
    for day, name in registered:
        move_today(datetime(day.year, day.month, day.day, 9, 0))
        await new_institution(training, name=name)

    async def names(**params: Any) -> list[str]:
        r = await training.client.get("/v1/institutions", params=params)
        assert r.status_code == 200, r.text
        return [i["name"] for i in r.json()["data"]]

    assert await names() == ["丙培训学校", "甲培训学校", "乙培训学校"]  # newest first
    assert await names(sort="created_at") == ["乙培训学校", "甲培训学校", "丙培训学校"]
    assert await names(sort="name") == sorted(["乙培训学校", "甲培训学校", "丙培训学校"])
    assert await names(sort="-name") == sorted(["乙培训学校", "甲培训学校", "丙培训学校"], reverse=True)
    assert await names(from_date="2026-03-02", to_date="2026-03-02") == ["甲培训学校"]
    page = (await training.client.get("/v1/institutions", params={"limit": 2, "offset": 2,
                                                                  "sort": "created_at"})).json()
    assert (page["count"], page["limit"], page["offset"], [i["name"] for i in page["data"]]) == (
        3, 2, 2, ["丙培训学校"])
    assert clock.today() == date(2026, 3, 3)


# ---- county-limited clients -------------------------------------------------------------------


async def test_county_client_sees_and_changes_only_its_county(training: InProcessService) -> None:
    qujiang = bearer(token("training:read", "training:write", county="330803"))
    own = await new_institution(training, "330803")
    other = await new_institution(training, "330802")
    listed = (await training.client.get("/v1/institutions", headers=qujiang)).json()
    assert [i["id"] for i in listed["data"]] == [own["id"]]
    assert_problem(await training.client.get(f"/v1/institutions/{other['id']}", headers=qujiang), 403)
    before = await outbox(training)
    assert_problem(await training.client.patch(f"/v1/institutions/{other['id']}", json={"status": "closed"},
                                               headers=qujiang), 403)
    assert_problem(await training.client.post(f"/v1/institutions/{other['id']}/accreditations",
                                              json=accreditation(), headers=qujiang), 403)
    assert_problem(await training.client.post("/v1/institutions", json=institution_body("330802"),
                                              headers=qujiang), 403)
    assert await outbox(training) == before
    r = await training.client.post("/v1/institutions", json=institution_body("330803"), headers=qujiang)
    assert r.status_code == 201, r.text
