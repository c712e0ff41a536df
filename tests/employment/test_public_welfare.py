"""公益性岗位: posts, placements of key-group members, terms from the policy table, and the outbox rows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from employment.public_welfare import service as pw_service
from employment.public_welfare.models import PublicWelfarePolicy
from employment.startup.common import add_months, last_day_of_term
from hrss_shared.policy import PolicyTable
from hrss_shared.validators import make_id_number
from tests import factories
from tests.employment.helpers import (
    assert_problem,
    count,
    key_group_member,
    key_of,
    new_employer,
    outbox,
    outbox_types,
    reason,
    unemploy,
)
from tests.support import InProcessService, bearer, token

POST_CREATED = "hrss.employment.public_welfare_post.created.v1"
STARTED = "hrss.employment.public_welfare_placement.started.v1"
ENDED = "hrss.employment.public_welfare_placement.ended.v1"


async def new_post(svc: InProcessService, county: str = "330802", **over: Any) -> dict[str, Any]:
    employer = await new_employer(svc, county)
    body = {"credit_code": employer["credit_code"], "title": "社区保洁", "county_code": county,
            "monthly_subsidy": "2280", "positions": 2, "start_date": "2021-01-01", "end_date": "2026-12-31", **over}
    r = await svc.client.post("/v1/public-welfare-posts", json=body)
    assert r.status_code == 201, r.text
    post: dict[str, Any] = r.json()
    return post


async def member(svc: InProcessService, group: str | None = "hard_to_employ", start_date: str = "2021-01-01",
                 county: str = "330802", end_date: str | None = None) -> str:
    return await key_group_member(svc, group=group, start_date=start_date, county=county, end_date=end_date,
                                  source="县人社局认定")


async def certified(svc: InProcessService, id_number: str, start_date: str, category: str = "minimum_living",
                    new_seeker: bool = False) -> None:
    """就业困难人员认定 of ``id_number`` from ``start_date``, on an unemployment registration of that day."""
    if new_seeker:
        body = factories.job_seeker("330802", id_number=id_number)
        assert (await svc.client.post("/v1/job-seekers", json=body)).status_code == 201
    await unemploy(svc, id_number, start_date)
    r = await svc.client.post(f"/v1/job-seekers/{id_number}/key-groups", json={
        "group": "hard_to_employ", "source": "县人社局认定", "start_date": start_date, "category": category,
        "evidence": "证明材料"})
    assert r.status_code == 201, r.text


async def place(svc: InProcessService, post_id: str, id_number: str, start_date: str = "2022-03-01",
                end_date: str = "2023-02-28") -> Any:
    return await svc.client.post(f"/v1/public-welfare-posts/{post_id}/placements",
                                 json={"id_number": id_number, "start_date": start_date, "end_date": end_date})


async def placed(svc: InProcessService, post_id: str, id_number: str, **dates: str) -> dict[str, Any]:
    r = await place(svc, post_id, id_number, **dates)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


# ---- posts ----------------------------------------------------------------------------------


async def test_create_post_writes_one_created_event_with_money_as_a_string(employment: InProcessService) -> None:
    employer = await new_employer(employment, "330824")
    before = len(await outbox(employment))
    r = await employment.client.post("/v1/public-welfare-posts", json={
        "credit_code": employer["credit_code"], "title": "护林员", "county_code": "330824",
        "monthly_subsidy": "2280.5", "positions": 3, "start_date": "2022-01-01", "end_date": "2024-12-31"})
    assert r.status_code == 201, r.text
    post = r.json()
    assert post["monthly_subsidy"] == "2280.50"
    assert post["occupied_positions"] == 0
    assert post["employer_name"] == employer["name"]
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == POST_CREATED
    assert row["key"] == key_of(employment, employer["credit_code"])
    assert row["event"]["data"] == {
        "id": post["id"], "credit_code": employer["credit_code"], "employer_name": employer["name"],
        "title": "护林员", "county_code": "330824", "monthly_subsidy": "2280.50", "positions": 3,
        "start_date": "2022-01-01", "end_date": "2024-12-31"}
    got = await employment.client.get(f"/v1/public-welfare-posts/{post['id']}")
    assert got.status_code == 200 and got.json() == post


@pytest.mark.parametrize(("over", "field"), [
    ({"credit_code": factories.credit_code()}, "credit_code"),  # not a registered employer
    ({"end_date": "2020-12-31"}, "end_date"),
    ({"monthly_subsidy": "0"}, "monthly_subsidy"),
    ({"monthly_subsidy": "12.345"}, "monthly_subsidy"),
    ({"positions": 0}, "positions"),
    ({"county_code": "330800"}, "county_code"),
])
async def test_bad_post_is_422_naming_the_field_and_writes_nothing(
    employment: InProcessService, over: dict[str, Any], field: str
) -> None:
    employer = await new_employer(employment)
    before = len(await outbox(employment))
    body = {"credit_code": employer["credit_code"], "title": "保洁", "county_code": "330802",
            "monthly_subsidy": "2280", "positions": 1, "start_date": "2021-01-01", "end_date": "2022-12-31", **over}
    r = await employment.client.post("/v1/public-welfare-posts", json=body)
    assert_problem(r, 422, field)
    assert await count(employment, "public_welfare_posts") == 0
    assert len(await outbox(employment)) == before


async def test_list_posts_filters_sorts_and_pages(employment: InProcessService) -> None:
    a = await new_post(employment, "330802", start_date="2021-03-01", end_date="2021-12-31", monthly_subsidy="2000")
    b = await new_post(employment, "330802", start_date="2022-03-01", end_date="2023-12-31", monthly_subsidy="2500")
    c = await new_post(employment, "330881", start_date="2023-03-01", end_date="2025-12-31", monthly_subsidy="2300")
    ids = lambda r: [p["id"] for p in r.json()["data"]]  # noqa: E731
    r = await employment.client.get("/v1/public-welfare-posts")
    assert ids(r) == [c["id"], b["id"], a["id"]] and r.json()["count"] == 3
    r = await employment.client.get("/v1/public-welfare-posts", params={"sort": "monthly_subsidy"})
    assert ids(r) == [a["id"], c["id"], b["id"]]
    r = await employment.client.get("/v1/public-welfare-posts", params={"county_code": "330802"})
    assert ids(r) == [b["id"], a["id"]]
    r = await employment.client.get("/v1/public-welfare-posts", params={"from_date": "2022-01-01",
                                                                         "to_date": "2022-12-31"})
    assert ids(r) == [b["id"]]
    r = await employment.client.get("/v1/public-welfare-posts", params={"active_on": "2023-06-01"})
    assert ids(r) == [c["id"], b["id"]]
    r = await employment.client.get("/v1/public-welfare-posts", params={"limit": 1, "offset": 1})
    assert ids(r) == [b["id"]] and r.json()["count"] == 3
    assert "start_date" in reason(assert_problem(
        await employment.client.get("/v1/public-welfare-posts", params={"sort": "title"}), 422, "sort"), "sort")
    assert_problem(await employment.client.get("/v1/public-welfare-posts", params={
        "from_date": "2023-01-01", "to_date": "2022-01-01"}), 422, "to_date")


async def test_unknown_post_is_404(employment: InProcessService) -> None:
    assert_problem(await employment.client.get("/v1/public-welfare-posts/nope"), 404)
    r = await place(employment, "nope", factories.id_number())
    assert_problem(r, 404)


# ---- placements -----------------------------------------------------------------------------


async def test_placing_a_hard_to_employ_person_writes_one_started_event(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment, "hard_to_employ", "2021-06-01")
    before = len(await outbox(employment))
    placement = await placed(employment, post["id"], person, start_date="2022-03-01", end_date="2023-02-28")
    assert placement["status"] == "active"
    assert placement["groups"] == ["hard_to_employ"]
    assert placement["name"] == "王小明"
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == STARTED and row["key"] == key_of(employment, person)
    assert row["event"]["data"] == {
        "id": placement["id"], "post_id": post["id"], "id_number": person, "name": "王小明",
        "credit_code": post["credit_code"], "county_code": "330802", "groups": ["hard_to_employ"],
        "start_date": "2022-03-01", "end_date": "2023-02-28", "monthly_subsidy": "2280.00",
        "policy_source": pw_service.POLICY.at(date(2022, 3, 1)).source}
    got = (await employment.client.get(f"/v1/public-welfare-posts/{post['id']}")).json()
    assert got["occupied_positions"] == 1
    listed = (await employment.client.get(f"/v1/public-welfare-posts/{post['id']}/placements")).json()
    assert [p["id"] for p in listed["data"]] == [placement["id"]]


@pytest.mark.parametrize("group", ["graduate", "disabled", "veteran", "migrant_worker", "low_income_rural"])
async def test_other_key_groups_are_not_placed_unless_certified_hard_to_employ(
    employment: InProcessService, group: str
) -> None:
    post = await new_post(employment)
    person = await member(employment, group)
    assert "就业困难人员" in reason(assert_problem(await place(employment, post["id"], person), 422, "id_number"),
                                "id_number")
    # The same person once certified 就业困难人员 (e.g. a graduate from a 零就业家庭) is placed.
    await certified(employment, person, "2021-06-01", category="zero_employment_family")
    assert (await placed(employment, post["id"], person))["groups"] == ["hard_to_employ"]


@pytest.mark.parametrize(("group", "membership_start", "membership_end", "why"), [
    (None, "2021-01-01", None, "重点群体"),  # a job seeker with no key-group membership
    ("hard_to_employ", "2022-03-02", None, "重点群体"),  # recognised only after the start date
    ("hard_to_employ", "2021-01-01", "2022-02-28", "重点群体"),  # membership ended before the start date
])
async def test_person_outside_the_key_groups_on_the_start_date_is_422_and_writes_nothing(
    employment: InProcessService, group: str | None, membership_start: str, membership_end: str | None, why: str
) -> None:
    post = await new_post(employment)
    person = await member(employment, group, membership_start, end_date=membership_end)
    before = len(await outbox(employment))
    r = await place(employment, post["id"], person, start_date="2022-03-01")
    assert why in reason(assert_problem(r, 422, "id_number"), "id_number")
    assert await count(employment, "public_welfare_placements") == 0
    assert len(await outbox(employment)) == before


async def test_person_without_job_seeker_registration_is_422(employment: InProcessService) -> None:
    post = await new_post(employment)
    r = await place(employment, post["id"], factories.id_number())
    assert "求职登记" in reason(assert_problem(r, 422, "id_number"), "id_number")


async def test_term_of_36_months_is_the_longest(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment)
    r = await place(employment, post["id"], person, start_date="2022-03-01", end_date="2025-03-01")
    body = assert_problem(r, 422, "end_date")
    assert "36" in reason(body, "end_date") and "2025-02-28" in reason(body, "end_date")
    assert await count(employment, "public_welfare_placements") == 0
    await placed(employment, post["id"], person, start_date="2022-03-01", end_date="2025-02-28")


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2020-12-31", "2021-06-30", "start_date"),  # before the programme starts
    ("2026-06-01", "2027-01-31", "end_date"),  # runs past the programme's end
    ("2022-03-01", "2022-02-01", "end_date"),  # ends before it starts
])
async def test_placement_outside_the_programme_period_is_422(
    employment: InProcessService, start: str, end: str, field: str
) -> None:
    post = await new_post(employment)
    person = await member(employment, start_date="2020-01-01")
    assert_problem(await place(employment, post["id"], person, start_date=start, end_date=end), 422, field)
    assert await count(employment, "public_welfare_placements") == 0


async def test_one_post_at_a_time_is_409_naming_the_current_placement(employment: InProcessService) -> None:
    first, second = await new_post(employment), await new_post(employment)
    person = await member(employment)
    current = await placed(employment, first["id"], person)
    before = len(await outbox(employment))
    body = assert_problem(await place(employment, second["id"], person), 409, "id_number")
    assert body["existing_id"] == current["id"] and body["post_id"] == first["id"]
    assert current["id"] in body["detail"]
    assert await count(employment, "public_welfare_placements") == 1
    assert len(await outbox(employment)) == before


async def test_no_more_placements_than_positions(employment: InProcessService) -> None:
    post = await new_post(employment, positions=1)
    first, second = await member(employment), await member(employment)
    held = await placed(employment, post["id"], first)
    body = assert_problem(await place(employment, post["id"], second), 409)
    assert body["positions"] == 1 and body["occupied_positions"] == 1
    assert await count(employment, "public_welfare_placements") == 1
    r = await employment.client.post(f"/v1/public-welfare-posts/{post['id']}/placements/{held['id']}/end",
                                     json={"ended_date": "2022-06-30", "reason": "实现市场就业"})
    assert r.status_code == 200, r.text
    await placed(employment, post["id"], second, start_date="2022-07-01", end_date="2023-06-30")


async def test_ending_a_placement_writes_one_ended_event_and_frees_the_person(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment)
    placement = await placed(employment, post["id"], person, start_date="2022-03-01", end_date="2023-02-28")
    url = f"/v1/public-welfare-posts/{post['id']}/placements/{placement['id']}/end"
    assert_problem(await employment.client.post(url, json={"ended_date": "2022-02-28", "reason": "x"}),
                   422, "ended_date")
    assert_problem(await employment.client.post(url, json={"ended_date": "2023-03-01", "reason": "x"}),
                   422, "ended_date")
    assert_problem(await employment.client.post(url, json={"ended_date": "2022-08-31"}), 422, "reason")
    before = len(await outbox(employment))
    r = await employment.client.post(url, json={"ended_date": "2022-08-31", "reason": "本人申请"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ended" and r.json()["ended_date"] == "2022-08-31"
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == ENDED and row["key"] == key_of(employment, person)
    assert row["event"]["data"] == {
        "id": placement["id"], "post_id": post["id"], "id_number": person, "credit_code": post["credit_code"],
        "county_code": "330802", "ended_date": "2022-08-31", "reason": "本人申请"}
    again = assert_problem(await employment.client.post(url, json={"ended_date": "2022-09-30", "reason": "x"}),
                           409, "status")
    assert again["current_status"] == "ended"
    # Overlapping the ended placement is refused; the day after it ended is fine, on another post too.
    other = await new_post(employment)
    overlap = assert_problem(await place(employment, other["id"], person, start_date="2022-08-31",
                                         end_date="2023-08-30"), 409, "start_date")
    assert overlap["existing_id"] == placement["id"]
    await placed(employment, other["id"], person, start_date="2022-09-01", end_date="2023-08-31")
    assert (await outbox_types(employment))[-1] == STARTED


async def test_unknown_placement_is_404(employment: InProcessService) -> None:
    post = await new_post(employment)
    r = await employment.client.post(f"/v1/public-welfare-posts/{post['id']}/placements/nope/end",
                                     json={"ended_date": "2022-08-31", "reason": "x"})
    assert_problem(r, 404)


async def test_placements_list_filters_and_sorts(employment: InProcessService) -> None:
    post = await new_post(employment, positions=3)
    early = await placed(employment, post["id"], await member(employment), start_date="2021-05-01",
                         end_date="2022-04-30")
    late = await placed(employment, post["id"], await member(employment), start_date="2022-05-01",
                        end_date="2023-04-30")
    url = f"/v1/public-welfare-posts/{post['id']}/placements"
    ids = lambda r: [p["id"] for p in r.json()["data"]]  # noqa: E731
    assert ids(await employment.client.get(url)) == [late["id"], early["id"]]
    assert ids(await employment.client.get(url, params={"sort": "start_date"})) == [early["id"], late["id"]]
    assert ids(await employment.client.get(url, params={"from_date": "2022-01-01"})) == [late["id"]]
    assert ids(await employment.client.get(url, params={"status": "ended"})) == []
    assert_problem(await employment.client.get(url, params={"sort": "name"}), 422, "sort")


# ---- county limits and masking --------------------------------------------------------------


async def test_county_client_works_only_in_its_county(employment: InProcessService) -> None:
    mine = await new_post(employment, "330803")
    theirs = await new_post(employment, "330802")
    client = bearer(token("employment:read", "employment:write", county="330803"))
    r = await employment.client.get("/v1/public-welfare-posts", headers=client)
    assert [p["id"] for p in r.json()["data"]] == [mine["id"]]
    assert_problem(await employment.client.get(f"/v1/public-welfare-posts/{theirs['id']}", headers=client), 403)
    person = await member(employment, county="330802")
    r = await employment.client.post(f"/v1/public-welfare-posts/{theirs['id']}/placements", headers=client,
                                     json={"id_number": person, "start_date": "2022-03-01", "end_date": "2022-12-31"})
    assert_problem(r, 403)
    assert await count(employment, "public_welfare_placements") == 0


async def test_placement_id_number_is_masked_without_pii_read(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment)
    await placed(employment, post["id"], person)
    reader = bearer(token("employment:read"))
    r = await employment.client.get(f"/v1/public-welfare-posts/{post['id']}/placements", headers=reader)
    [row] = r.json()["data"]
    assert row["id_number"] != person and "*" in row["id_number"]


# ---- policy table ---------------------------------------------------------------------------


def write_policy(path: Path, *versions: tuple[str, int]) -> PolicyTable[PublicWelfarePolicy]:
    text = "".join(
        f'[[version]]\neffective_from = {day}\nsource = "测试政策 {day}"\nmax_term_months = {months}\n'
        'near_retirement_years = 5\neligible_groups = ["hard_to_employ"]\n\n' for day, months in versions
    )
    path.write_text(text, encoding="utf-8")
    return PolicyTable.load(path, PublicWelfarePolicy)


def test_the_shipped_policy_names_its_source_and_a_36_month_term() -> None:
    rules = pw_service.POLICY.at(date(2022, 3, 1))
    assert rules.max_term_months == 36
    assert "财社〔2017〕164号" in rules.source
    assert "hard_to_employ" in rules.eligible_groups


def test_a_later_policy_version_changes_the_answer(tmp_path: Path) -> None:
    table = write_policy(tmp_path / "pw.toml", ("2021-01-01", 36), ("2024-01-01", 24))
    assert table.at(date(2023, 12, 31)).max_term_months == 36
    assert table.at(date(2024, 1, 1)).max_term_months == 24


async def test_api_answer_follows_the_policy_in_force_on_the_start_date(
    employment: InProcessService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = write_policy(tmp_path / "pw.toml", ("2021-01-01", 36), ("2024-01-01", 24))
    monkeypatch.setattr(pw_service, "POLICY", table)
    post = await new_post(employment, positions=5)
    # 30 months: allowed when starting the day before the change, refused from the change on.
    before_change = await member(employment)
    await placed(employment, post["id"], before_change, start_date="2023-12-31", end_date="2026-06-30")
    after_change = await member(employment)
    r = await place(employment, post["id"], after_change, start_date="2024-01-01", end_date="2026-06-30")
    assert "24" in reason(assert_problem(r, 422, "end_date"), "end_date")
    # The later version admits only hard_to_employ: a disabled person is refused.
    disabled = await member(employment, "disabled")
    assert_problem(await place(employment, post["id"], disabled, start_date="2024-02-01", end_date="2024-12-31"),
                   422, "id_number")


@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), months=st.integers(1, 120))
def test_last_day_of_term_is_the_day_before_the_same_day_months_later(start: date, months: int) -> None:
    last = last_day_of_term(start, months)
    assert last == add_months(start, months) - timedelta(days=1)
    assert 28 * months - 1 <= (last - start).days <= 31 * months
    assert add_months(start, months) > start
    # a term of one month more always lasts longer
    assert last_day_of_term(start, months + 1) > last


# ---- issue 11: the cumulative term, retirement age and working age ---------------------------------------------


async def end(svc: InProcessService, post_id: str, placement_id: str, ended_date: str) -> None:
    r = await svc.client.post(f"/v1/public-welfare-posts/{post_id}/placements/{placement_id}/end",
                              json={"ended_date": ended_date, "reason": "本人申请"})
    assert r.status_code == 200, r.text


async def test_the_36_months_are_cumulative_from_the_first_placement(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment)
    first = await placed(employment, post["id"], person, start_date="2021-03-01", end_date="2022-02-28")
    await end(employment, post["id"], first["id"], "2022-02-28")  # 365 days used
    # 2021-03-01 + 36 months = 2024-03-01: 1096 days in all, 731 left: 2023-01-01 … 2024-12-31.
    other_post = await new_post(employment)
    r = await place(employment, other_post["id"], person, start_date="2023-01-01", end_date="2025-01-01")
    text = reason(assert_problem(r, 422, "end_date"), "end_date")
    assert "累计" in text and "2021-03-01" in text and "365" in text and "2024-12-31" in text
    # Exactly 36 cumulative months.
    second = await placed(employment, other_post["id"], person, start_date="2023-01-01", end_date="2024-12-31")
    await end(employment, other_post["id"], second["id"], "2024-12-31")
    r = await place(employment, post["id"], person, start_date="2025-02-01", end_date="2025-02-01")
    assert "已累计安置满期限" in reason(assert_problem(r, 422, "end_date"), "end_date")


async def test_an_early_exit_leaves_the_unused_days(employment: InProcessService) -> None:
    post = await new_post(employment)
    person = await member(employment)
    first = await placed(employment, post["id"], person, start_date="2021-03-01", end_date="2024-02-29")
    await end(employment, post["id"], first["id"], "2021-03-31")  # 31 days used, 1065 left
    r = await place(employment, post["id"], person, start_date="2022-01-01", end_date="2024-12-01")
    assert "2024-11-30" in reason(assert_problem(r, 422, "end_date"), "end_date")
    await placed(employment, post["id"], person, start_date="2022-01-01", end_date="2024-11-30")


# A man born 1967-06-15 reaches 60 years and 8 months on 2028-02-15; five years before is 2023-02-15.
NEAR_RETIREMENT = make_id_number("330802", date(1967, 6, 15), 801)


async def test_within_5_years_of_retirement_a_hard_to_employ_person_stays_until_it(
    employment: InProcessService,
) -> None:
    post = await new_post(employment, end_date="2028-12-31")
    await certified(employment, NEAR_RETIREMENT, "2023-01-01", new_seeker=True)
    r = await place(employment, post["id"], NEAR_RETIREMENT, start_date="2023-02-16", end_date="2028-02-15")
    text = reason(assert_problem(r, 422, "end_date"), "end_date")
    assert "2028-02-15" in text and "60周岁8个月" in text and "2028-02-14" in text
    placement = await placed(employment, post["id"], NEAR_RETIREMENT, start_date="2023-02-16", end_date="2028-02-14")
    assert placement["end_date"] == "2028-02-14"


async def test_exactly_5_years_before_retirement_the_36_months_still_apply(employment: InProcessService) -> None:
    post = await new_post(employment, end_date="2028-12-31")
    await certified(employment, NEAR_RETIREMENT, "2023-01-01", new_seeker=True)
    r = await place(employment, post["id"], NEAR_RETIREMENT, start_date="2023-02-15", end_date="2028-02-14")
    assert "2026-02-14" in reason(assert_problem(r, 422, "end_date"), "end_date")
    await placed(employment, post["id"], NEAR_RETIREMENT, start_date="2023-02-15", end_date="2026-02-14")


async def test_no_placement_at_or_past_retirement_age(employment: InProcessService) -> None:
    post = await new_post(employment, end_date="2028-12-31")
    await certified(employment, NEAR_RETIREMENT, "2023-01-01", new_seeker=True)
    r = await place(employment, post["id"], NEAR_RETIREMENT, start_date="2028-02-15", end_date="2028-06-30")
    assert "已达法定退休年龄 60周岁8个月" in reason(assert_problem(r, 422, "id_number"), "id_number")


async def test_placement_the_day_before_and_on_the_16th_birthday(employment: InProcessService) -> None:
    teen = make_id_number("330802", date(2006, 1, 10), 802)
    post = await new_post(employment)
    await certified(employment, teen, "2022-01-10", new_seeker=True)
    r = await place(employment, post["id"], teen, start_date="2022-01-09", end_date="2022-12-31")
    text = reason(assert_problem(r, 422, "id_number"), "id_number")
    assert "15 周岁" in text and "16 周岁" in text
    await placed(employment, post["id"], teen, start_date="2022-01-10", end_date="2022-12-31")
