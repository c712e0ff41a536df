"""人岗匹配: the scoring rules, the policy weights by date, and both matching endpoints."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from employment.job_postings import matching
from employment.job_postings.matching import Candidate, MatchingWeights, policy_table, score
from employment.job_seekers.models import JobSeeker, JobSeekerSkill
from employment.key_groups.models import KeyGroup, KeyGroupMembership
from hrss_shared import clock
from hrss_shared.policy import PolicyError, PolicyTable
from tests import factories
from tests.conftest import MoveToday
from tests.employment.helpers import assert_problem, audit_rows, employ, new_employer, unemploy
from tests.support import InProcessService, bearer, token

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
WEIGHTS = MatchingWeights(
    effective_from=date(2021, 1, 1), source="test", occupation_wish=30, occupation_certified=40, skill_level_met=20,
    skill_level_step=5, same_county=15,
    key_groups={KeyGroup.hard_to_employ: 25, KeyGroup.disabled: 20, KeyGroup.low_income_rural: 20,
                KeyGroup.veteran: 15, KeyGroup.graduate: 10, KeyGroup.migrant_worker: 10},
)


def version(start: str, hard_to_employ: int, end: str | None = None) -> str:
    """One [[version]] of the matching policy, varying the 就业困难人员 weight."""
    return f"""
