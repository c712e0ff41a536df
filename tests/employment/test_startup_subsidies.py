"""重点人群乡村创业一次性补贴: key groups only, once per person, the amount from the policy table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from employment.startup.subsidies import service as subsidy_service
from employment.startup.subsidies.models import SubsidyPolicy
from hrss_shared.policy import PolicyTable
from tests import factories
from tests.employment.helpers import assert_problem, count, key_group_member, key_of, new_employer, outbox, reason
from tests.support import InProcessService, bearer, token

GRANTED = "hrss.employment.startup_subsidy.granted.v1"


async def member(svc: InProcessService, group: str | None = "low_income_rural", start_date: str = "2021-01-01",
                 county: str = "330824", end_date: str | None = None) -> str:
    return await key_group_member(svc, group=group, start_date=start_date, county=county, end_date=end_date,
                                  source="民政部门认定")


async def apply(svc: InProcessService, id_number: str, credit_code: str, applied_date: str = "2022-06-01",
                business_start_date: str = "2022-03-01") -> Any:
    return await svc.client.post("/v1/startup-subsidies", json={
        "id_number": id_number, "credit_code": credit_code, "business_start_date": business_start_date,
        "applied_date": applied_date})


async def granted(svc: InProcessService, id_number: str, credit_code: str, **over: str) -> dict[str, Any]:
    r = await apply(svc, id_number, credit_code, **over)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_key_group_member_is_granted_the_policy_amount_with_one_event(employment: InProcessService) -> None:
    business = await new_employer(employment, "330824")
    person = await member(employment, "low_income_rural")
    before = len(await outbox(employment))
    grant = await granted(employment, person, business["credit_code"])
    expected = subsidy_service.POLICY.at(date(2022, 6, 1))
    assert grant["amount"] == f"{expected.amount:.2f}" == "5000.00"
    assert grant["status"] == "granted" and grant["groups"] == ["low_income_rural"]
    assert grant["county_code"] == "330824" and grant["business_name"] == business["name"]
    assert grant["policy_source"] == expected.source
    assert grant["illustrative"] is expected.illustrative is True  # amount and document still to be confirmed
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == GRANTED and row["key"] == key_of(employment, person)
    assert row["event"]["data"] == {
        "id": grant["id"], "id_number": person, "credit_code": business["credit_code"], "county_code": "330824",
        "business_start_date": "2022-03-01", "applied_date": "2022-06-01", "groups": ["low_income_rural"],
        "amount": "5000.00", "policy_source": expected.source}
    got = await employment.client.get(f"/v1/startup-subsidies/{grant['id']}")
    assert got.status_code == 200 and got.json() == grant


@pytest.mark.parametrize(("group", "start", "end"), [
    (None, "2021-01-01", None),  # registered, in no key group
    ("veteran", "2022-03-01", None),  # recognised on the day the business was registered (2022-03-01)
    ("graduate", "2021-01-01", "2022-02-27"),  # membership ended two days before it
])
async def test_person_outside_the_key_groups_the_day_before_the_business_is_422_and_writes_nothing(
    employment: InProcessService, group: str | None, start: str, end: str | None
) -> None:
    business = await new_employer(employment, "330824")
    person = await member(employment, group, start, end_date=end)
    before = len(await outbox(employment))
    r = await apply(employment, person, business["credit_code"], applied_date="2022-06-01")
    assert "重点群体" in reason(assert_problem(r, 422, "id_number"), "id_number")
    assert await count(employment, "startup_subsidies") == 0
    assert len(await outbox(employment)) == before


async def test_once_per_person_ever_is_409_naming_the_earlier_grant(employment: InProcessService) -> None:
    first, second = await new_employer(employment, "330824"), await new_employer(employment, "330825")
    person = await member(employment, "migrant_worker")
    earlier = await granted(employment, person, first["credit_code"])
    before = len(await outbox(employment))
    r = await apply(employment, person, second["credit_code"], applied_date="2024-06-01",
                    business_start_date="2024-01-01")
    body = assert_problem(r, 409, "id_number")
    assert body["existing_id"] == earlier["id"] and earlier["id"] in body["detail"]
    assert body["applied_date"] == "2022-06-01"
    assert await count(employment, "startup_subsidies") == 1
    # The refused duplicate claim is kept and published for 政策监管, then the 409 goes out.
    assert await count(employment, "startup_subsidy_refusals") == 1
    [refused] = (await outbox(employment))[before:]
    assert refused["event_type"] == "hrss.employment.startup_subsidy.refused.v1"
    data = refused["event"]["data"]
    assert (data["id_number"], data["earlier_grant_id"], data["credit_code"]) == (
        person, earlier["id"], second["credit_code"])


@pytest.mark.parametrize(("case", "field"), [
    ("unregistered business", "credit_code"),
    ("business started after the application", "business_start_date"),
    ("no job-seeker registration", "id_number"),
    ("before any policy", "applied_date"),
    ("bad credit code", "credit_code"),
])
async def test_bad_application_is_422_naming_the_field(employment: InProcessService, case: str, field: str) -> None:
    business = await new_employer(employment, "330824")
    person = await member(employment)
    credit_code, id_number = business["credit_code"], person
    dates = {"applied_date": "2022-06-01", "business_start_date": "2022-03-01"}
    if case == "unregistered business":
        credit_code = factories.credit_code("330824")
    elif case == "business started after the application":
        dates["business_start_date"] = "2022-06-02"
    elif case == "no job-seeker registration":
        id_number = factories.id_number()
    elif case == "before any policy":
        dates = {"applied_date": "2020-12-31", "business_start_date": "2020-06-01"}
    else:
        credit_code = "91350100M000100Y44"
    before = len(await outbox(employment))
    assert_problem(await apply(employment, id_number, credit_code, **dates), 422, field)
    assert await count(employment, "startup_subsidies") == 0
    assert len(await outbox(employment)) == before


async def test_list_filters_sorts_and_pages(employment: InProcessService) -> None:
    a_biz, b_biz = await new_employer(employment, "330824"), await new_employer(employment, "330881")
    a = await granted(employment, await member(employment), a_biz["credit_code"], applied_date="2022-06-01")
    b = await granted(employment, await member(employment, county="330881"), b_biz["credit_code"],
                      applied_date="2023-06-01")
    ids = lambda r: [x["id"] for x in r.json()["data"]]  # noqa: E731
    url = "/v1/startup-subsidies"
    assert ids(await employment.client.get(url)) == [b["id"], a["id"]]
    assert ids(await employment.client.get(url, params={"sort": "applied_date"})) == [a["id"], b["id"]]
    assert ids(await employment.client.get(url, params={"county_code": "330881"})) == [b["id"]]
    assert ids(await employment.client.get(url, params={"to_date": "2022-12-31"})) == [a["id"]]
    assert ids(await employment.client.get(url, params={"credit_code": a_biz["credit_code"]})) == [a["id"]]
    assert ids(await employment.client.get(url, params={"id_number": b["id_number"]})) == [b["id"]]
    r = await employment.client.get(url, params={"limit": 1})
    assert ids(r) == [b["id"]] and r.json()["count"] == 2
    assert_problem(await employment.client.get(url, params={"sort": "-name"}), 422, "sort")
    # A county client lists its own county only and cannot read another's grant.
    client = bearer(token("employment:read", "pii:read", county="330824"))
    assert ids(await employment.client.get(url, headers=client)) == [a["id"]]
    assert_problem(await employment.client.get(f"{url}/{b['id']}", headers=client), 403)
    assert_problem(await employment.client.get(f"{url}/nope"), 404)


async def test_county_client_cannot_grant_for_a_business_in_another_county(employment: InProcessService) -> None:
    business = await new_employer(employment, "330881")
    person = await member(employment)
    client = bearer(token("employment:write", county="330824"))
    r = await employment.client.post("/v1/startup-subsidies", headers=client, json={
        "id_number": person, "credit_code": business["credit_code"], "business_start_date": "2022-03-01",
        "applied_date": "2022-06-01"})
    assert_problem(r, 403)
    assert await count(employment, "startup_subsidies") == 0


# ---- policy table ---------------------------------------------------------------------------


def write_policy(path: Path) -> PolicyTable[SubsidyPolicy]:
    path.write_text(
        '[[version]]\neffective_from = 2021-01-01\nsource = "测试 v1"\namount = 5000\n'
        'eligible_groups = ["low_income_rural", "veteran"]\n\n'
        '[[version]]\neffective_from = 2024-01-01\nsource = "测试 v2"\namount = 8000\n'
        'eligible_groups = ["low_income_rural"]\n', encoding="utf-8")
    return PolicyTable.load(path, SubsidyPolicy)


def test_the_shipped_policy_names_its_source() -> None:
    rules = subsidy_service.POLICY.at(date(2021, 1, 1))
    assert rules.amount == Decimal(5000)
    assert "乡村创业一次性补贴" in rules.source
    assert set(rules.eligible_groups) == {"graduate", "migrant_worker", "veteran", "disabled", "hard_to_employ",
                                          "low_income_rural"}


def test_a_later_policy_version_changes_the_amount(tmp_path: Path) -> None:
    table = write_policy(tmp_path / "s.toml")
    assert table.at(date(2023, 12, 31)).amount == Decimal(5000)
    assert table.at(date(2024, 1, 1)).amount == Decimal(8000)


async def test_api_grants_the_amount_in_force_on_the_application_date(
    employment: InProcessService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(subsidy_service, "POLICY", write_policy(tmp_path / "s.toml"))
    business = await new_employer(employment, "330824")
    before = await granted(employment, await member(employment), business["credit_code"], applied_date="2023-12-31")
    after = await granted(employment, await member(employment), business["credit_code"], applied_date="2024-01-01")
    assert (before["amount"], after["amount"]) == ("5000.00", "8000.00")
    assert (before["policy_source"], after["policy_source"]) == ("测试 v1", "测试 v2")
    # A veteran qualifies under the first version only.
    veteran = await member(employment, "veteran")
    r = await apply(employment, veteran, business["credit_code"], applied_date="2024-01-01")
    assert_problem(r, 422, "id_number")
    await granted(employment, veteran, business["credit_code"], applied_date="2023-12-31")


@pytest.mark.parametrize(("start", "end"), [
    ("2022-02-28", None),  # recognised the day before the business was registered
    ("2021-01-01", "2022-02-28"),  # membership ended that day, before the application
])
async def test_key_group_status_is_judged_the_day_before_the_business_was_registered(
    employment: InProcessService, start: str, end: str | None
) -> None:
    business = await new_employer(employment, "330824")
    person = await member(employment, "veteran", start, end_date=end)
    grant = await granted(employment, person, business["credit_code"], applied_date="2022-06-01")
    assert grant["groups"] == ["veteran"]
