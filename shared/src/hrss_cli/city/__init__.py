"""The synthetic city of ``hrss demo-data``: people and employers of the six counties, deterministic for a seed.

:class:`City` is the skeleton every service's part builds on: who lives where (by the counties' registered
population), their sex and age (by the shape in ``population.toml``), which employer employs whom since when,
and who is self-employed, unemployed, studying or retired. Each service's module in this package turns the employers
(``employer_batches(city)``) and each chunk of people (``person_batches(city, chunk)``) into :class:`Batch`es
for that service's own bulk paths, and may add ``final_batches(city)``: rows sent after all people (one more
pass over :meth:`City.people`, e.g. contributions grouped by employer across the whole city);
:mod:`hrss_cli.city.load` sends them.

The same seed and size give the same city, chunk by chunk, whatever the chunk size: people are drawn one after
another from one random stream, and employers from another, so a load that stopped can be run again and skips
what is already there.
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from hrss_shared.bulk import MAX_ROWS, chunks
from hrss_shared.reference.retirement import add_months, age_on, category_for, retirement_date
from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code, make_id_number

POPULATION = Path(__file__).with_name("population.toml")
AS_OF = date(2025, 12, 31)  # the city's reference day: ages, histories and the year of contributions end here
PERSONS_PER_EMPLOYER = 25

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林郑毛余汪叶程郑姜祝徐方邵傅"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌琳晨浩宇欣怡子涵梓萱"
INDUSTRIES = [("制造业", 30), ("建筑业", 10), ("批发和零售业", 18), ("住宿和餐饮业", 10), ("信息技术服务业", 5),
              ("农林牧渔业", 12), ("交通运输业", 8), ("居民服务业", 7)]
EMPLOYER_WORDS = ["新材料", "特种纸业", "建工集团", "食品", "电子科技", "物流", "茶业", "机械制造", "竹木制品",
                  "氟硅化工", "汽配", "家居", "商贸", "农业开发", "建设工程"]
OCCUPATIONS = ["车工", "电工", "焊工", "营业员", "厨师", "软件工程师", "砌筑工", "驾驶员", "会计", "保育员",
               "养老护理员"]


class Status(StrEnum):
    child = "child"  # under 16
    student = "student"  # 16–22 in school
    employee = "employee"  # employed by an employer (就业登记, 职工参保)
    flexible = "flexible"  # 灵活就业 (self-insured)
    unemployed = "unemployed"  # registered unemployed (失业登记)
    inactive = "inactive"  # working age, not in the labour force (城乡居民参保)
    retired = "retired"  # past retirement age


@dataclass(frozen=True, slots=True)
class Batch:
    """One request of a bulk load: ``POST <service's url><path>`` with ``{"rows": rows}``."""

    service: str  # the service registry's name (hrss_shared.registry), e.g. "employment"
    path: str  # e.g. "/v1/bulk/employers"
    rows: list[dict[str, Any]]


BATCH_ROWS = MAX_ROWS // 2  # rows per request (a service's bulk path takes at most MAX_ROWS)


def batches(service: str, path: str, rows: list[dict[str, Any]], size: int = BATCH_ROWS) -> Iterator[Batch]:
    """``rows`` for ``service``'s ``path`` as requests of at most ``size`` rows."""
    for part in chunks(rows, size):
        yield Batch(service, path, part)


@dataclass(frozen=True, slots=True)
class Employer:
    index: int
    credit_code: str
    name: str
    county_code: str
    industry: str
    size: str
    is_construction: bool


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    id_number: str
    name: str
    male: bool
    birth: date
    county_code: str
    phone: str
    status: Status
    employer: int | None  # index into City.employers (employees)
    since: date | None  # employment / flexible work / unemployment start, or retirement day
    occupation: str | None
    education: str

    def age(self, on: date = AS_OF) -> int:
        return age_on(self.birth, on)


def _shape() -> dict[str, Any]:
    with POPULATION.open("rb") as f:
        return tomllib.load(f)


