"""The labour-relations service's part of the synthetic city: 在建工程项目 of construction employers and 欠薪案件
of about 0.5 % of employers.

Rows for ``POST /v1/bulk/projects`` and ``POST /v1/bulk/arrears-cases`` (the fields of ``POST /v1/projects`` and
``POST /v1/arrears-cases``). Each employer's rows come from a random stream of its own (seed and employer index).
The complainants of a case are migrant workers (农民工) from outside the city, as most wage-arrears complaints are:
their ID numbers are valid ones of neighbouring provinces' counties and name nobody in the city's population.
Nothing per person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hrss_cli.city import GIVEN, SURNAMES, Batch, City, Employer, Person, batches
from hrss_shared.validators import QUZHOU_COUNTIES, make_id_number

SERVICE = "labour-relations"
CASE_SHARE_CONSTRUCTION = 0.02  # construction employers (about a tenth) file most cases …
CASE_SHARE_OTHER = 0.003  # … so that about 0.5 % of all employers have one
PLACES = ["高铁新城", "智造新城", "西区", "东港", "城南", "府山", "书院", "衢江港区", "经济开发区", "龙游湖"]
WORKS = ["安置房", "标准厂房", "道路提升", "学校扩建", "医院综合楼", "污水管网", "人才公寓", "体育馆"]
BANKS = ["中国建设银行", "中国农业银行", "中国工商银行", "中国银行", "衢州农商银行"]
# County codes of the provinces most migrant workers come from (江西, 安徽, 贵州, 四川, 湖南).
HOME_COUNTIES = ["361123", "361128", "340822", "341523", "522623", "511321", "431126"]


def projects(city: City, employer: Employer) -> list[dict[str, Any]]:
    """One to three projects of a construction employer (its general-contractor registrations)."""
    if not employer.is_construction:
        return []
    rng = random.Random(f"labour-projects-{city.seed}-{employer.index}")
    count = 1 + (rng.random() < 0.4) + (employer.size in ("medium", "large"))
    rows = []
    for k in range(count):
        start = city.as_of - timedelta(days=rng.randrange(30, 3 * 365))
        rows.append({
            "name": f"{QUZHOU_COUNTIES[employer.county_code][:2]}{rng.choice(PLACES)}{rng.choice(WORKS)}工程"
                    f"{k + 1}标段",
            "credit_code": employer.credit_code,
            "contractor_name": employer.name,
            "county_code": employer.county_code,
            "wage_account": f"3301{rng.randrange(10**15, 10**16)}",
            "wage_account_bank": f"{rng.choice(BANKS)}衢州分行",
            "start_date": start.isoformat(),
            "completion_date": (start + timedelta(days=rng.randrange(365, 3 * 365))).isoformat(),
        })
    return rows


def case(city: City, employer: Employer) -> dict[str, Any] | None:
    """The employer's wage-arrears complaint, or None (most employers have none)."""
    rng = random.Random(f"labour-cases-{city.seed}-{employer.index}")
    if rng.random() >= (CASE_SHARE_CONSTRUCTION if employer.is_construction else CASE_SHARE_OTHER):
        return None
    complainants = []
    for k in range(rng.randrange(1, 5)):
        birth = date(rng.randrange(1965, 2001), rng.randrange(1, 13), rng.randrange(1, 29))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        sequence = 10 * rng.randrange(50) + 2 * k + 1  # distinct within the case (the last digit differs)
        complainants.append({"id_number": make_id_number(rng.choice(HOME_COUNTIES), birth, sequence), "name": name})
    workers = len(complainants) + rng.randrange(0, 12)  # 10 or more: a group case (群体性欠薪)
    owed = Decimal(workers * rng.randrange(3000, 15000)).quantize(Decimal("0.01"))
    return {
        "credit_code": employer.credit_code,
        "employer_name": employer.name,
        "county_code": employer.county_code,
        "complainants": complainants,
        "workers_affected": workers,
        "amount_owed": str(owed),
        "evidence_notes": rng.choice(["工资条、考勤记录", "劳动合同、工资欠条", "考勤表、工友证言"]),
        "filed_date": (city.as_of - timedelta(days=rng.randrange(0, 365))).isoformat(),
    }


def employer_batches(city: City) -> Iterator[Batch]:
    """Projects first, then cases (a case here names no project: the project ids are the service's)."""
    yield from batches(SERVICE, "/v1/bulk/projects", [row for e in city.employers for row in projects(city, e)])
    yield from batches(SERVICE, "/v1/bulk/arrears-cases",
                       [row for e in city.employers if (row := case(city, e)) is not None])


def person_batches(city: City, chunk: list[Person]) -> Iterator[Batch]:
    """Nothing per person."""
    yield from ()
