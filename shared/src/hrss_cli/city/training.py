"""The training service's part of the synthetic city: 职业技能等级证书 held by about 3 % of working-age people.

Rows for ``POST /v1/bulk/certificates`` (the fields of ``POST /v1/certificates``), one certificate per holder, in the
holder's occupation when it is a skill assessed by 职业技能等级认定 (else a common one). Whether a person holds one,
its level and its date come from a random stream of that person's own (seed and person index), so the rows do not
depend on the chunk size. The occupation codes follow 《中华人民共和国职业分类大典》.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from hrss_cli.city import Batch, City, Person, Status, batches
from hrss_shared.reference.retirement import add_months
from hrss_shared.validators import QUZHOU_COUNTIES

SERVICE = "training"
PATH = "/v1/bulk/certificates"
SHARE = 0.03  # of working-age people (16 to retirement, not in school) hold a certificate
WORKING_AGE = frozenset({Status.employee, Status.flexible, Status.unemployed, Status.inactive})
# 职业（工种）→ 职业编码 (《国家职业分类大典》): the skills of the city's certificates.
SKILLS = {
    "车工": "6-18-01-01",
    "焊工": "6-18-02-04",
    "电工": "6-31-01-03",
    "砌筑工": "6-29-01-01",
    "中式烹调师": "4-03-02-01",
    "保育师": "4-10-01-03",
    "育婴员": "4-10-01-02",
    "养老护理员": "4-10-01-05",
    "汽车维修工": "4-12-01-01",
    "营销员": "4-01-02-01",
}
# The city's occupations (hrss_cli.city.OCCUPATIONS) assessed under another name; the rest take a common skill.
AS_SKILL = {"厨师": "中式烹调师", "保育员": "保育师", "营业员": "营销员"}
LEVELS = [(5, 35), (4, 35), (3, 20), (2, 8), (1, 2)]  # 五级/初级工 … 一级/高级技师
YEARS_BACK = 10  # certificates issued within ten years before the city's day


def certificate_number(city: City, person: Person, issued: date) -> str:
    """Unique per city and holder: 认定地 county, year, seed and the person's index."""
    return f"Y{person.county_code}{issued.year}-{city.seed}-{person.index:08d}"


def certificate(city: City, person: Person) -> dict[str, Any] | None:
    """The person's certificate row, or None (not working age, or not among the ~3 %)."""
    if person.status not in WORKING_AGE or person.age(city.as_of) < 18:
        return None
    rng = random.Random(f"training-{city.seed}-{person.index}")
    if rng.random() >= SHARE:
        return None
    skill = AS_SKILL.get(person.occupation or "", person.occupation or "")
    if skill not in SKILLS:
        skill = rng.choice(sorted(SKILLS))
    level = rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]
    adult = add_months(person.birth, 12 * 18)
    earliest = max(adult, city.as_of - timedelta(days=365 * YEARS_BACK))
    issued = earliest + timedelta(days=rng.randrange(max(1, (city.as_of - earliest).days + 1)))
    county = QUZHOU_COUNTIES[person.county_code]
    return {
        "certificate_number": certificate_number(city, person, issued),
        "id_number": person.id_number,
        "name": person.name,
        "county_code": person.county_code,
        "occupation_code": SKILLS[skill],
        "occupation_name": skill,
        "level": level,
        "evaluation_org": rng.choice([f"衢州市{county}职业技能等级认定中心", "衢州市职业技能鉴定指导中心",
                                      "衢州职业技术学院职业技能等级认定站"]),
        "issued_date": issued.isoformat(),
    }


def employer_batches(city: City) -> Iterator[Batch]:
    """Nothing per employer: a certificate needs no institution or course."""
    yield from ()


def person_batches(city: City, chunk: list[Person]) -> Iterator[Batch]:
    yield from batches(SERVICE, PATH, [row for person in chunk if (row := certificate(city, person)) is not None])