class City:
    """``persons`` people and ``persons // 25`` employers (at least one per county), deterministic for ``seed``."""

    def __init__(self, *, persons: int, seed: int = 2025, as_of: date = AS_OF) -> None:
        if persons < 1:
            raise ValueError("persons must be at least 1")
        self.persons = persons
        self.seed = seed
        self.as_of = as_of
        shape = _shape()
        counties = {code: float(share) for code, share in shape["counties"].items() if code in QUZHOU_COUNTIES}
        self.county_codes = list(counties)
        self.county_weights = list(counties.values())
        self.male_share = float(shape["sex"]["male_share"])
        self.age_bands = [(int(a), int(b), float(w)) for a, b, w in shape["age"]["bands"]]
        self.employers = self._employers(max(len(counties), persons // PERSONS_PER_EMPLOYER))
        self._by_county: dict[str, list[int]] = {}
        for e in self.employers:
            self._by_county.setdefault(e.county_code, []).append(e.index)

    def _employers(self, count: int) -> list[Employer]:
        rng = random.Random(f"employers-{self.seed}")
        industries = [name for name, _ in INDUSTRIES]
        weights = [w for _, w in INDUSTRIES]
        out = []
        for i in range(count):
            county = self.county_codes[i] if i < len(self.county_codes) else rng.choices(
                self.county_codes, self.county_weights)[0]
            industry = rng.choices(industries, weights)[0]
            out.append(Employer(
                index=i, credit_code=make_credit_code(county, 10_000_000 + self.seed * 10_000 + i),
                name=f"衢州{QUZHOU_COUNTIES[county][:2]}{rng.choice(EMPLOYER_WORDS)}有限公司{i + 1}号",
                county_code=county, industry=industry,
                size=rng.choices(["micro", "small", "medium", "large"], [55, 30, 12, 3])[0],
                is_construction=industry == "建筑业",
            ))
        return out

    def people(self, chunk_size: int = 10_000) -> Iterator[list[Person]]:
        """Every person, in chunks of ``chunk_size``, always the same for this city."""
        rng = random.Random(f"persons-{self.seed}")
        taken: dict[tuple[str, date, bool], int] = {}
        chunk: list[Person] = []
        for i in range(self.persons):
            chunk.append(self._person(i, rng, taken))
            if len(chunk) == chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _adult(self, birth: date, day: date) -> date:
        """``day``, or the 18th birthday when ``day`` is earlier (nobody here works before 18), but never after
        the reference day (a 16- or 17-year-old at work started on it: within the working age of 16)."""
        return min(max(day, add_months(birth, 12 * 18)), self.as_of)

    def _person(self, i: int, rng: random.Random, taken: dict[tuple[str, date, bool], int]) -> Person:
        county = rng.choices(self.county_codes, self.county_weights)[0]
        male = rng.random() < self.male_share
        low, high, _ = rng.choices(self.age_bands, [w for _, _, w in self.age_bands])[0]
        birth = self.as_of - timedelta(days=rng.randrange(low * 365 + 1, (high + 1) * 365 - 1))
        while (n := taken.get((county, birth, male), 0)) >= 500:  # 500 sequence numbers per day and sex
            birth -= timedelta(days=1)
        taken[(county, birth, male)] = n + 1
        id_number = make_id_number(county, birth, 2 * n + (1 if male else 0))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}"
        age = age_on(birth, self.as_of)
        # the statutory age with the gradual raise from 2025 (hrss_shared's reference rule; a woman's original age
        # taken as 55, the employment service's default)
        retires = retirement_date(birth, category_for("male" if male else "female", None if male else 55))
        status, employer, since, occupation = Status.inactive, None, None, None
        roll = rng.random()
        if age < 16:
            status = Status.child
        elif age <= 22 and roll < 0.6:
            status = Status.student
        elif self.as_of >= retires:
            status, since = Status.retired, retires
        elif roll < 0.64:
            status = Status.employee
            local = self._by_county.get(county, [])
            # most people work in their own county; bigger (lower-numbered) employers take more of them
            pool = local if local and rng.random() < 0.85 else range(len(self.employers))
            employer = pool[int(len(pool) * rng.random() ** 2)]
            since = self._adult(birth, self.as_of - timedelta(days=rng.randrange(30, 365 * 12)))
            occupation = rng.choice(OCCUPATIONS)
        elif roll < 0.76:
            status, since = Status.flexible, self._adult(birth, self.as_of - timedelta(days=rng.randrange(30, 365 * 8)))
        elif roll < 0.80:
            status, since = Status.unemployed, self.as_of - timedelta(days=rng.randrange(1, 365))
        education = rng.choices(["junior_high", "senior_high", "vocational", "associate", "bachelor", "master"],
                                [25, 25, 18, 15, 15, 2])[0]
        return Person(index=i, id_number=id_number, name=name, male=male, birth=birth, county_code=county,
                      phone=phone, status=status, employer=employer, since=since, occupation=occupation,
                      education=education)