[[version]]
effective_from = {start}
{f"effective_to = {end}" if end else ""}
source = "test weights from {start}"
occupation_wish = 30
occupation_certified = 40
skill_level_met = 20
skill_level_step = 5
same_county = 15
[version.key_groups]
hard_to_employ = {hard_to_employ}
disabled = 20
low_income_rural = 20
veteran = 15
graduate = 10
migrant_worker = 10
"""


TWO_VERSIONS = version("2021-01-01", 25, end="2027-06-30") + version("2027-07-01", 200)
BOUNDARY = date(2027, 7, 1)


def person(**over: Any) -> Candidate:
    values: dict[str, Any] = {"id_number": "x", "name": "王小明", "county_code": "330802",
                              "registered_date": date(2026, 1, 1), "wishes": (), "best_levels": {}, "groups": set()}
    return Candidate(**{**values, **over})


def criteria(scored: matching.Scored) -> dict[str, int]:
    return {r.criterion.value: r.points for r in scored.reasons}


# ---- policy data -----------------------------------------------------------------------------


def test_policy_file_has_a_weight_for_every_key_group_today() -> None:
    weights = policy_table().at(clock.today())
    assert set(weights.key_groups) == set(KeyGroup)
    assert weights.key_groups[KeyGroup.hard_to_employ] == max(weights.key_groups.values())
    assert "就业促进法" in weights.source


def test_policy_date_changes_the_weights(tmp_path: Path) -> None:
    path = tmp_path / "matching.toml"
    path.write_text(TWO_VERSIONS, encoding="utf-8")
    table = PolicyTable.load(path, MatchingWeights)
    before = table.at(BOUNDARY - timedelta(days=1))
    after = table.at(BOUNDARY)
    assert before.key_groups[KeyGroup.hard_to_employ] == 25
    assert after.key_groups[KeyGroup.hard_to_employ] == 200
    hard = person(groups={KeyGroup.hard_to_employ})
    assert score(before, occupation="电工", required_level=None, county_code="330803", person=hard).score == 25
    assert score(after, occupation="电工", required_level=None, county_code="330803", person=hard).score == 200


def test_policy_with_a_negative_or_unknown_group_is_refused_and_a_missing_one_weighs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "matching.toml"
    path.write_text(TWO_VERSIONS.replace("veteran = 15", "veteran = -1"), encoding="utf-8")
    with pytest.raises(PolicyError, match="negative"):
        PolicyTable.load(path, MatchingWeights)
    path.write_text(TWO_VERSIONS.replace("veteran = 15", "pensioner = 15"), encoding="utf-8")
    with pytest.raises(PolicyError, match="pensioner"):
        PolicyTable.load(path, MatchingWeights)
    path.write_text(TWO_VERSIONS.replace("veteran = 15\n", ""), encoding="utf-8")
    weights = PolicyTable.load(path, MatchingWeights).at(date(2026, 1, 1))
    assert weights.group_weight(KeyGroup.veteran) == 0
    s = score(weights, occupation="电工", required_level=None, county_code="330803",
              person=person(groups={KeyGroup.veteran}))
    assert criteria(s) == {"key_group": 0}


# ---- scoring rules ---------------------------------------------------------------------------


def test_each_criterion_scores_its_weight() -> None:
    p = person(wishes={"电工"}, best_levels={"电工": 3}, groups={KeyGroup.graduate, KeyGroup.hard_to_employ})
    s = score(WEIGHTS, occupation="电工", required_level=4, county_code="330802", person=p)
    assert criteria(s) == {"occupation_wish": 30, "occupation_certified": 40, "skill_level": 25,
                           "same_county": 15, "key_group": 25}
    assert s.score == 135


def test_a_level_below_the_requirement_scores_the_certificate_but_not_the_level() -> None:
    p = person(best_levels={"电工": 4})
    s = score(WEIGHTS, occupation="电工", required_level=3, county_code="330803", person=p)
    assert criteria(s) == {"occupation_certified": 40}


def test_without_a_required_level_any_certificate_meets_the_lowest_level() -> None:
    p = person(best_levels={"电工": 5})
    s = score(WEIGHTS, occupation="电工", required_level=None, county_code="330803", person=p)
    assert criteria(s) == {"occupation_certified": 40, "skill_level": 20}


def test_a_certificate_in_another_occupation_does_not_count() -> None:
    p = person(best_levels={"焊工": 1})
    s = score(WEIGHTS, occupation="电工", required_level=None, county_code="330803", person=p)
    assert s.score == 0 and s.reasons == []


@given(required=st.none() | st.integers(1, 5), level=st.integers(1, 5))
def test_a_higher_skill_never_scores_less(required: int | None, level: int) -> None:
    lower = score(WEIGHTS, occupation="电工", required_level=required, county_code="330802",
                  person=person(best_levels={"电工": level})).score
    for better in range(1, level):
        higher = score(WEIGHTS, occupation="电工", required_level=required, county_code="330802",
                       person=person(best_levels={"电工": better})).score
        assert higher >= lower
    meets = level <= (required or 5)
    assert (lower > WEIGHTS.occupation_certified + WEIGHTS.same_county) == meets


@given(groups=st.sets(st.sampled_from(list(KeyGroup))), wish=st.booleans(), level=st.none() | st.integers(1, 5),
       same=st.booleans())
def test_score_is_the_sum_of_the_reasons_and_key_groups_count_once(
    groups: set[KeyGroup], wish: bool, level: int | None, same: bool
) -> None:
    p = person(wishes={"电工"} if wish else set(), best_levels={"电工": level} if level else {}, groups=groups)
    s = score(WEIGHTS, occupation="电工", required_level=3, county_code="330802" if same else "330881", person=p)
    assert s.score == sum(r.points for r in s.reasons)
    group_points = [r.points for r in s.reasons if r.criterion == "key_group"]
    assert group_points == ([max(WEIGHTS.group_weight(g) for g in groups)] if groups else [])


# ---- API helpers -----------------------------------------------------------------------------


async def seeker(svc: InProcessService, county: str = "330802", wishes: list[str] | None = None,
                 **over: Any) -> str:
    body = factories.job_seeker(county, occupation_wishes=wishes or [], **over)
    r = await svc.client.post("/v1/job-seekers", json=body)
    assert r.status_code == 201, r.text
    return str(body["id_number"])


async def certify(svc: InProcessService, id_number: str, occupation: str, level: int) -> None:
    """A skill certificate as training's certificate event would record it (the skill profile)."""
    async with svc.runtime.maker() as session:
        session.add(JobSeekerSkill(id_number=id_number, occupation=occupation, level=level,
                                   certificate_number=uuid.uuid4().hex, issued_date=date(2024, 6, 1),
                                   source_event_id=str(uuid.uuid4())))
        await session.commit()


async def key_group(svc: InProcessService, id_number: str, group: str, start: str = "2020-01-01",
                    end: str | None = None) -> None:
    body = {"group": group, "source": "民政局", "start_date": start, "end_date": end}
    if group == "hard_to_employ":  # 就业困难人员认定 rests on an open unemployment registration and a category
        await unemploy(svc, id_number, start)
        body |= {"category": "minimum_living", "evidence": "低保证 衢低保〔2020〕001号"}
    r = await svc.client.post(f"/v1/job-seekers/{id_number}/key-groups", json=body)
    assert r.status_code == 201, r.text


