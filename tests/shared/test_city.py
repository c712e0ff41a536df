"""The synthetic city (hrss_cli.city): deterministic for a seed whatever the chunk size, valid and unique ID numbers
and credit codes, the counties' shares of population.toml, every status; the employment rows built from it."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from hrss_cli.city import BATCH_ROWS, POPULATION, City, Status
from hrss_cli.city import employment as city_employment
from hrss_cli.city.load import MODULES, BulkCounts
from hrss_shared.validators import birth_date_of, validate_credit_code, validate_id_number


def rows_by_path(city: City, chunk_size: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for batch in city_employment.employer_batches(city):
        out.setdefault(batch.path, []).extend(batch.rows)
    for chunk in city.people(chunk_size):
        for batch in city_employment.person_batches(city, chunk):
            assert batch.service == "employment" and 0 < len(batch.rows) <= BATCH_ROWS
            out.setdefault(batch.path, []).extend(batch.rows)
    return out


def test_the_same_seed_gives_the_same_city_whatever_the_chunk_size() -> None:
    people = [p for chunk in City(persons=2500, seed=7).people(1000) for p in chunk]
    assert [p for chunk in City(persons=2500, seed=7).people(333) for p in chunk] == people
    assert [p for chunk in City(persons=2500, seed=7).people(10_000) for p in chunk] == people
    assert [len(c) for c in City(persons=2500, seed=7).people(1000)] == [1000, 1000, 500]
    assert City(persons=2500, seed=7).employers == City(persons=2500, seed=7).employers
    other = [p for chunk in City(persons=2500, seed=8).people(1000) for p in chunk]
    assert [p.id_number for p in other] != [p.id_number for p in people]
    assert rows_by_path(City(persons=2500, seed=7), 1000) == rows_by_path(City(persons=2500, seed=7), 347)


def test_a_city_of_20000_has_valid_unique_numbers_the_county_shares_and_every_status() -> None:
    city = City(persons=20_000, seed=2025)
    people = [p for chunk in city.people(5000) for p in chunk]
    ids = [p.id_number for p in people]
    assert len(set(ids)) == len(ids) == 20_000
    for p in people:
        assert validate_id_number(p.id_number) == p.id_number and p.id_number.startswith(p.county_code)
        assert birth_date_of(p.id_number) == p.birth
        assert (int(p.id_number[16]) % 2 == 1) == p.male
    codes = [e.credit_code for e in city.employers]
    assert len(codes) == 800 and len(set(codes)) == len(codes)
    assert all(validate_credit_code(c) == c for c in codes)

    with POPULATION.open("rb") as f:
        counties = {k: float(v) for k, v in tomllib.load(f)["counties"].items() if k.isdigit()}
    total = sum(counties.values())
    seen = Counter(p.county_code for p in people)
    for code, population in counties.items():
        assert abs(seen[code] / len(people) - population / total) < 0.02, (code, seen[code])
    assert set(Counter(p.status for p in people)) == set(Status)
    assert 0.45 < sum(p.male for p in people) / len(people) < 0.57
    for p in people:
        if p.status == Status.employee:
            assert p.employer is not None and p.since is not None and p.occupation
            assert p.age(p.since) >= 16 and p.since <= city.as_of  # within working age (the rule)


def test_employment_rows_follow_the_people() -> None:
    city = City(persons=3000, seed=11)
    people = {p.id_number: p for chunk in city.people(1000) for p in chunk}
    rows = rows_by_path(city, 1000)
    employers = rows["/v1/bulk/employers"]
    assert [e["credit_code"] for e in employers] == [e.credit_code for e in city.employers]
    employed = rows["/v1/bulk/employment-registrations"]
    assert {r["id_number"] for r in employed} == {i for i, p in people.items() if p.status == Status.employee}
    for r in employed:
        p = people[r["id_number"]]
        assert p.employer is not None and p.since is not None
        assert (r["credit_code"], r["start_date"], r["name"]) == (
            city.employers[p.employer].credit_code, p.since.isoformat(), p.name)
    unemployed = rows["/v1/bulk/unemployment-registrations"]
    assert {r["id_number"] for r in unemployed} == {i for i, p in people.items() if p.status == Status.unemployed}
    for r in unemployed:
        p = people[r["id_number"]]
        assert p.age(date.fromisoformat(r["registered_date"])) >= 16  # the working-age rule
        assert date.fromisoformat(r["registered_date"]) <= city.as_of
    seekers = rows["/v1/bulk/job-seekers"]
    statuses = Counter(people[r["id_number"]].status for r in seekers)
    assert statuses[Status.unemployed] == len(unemployed)
    assert set(statuses) == {Status.unemployed, Status.flexible, Status.employee}
    assert len({r["id_number"] for r in seekers}) == len(seekers)


def test_the_loader_sends_every_service_its_part_in_order() -> None:
    assert MODULES["employment"] is city_employment
    assert list(MODULES) == ["employment", "social-insurance", "training", "labour-relations"]
    totals = BulkCounts()
    totals.add({"kind": "employers", "received": 3, "written": 2, "skipped": 1, "events": 2, "refused": []})
    totals.add({"kind": "employers", "received": 2, "written": 1, "skipped": 0, "events": 1,
                "refused": [{"row": 1, "reason": "no"}]})
    assert totals.as_dict() == {"employers": {"received": 5, "written": 3, "skipped": 1, "refused": 1, "events": 3}}
    assert totals.refusals == ["employers row 1: no"]


def test_the_cli_takes_the_city_options_and_prints_the_totals(tmp_path: Path) -> None:
    from hrss_cli import main

    args = main.build_parser().parse_args(["demo-data", "--persons", "20000", "--seed", "3", "--chunk-size", "500",
                                           "--service", "employment", "--data-dir", str(tmp_path)])
    assert (args.persons, args.seed, args.chunk_size, args.service) == (20_000, 3, 500, ["employment"])
    up = main.build_parser().parse_args(["up", "--demo-data", "--persons", "10000"])
    assert (up.demo_data, up.persons, up.seed, up.chunk_size) == (True, 10_000, 2025, 10_000)
    with pytest.raises(SystemExit):
        main.build_parser().parse_args(["demo-data", "--persons", "0"])
    # No stack runs from an empty folder: every service at its default port.
    assert main.stack_urls(tmp_path)["employment"] == "http://127.0.0.1:8001"

    totals = {"employment": BulkCounts()}
    totals["employment"].add({"kind": "employers", "received": 40, "written": 40, "skipped": 0, "events": 40})
    text = main.format_city_totals(totals, 1000, 2.0)
    assert text.splitlines()[1].split() == ["employment", "employers", "40", "40", "0", "0", "40"]
    assert text.endswith("1000 persons in 2.0s: 500 persons/s")
