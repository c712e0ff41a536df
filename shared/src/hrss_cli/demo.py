"""Synthetic people and employers for the six counties (valid ID numbers and credit codes)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from hrss_shared.validators import QUZHOU_COUNTIES, make_credit_code, make_id_number

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林郑毛余徐汪叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌"
INDUSTRIES = ["制造业", "建筑业", "批发和零售业", "住宿和餐饮业", "信息技术服务业", "农林牧渔业", "交通运输业"]
EMPLOYER_WORDS = ["新材料", "特种纸业", "建工集团", "食品", "电子科技", "物流", "茶业", "机械制造", "竹木制品"]
OCCUPATIONS = ["车工", "电工", "焊工", "营业员", "厨师", "软件工程师", "砌筑工", "驾驶员", "会计"]


@dataclass
class DemoData:
    employers: list[dict[str, Any]] = field(default_factory=list)
    job_seekers: list[dict[str, Any]] = field(default_factory=list)


def generate(*, persons: int, employers: int, seed: int = 2025) -> DemoData:
    """Deterministic synthetic records spread across the six counties."""
    rng = random.Random(seed)
    counties = list(QUZHOU_COUNTIES)
    out = DemoData()
    for i in range(employers):
        county = counties[i % len(counties)]
        industry = rng.choice(INDUSTRIES)
        out.employers.append({
            "credit_code": make_credit_code(county, 100000 + seed * 1000 + i),
            "name": f"衢州{QUZHOU_COUNTIES[county][:2]}{rng.choice(EMPLOYER_WORDS)}有限公司{i + 1}号",
            "county_code": county, "industry": industry, "size": rng.choice(["micro", "small", "medium", "large"]),
            "is_construction": industry == "建筑业",
        })
    for i in range(persons):
        county = counties[i % len(counties)]
        birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 40))
        out.job_seekers.append({
            "id_number": make_id_number(county, birth, rng.randrange(0, 1000)),
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            "county_code": county,
            "education": rng.choice(["senior_high", "vocational", "associate", "bachelor"]),
        })
    unique = {p["id_number"]: p for p in reversed(out.job_seekers)}  # the first of each ID number wins
    out.job_seekers = [p for p in out.job_seekers if unique[p["id_number"]] is p]
    return out


def load(*, base_url: str, token: str, persons: int, employers: int, seed: int = 2025) -> dict[str, int]:
    """POST the synthetic records to the employment service; already-loaded records are skipped."""
    data = generate(persons=persons, employers=employers, seed=seed)
    rng = random.Random(seed + 1)
    counts = {"employers": 0, "job_seekers": 0, "employment_registrations": 0, "unemployment_registrations": 0,
              "skipped": 0}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        def post(path: str, body: dict[str, Any], key: str) -> None:
            r = client.post(path, json=body)
            if r.status_code == 201:
                counts[key] += 1
            elif r.status_code == 409:
                counts["skipped"] += 1
            else:
                raise RuntimeError(f"POST {path} answered {r.status_code}: {r.text}")

        for employer in data.employers:
            post("/v1/employers", employer, "employers")
        for person in data.job_seekers:
            post("/v1/job-seekers", person, "job_seekers")
            roll = rng.random()
            start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 600))
            if roll < 0.7:
                employer = rng.choice(data.employers)
                post("/v1/employment-registrations", {
                    "id_number": person["id_number"], "name": person["name"], "credit_code": employer["credit_code"],
                    "start_date": start.isoformat(), "occupation": rng.choice(OCCUPATIONS),
                }, "employment_registrations")
            elif roll < 0.85:
                post("/v1/unemployment-registrations", {
                    "id_number": person["id_number"], "name": person["name"], "county_code": person["county_code"],
                    "registered_date": start.isoformat(), "reason": "合同期满 contract ended",
                }, "unemployment_registrations")
    return counts