async def posting(svc: InProcessService, county: str = "330802", **over: Any) -> dict[str, Any]:
    employer = await new_employer(svc, county)
    body = {"credit_code": employer["credit_code"], "occupation": "电工", "title": "维修电工", "count": 2,
            "min_monthly_wage": "5000", "max_monthly_wage": "7000", "required_level": 3, "county_code": county,
            "closing_date": (clock.today() + timedelta(days=30)).isoformat(), **over}
    r = await svc.client.post("/v1/job-postings", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def seeker_matches(svc: InProcessService, posting_id: str, **kw: Any) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/job-postings/{posting_id}/matches", **kw)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def posting_matches(svc: InProcessService, id_number: str, **kw: Any) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/job-seekers/{id_number}/matches", **kw)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@contextmanager
def statements(svc: InProcessService) -> Iterator[list[str]]:
    """The SQL statements the block's requests run (in-process, in this task), not the service's background
    tasks' (the scheduler's jobs, the rate limiter's flush)."""
    seen: list[str] = []
    mine = asyncio.current_task()

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if asyncio.current_task() is mine:
            seen.append(sql)

    engine = svc.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# ---- GET /v1/job-postings/{id}/matches ---------------------------------------------------------


async def test_seekers_are_ranked_with_reasons_and_the_employed_and_unrelated_left_out(
    employment: InProcessService,
) -> None:
    job = await posting(employment, "330802", required_level=3)
    wish_here = await seeker(employment, "330802", ["电工"])
    master_elsewhere = await seeker(employment, "330881", ["焊工"])
    await certify(employment, master_elsewhere, "电工", 1)
    await certify(employment, master_elsewhere, "电工", 4)
    junior_cert = await seeker(employment, "330881")
    await certify(employment, junior_cert, "电工", 4)
    hard = await seeker(employment, "330802", ["电工", "焊工"])
    await key_group(employment, hard, "hard_to_employ")
    await key_group(employment, hard, "graduate")
    ended = await seeker(employment, "330802", ["电工"])
    await key_group(employment, ended, "veteran", start="2020-01-01", end="2021-01-01")
    unrelated = await seeker(employment, "330802", ["厨师"])
    await certify(employment, unrelated, "焊工", 2)
    employed = await seeker(employment, "330802", ["电工"])
    employer = await new_employer(employment, "330802")
    await employ(employment, employed, employer["credit_code"], "2026-01-05")

    body = await seeker_matches(employment, job["id"])
    ranked = [m["id_number"] for m in body["data"]]
    assert MASKED_ID.match(ranked[0]) is None, "the admin dev client reads unmasked"
    # master: certified 40 + level 1 vs 3 (20 + 2×5) = 70; hard: wish 30 + county 15 + hard_to_employ 25 = 70,
    # ties by registration date then ID number; wish_here and ended: 45; junior_cert: certified only, 40.
    assert set(ranked[:2]) == {master_elsewhere, hard}
    assert ranked[2:] == sorted([wish_here, ended]) + [junior_cert]
    assert body["count"] == 5
    assert unrelated not in ranked and employed not in ranked
    by_id = {m["id_number"]: m for m in body["data"]}
    assert by_id[master_elsewhere]["score"] == 70
    assert by_id[master_elsewhere]["skill_level"] == 1
    assert {r["criterion"]: r["points"] for r in by_id[master_elsewhere]["reasons"]} == {
        "occupation_certified": 40, "skill_level": 30}
    assert by_id[hard]["key_groups"] == ["graduate", "hard_to_employ"]
    assert {r["criterion"]: r["points"] for r in by_id[hard]["reasons"]} == {
        "occupation_wish": 30, "same_county": 15, "key_group": 25}
    assert "就业困难人员" in next(r["detail"] for r in by_id[hard]["reasons"] if r["criterion"] == "key_group")
    assert by_id[ended]["key_groups"] == [] and by_id[ended]["score"] == 45
    assert by_id[junior_cert]["score"] == 40
    assert body["as_of"] == clock.today().isoformat()
    assert body["policy_effective_from"] == "2021-01-01"
    limited = await seeker_matches(employment, job["id"], params={"limit": 2})
    assert [m["id_number"] for m in limited["data"]] == ranked[:2]
    assert limited["count"] == 5 and limited["limit"] == 2


async def test_matches_are_masked_without_pii_read_and_audited_with_it(employment: InProcessService) -> None:
    job = await posting(employment)
    person_id = await seeker(employment, "330802", ["电工"])
    body = await seeker_matches(employment, job["id"], headers=bearer(token("employment:read")))
    assert MASKED_ID.match(body["data"][0]["id_number"])
    before = len(await audit_rows(employment))
    body = await seeker_matches(employment, job["id"], headers=bearer(token("employment:read", "pii:read")))
    assert body["data"][0]["id_number"] == person_id
    audits = (await audit_rows(employment))[before:]
    assert audits and person_id in str(audits)


async def test_only_open_postings_before_their_closing_date_are_matched(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = await posting(employment, closing_date=clock.today().isoformat())
    assert (await seeker_matches(employment, job["id"]))["count"] == 0
    with clock.freeze(clock.today() + timedelta(days=1)):
        assert_problem(await employment.client.get(f"/v1/job-postings/{job['id']}/matches"), 409, "posting_id")
    await employment.client.post(f"/v1/job-postings/{job['id']}/close", json={"status": "filled"})
    body = assert_problem(await employment.client.get(f"/v1/job-postings/{job['id']}/matches"), 409)
    assert body["posting_status"] == "filled"
    assert_problem(await employment.client.get("/v1/job-postings/nope/matches"), 404)
    assert_problem(await employment.client.get(f"/v1/job-postings/{job['id']}/matches",
                                               params={"limit": 0}), 422, "limit")


async def test_county_client_matches_its_own_postings_with_its_own_seekers(employment: InProcessService) -> None:
    job = await posting(employment, "330802", required_level=None)
    here = await seeker(employment, "330802", ["电工"])
    elsewhere = await seeker(employment, "330881", ["电工"])
    other_job = await posting(employment, "330881")
    kecheng = bearer(token("employment:read", "pii:read", county="330802"))
    body = await seeker_matches(employment, job["id"], headers=kecheng)
    assert [m["id_number"] for m in body["data"]] == [here]
    assert elsewhere in [m["id_number"] for m in (await seeker_matches(employment, job["id"]))["data"]]
    assert_problem(await employment.client.get(f"/v1/job-postings/{other_job['id']}/matches", headers=kecheng), 403)


async def test_a_few_hundred_seekers_rank_in_a_constant_number_of_queries(employment: InProcessService) -> None:
    job = await posting(employment, "330802", required_level=4)
    counties = ["330802", "330803", "330822", "330824", "330825", "330881"]
    people = [factories.id_number(counties[i % 6]) for i in range(300)]
    # Seeded in one transaction (the API path is covered above): seekers, certificates, key groups.
    async with employment.runtime.maker() as session:
        for i, id_number in enumerate(people):
            session.add(JobSeeker(id_number=id_number, name=f"求职者{i}", county_code=counties[i % 6],
                                  registered_date=date(2026, 1, 1) + timedelta(days=i % 90),
                                  occupation_wishes=["电工"] if i % 3 else ["厨师"]))
        for i, id_number in enumerate(people[:60]):
            session.add(JobSeekerSkill(id_number=id_number, occupation="电工", level=1 + i % 5,
                                       certificate_number=uuid.uuid4().hex, issued_date=date(2024, 6, 1),
                                       source_event_id=str(uuid.uuid4())))
        for i, id_number in enumerate(people[60:90]):
            session.add(KeyGroupMembership(id_number=id_number, group="hard_to_employ", source="民政局",
                                           start_date=date(2020, 1, 1), county_code=counties[(60 + i) % 6]))
        await session.commit()
    small = await posting(employment, "330802", occupation="钳工")
    await certify(employment, people[0], "钳工", 3)
    with statements(employment) as few:
        await seeker_matches(employment, small["id"])
    started = time.perf_counter()
    with statements(employment) as many:
        body = await seeker_matches(employment, job["id"], params={"limit": 50})
    elapsed = time.perf_counter() - started
    assert len(many) == len(few), "no query per candidate"
    expected = {p for i, p in enumerate(people) if i % 3 or i < 60}
    assert body["count"] == len(expected)
    assert len(body["data"]) == 50
    scores = [m["score"] for m in body["data"]]
    assert scores == sorted(scores, reverse=True)
    assert elapsed < 5, elapsed
    # The same ranking computed by brute force from the seeded facts.
    weights = policy_table().at(clock.today())
    reference = []
    for i, id_number in enumerate(people):
        if id_number not in expected:
            continue
        p = person(id_number=id_number, county_code=counties[i % 6], wishes={"电工"} if i % 3 else {"厨师"},
                   registered_date=date(2026, 1, 1) + timedelta(days=i % 90),
                   best_levels={"电工": 1 + i % 5} if i < 60 else {},
                   groups={KeyGroup.hard_to_employ} if 60 <= i < 90 else set())
        s = score(weights, occupation="电工", required_level=4, county_code="330802", person=p).score
        reference.append((-s, p.registered_date, id_number))
    assert [m["id_number"] for m in body["data"]] == [r[2] for r in sorted(reference)[:50]]


# ---- GET /v1/job-seekers/{id_number}/matches ------------------------------------------------


async def test_postings_are_ranked_for_a_seeker_and_closed_or_unrelated_ones_left_out(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = await seeker(employment, "330802", ["电工"])
    await certify(employment, person_id, "焊工", 3)
    await key_group(employment, person_id, "disabled")
    electrician_here = await posting(employment, "330802", occupation="电工", required_level=2,
                                     max_monthly_wage="6000")
    welder_met = await posting(employment, "330881", occupation="焊工", required_level=4)
    welder_unmet = await posting(employment, "330802", occupation="焊工", required_level=2)
    unrelated = await posting(employment, "330802", occupation="厨师")
    closed = await posting(employment, "330802", occupation="电工")
    await employment.client.post(f"/v1/job-postings/{closed['id']}/close")
    expired = await posting(employment, "330802", occupation="电工", closing_date=clock.today().isoformat())
    with clock.freeze(clock.today() + timedelta(days=1)):
        body = await posting_matches(employment, person_id)
    ranked = [p["id"] for p in body["data"]]
    # welder_met: certified 40 + level 3 vs 4 (20 + 5) + disabled 20 = 85;
    # welder_unmet: 40 + same county 15 + 20 = 75; electrician_here: wish 30 + 15 + 20 = 65.
    assert ranked == [welder_met["id"], welder_unmet["id"], electrician_here["id"]]
    assert [p["score"] for p in body["data"]] == [85, 75, 65]
    assert unrelated["id"] not in ranked and closed["id"] not in ranked and expired["id"] not in ranked
    assert body["count"] == 3
    assert body["id_number"] == person_id
    assert body["data"][2]["max_monthly_wage"] == "6000.00"
    assert {r["criterion"] for r in body["data"][0]["reasons"]} == {"occupation_certified", "skill_level", "key_group"}


async def test_seeker_matches_masking_404_and_county_limits(employment: InProcessService) -> None:
    person_id = await seeker(employment, "330802", ["电工"])
    here = await posting(employment, "330802", required_level=None)
    await posting(employment, "330881", required_level=None)
    body = await posting_matches(employment, person_id, headers=bearer(token("employment:read")))
    assert MASKED_ID.match(body["id_number"])
    assert body["count"] == 2
    kecheng = bearer(token("employment:read", county="330802"))
    body = await posting_matches(employment, person_id, headers=kecheng)
    assert [p["id"] for p in body["data"]] == [here["id"]]
    elsewhere = await seeker(employment, "330881", ["电工"])
    assert_problem(await employment.client.get(f"/v1/job-seekers/{elsewhere}/matches", headers=kecheng), 403)
    assert_problem(await employment.client.get(f"/v1/job-seekers/{factories.id_number()}/matches"), 404)
    assert_problem(await employment.client.get("/v1/job-seekers/330802197505170001/matches"), 422, "id_number")
    nothing = await seeker(employment, "330802")
    assert (await posting_matches(employment, nothing))["data"] == []


# ---- policy boundary through the API ----------------------------------------------------------


async def test_a_policy_change_date_changes_the_ranking(
    employment: InProcessService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, move_today: MoveToday
) -> None:
    path = tmp_path / "matching.toml"
    path.write_text(TWO_VERSIONS, encoding="utf-8")
    monkeypatch.setattr(matching, "policy_table", lambda: PolicyTable.load(path, MatchingWeights))
    move_today(BOUNDARY - timedelta(days=1))
    job = await posting(employment, "330802", required_level=3)
    certified = await seeker(employment, "330802", ["电工"])
    await certify(employment, certified, "电工", 2)
    hard = await seeker(employment, "330881", ["电工"])
    await key_group(employment, hard, "hard_to_employ")

    before = await seeker_matches(employment, job["id"])
    assert before["policy_effective_from"] == "2021-01-01"
    assert [m["id_number"] for m in before["data"]] == [certified, hard]
    assert [m["score"] for m in before["data"]] == [30 + 40 + 25 + 15, 30 + 25]
    reverse_before = await posting_matches(employment, hard)

    move_today(BOUNDARY)
    after = await seeker_matches(employment, job["id"])
    assert after["policy_effective_from"] == BOUNDARY.isoformat()
    assert [m["id_number"] for m in after["data"]] == [hard, certified]
    assert [m["score"] for m in after["data"]] == [30 + 200, 110]
    assert (await posting_matches(employment, hard))["data"][0]["score"] == reverse_before["data"][0]["score"] + 175
