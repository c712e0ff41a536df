"""Bad input to the training service is refused at the edge, on SQLite and on PostgreSQL: a 422 problem+json naming
the field, never a 500, and nothing written (PostgreSQL refuses a NUL in text, and NUMERIC and integer columns have
their ranges)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from tests import factories
from tests.support import InProcessService, on_each_database
from tests.training.helpers import (
    accreditation_body,
    assert_problem,
    count,
    course_body,
    enrol,
    institution_body,
    new_course,
    new_institution,
)
from training.config import TrainingSettings
from training.main import create_app

# The training service on SQLite or on the real PostgreSQL (``make_db`` is parametrised over both), on a day
# while the default test course (2026-03-01 … 2026-04-30) runs.
service = on_each_database(create_app, TrainingSettings, "training", today=date(2026, 3, 10))


@dataclass
class Case:
    method: str
    path: str
    error_field: str
    table: str
    body: dict[str, Any] = field(default_factory=dict)


async def institution(svc: InProcessService, **over: Any) -> Case:
    return Case("POST", "/v1/institutions", next(iter(over)), "institutions", institution_body(**over))


async def rename(svc: InProcessService, name: object) -> Case:
    inst = await new_institution(svc)
    table = f"institutions WHERE id = '{inst['id']}' AND name = '{inst['name']}'"
    return Case("PATCH", f"/v1/institutions/{inst['id']}", "name", table, {"name": name})


async def accreditation(svc: InProcessService, **over: Any) -> Case:
    inst = await new_institution(svc)
    return Case("POST", f"/v1/institutions/{inst['id']}/accreditations", next(iter(over)),
                "institution_accreditations", accreditation_body(**over))


async def course(svc: InProcessService, **over: Any) -> Case:
    inst = await new_institution(svc)
    await svc.client.post(f"/v1/institutions/{inst['id']}/accreditations", json=accreditation_body())
    return Case("POST", "/v1/courses", next(iter(over)), "courses", {**course_body(inst["id"]), **over})


async def enrolment(svc: InProcessService, **over: Any) -> Case:
    body = {"course_id": (await new_course(svc))["id"], "id_number": factories.id_number(), "name": "王明", **over}
    return Case("POST", "/v1/enrolments", next(iter(over)), "enrolments", body)


async def withdrawal(svc: InProcessService, reason: object) -> Case:
    e = await enrol(svc, (await new_course(svc))["id"])
    return Case("POST", f"/v1/enrolments/{e['id']}/withdraw", "reason",
                f"enrolments WHERE id = '{e['id']}' AND status = 'enrolled'", {"reason": reason})


async def attendance(svc: InProcessService, hours: object) -> Case:
    e = await enrol(svc, (await new_course(svc))["id"])
    return Case("POST", f"/v1/enrolments/{e['id']}/attendance", "hours",
                f"enrolments WHERE id = '{e['id']}' AND attended_hours = 0", {"hours": hours})


CASES: list[tuple[Any, dict[str, Any], str, str]] = [
    (institution, {"name": "衢州\x00培训学校"}, "U+0000", "institution-name-nul"),
    (institution, {"name": "衢州\x07培训学校"}, "U+0007", "institution-name-bel"),
    (institution, {"name": "衢州\u202e培训学校"}, "U+202E", "institution-name-rlo"),
    (institution, {"name": "衢州😀培训学校"}, "U+1F600", "institution-name-emoji"),
    (institution, {"name": "衢" * 201}, "200", "institution-name-too_long"),
    (institution, {"credit_code": "91330802MA2D0XXX1Z"}, "统一社会信用代码", "institution-credit_code-bad"),
    (institution, {"credit_code": "9133080200050000\x001"}, "统一社会信用代码", "institution-credit_code-nul"),
    (institution, {"credit_code": 913308020005000011}, "字符串", "institution-credit_code-number"),
    (institution, {"county_code": "330802\x00"}, "衢州", "institution-county_code-nul"),
    (rename, {"name": "新\x00名称"}, "U+0000", "rename-nul"),
    (accreditation, {"occupation_code": "6-29-03-1"}, "6-29-03-01", "accreditation-occupation_code-short"),
    (accreditation, {"occupation_code": "6-29-03-01\x00"}, "6-29-03-01", "accreditation-occupation_code-nul"),
    (accreditation, {"occupation_name": "电\x00工"}, "U+0000", "accreditation-occupation_name-nul"),
    (accreditation, {"valid_until": "2020-12-31"}, "valid_from", "accreditation-valid_until-before"),
    (course, {"occupation_code": "0-00-00-00"}, "国家职业分类大典", "course-occupation_code-zero"),
    (course, {"occupation_name": "电工\x00"}, "U+0000", "course-occupation_name-nul"),
    (course, {"end_date": "2026-02-28"}, "start_date", "course-end_before_start"),
    (course, {"fee_per_trainee": "-1.00"}, "负数", "course-fee-negative"),
    (course, {"fee_per_trainee": 1280.5}, "字符串", "course-fee-float"),
    (course, {"fee_per_trainee": "1280.005"}, "两位小数", "course-fee-three_places"),
    (course, {"fee_per_trainee": "1e15"}, "过大", "course-fee-huge"),
    (course, {"fee_per_trainee": "12\x0080"}, "decimal", "course-fee-nul"),
    (course, {"hours": 2**31}, "5000", "course-hours-int32"),
    (course, {"capacity": 2**63}, "10000", "course-capacity-int64"),
    (course, {"institution_id": "x" * 37}, "36", "course-institution_id-too_long"),
    (enrolment, {"name": "王\x00明"}, "U+0000", "enrolment-name-nul"),
    (enrolment, {"name": "王\u200b明"}, "U+200B", "enrolment-name-zwsp"),
    (enrolment, {"name": "王" * 51}, "50", "enrolment-name-too_long"),
    (enrolment, {"id_number": "33080219900101123\x00"}, "身份证号码", "enrolment-id_number-nul"),
    (enrolment, {"id_number": "330802199001011230"}, "校验码", "enrolment-id_number-check"),
    (withdrawal, {"reason": "本人\x00申请"}, "U+0000", "withdrawal-reason-nul"),
    (withdrawal, {"reason": "本人\n申请"}, "不能换行", "withdrawal-reason-newline"),
    (attendance, {"hours": 2**40}, "5000", "attendance-hours-huge"),
]


@pytest.mark.parametrize(("make", "over", "words"), [c[:3] for c in CASES], ids=[c[3] for c in CASES])
async def test_bad_input_in_a_body_is_refused_and_nothing_is_written(
    service: InProcessService, make: Any, over: dict[str, Any], words: str
) -> None:
    case: Case = await make(service, **over)
    before = (await count(service, case.table), await count(service, "outbox"))
    r = await service.client.request(case.method, case.path, json=case.body)
    body = assert_problem(r, 422, case.error_field)
    assert body["errors"][0]["field"] == case.error_field
    assert words in body["errors"][0]["reason"], body
    assert (await count(service, case.table), await count(service, "outbox")) == before


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/institutions?occupation_code=6-31-01-03%00", "occupation_code"),
    ("/v1/institutions?occupation_code=631", "occupation_code"),
    ("/v1/institutions?accredited_on=2100-01-01", "accredited_on"),
    ("/v1/courses?institution_id=a%00b", "institution_id"),
    ("/v1/courses?institution_id=" + "x" * 37, "institution_id"),
    ("/v1/courses?occupation_code=%E2%80%AE6-31-01-03", "occupation_code"),
    ("/v1/courses?from_date=2026-05-01&to_date=2026-04-30", "to_date"),
    ("/v1/enrolments?course_id=%00", "course_id"),
    ("/v1/enrolments?id_number=330802199001011230", "id_number"),
    ("/v1/enrolments?sort=name", "sort"),
    ("/v1/enrolments?offset=-1", "offset"),
])
async def test_bad_query_parameters_are_refused(service: InProcessService, path: str, field: str) -> None:
    body = assert_problem(await service.client.get(path), 422, field)
    assert body["errors"][0]["field"] == field


async def test_ids_that_match_nothing_are_404_not_500(service: InProcessService) -> None:
    for path in ("/v1/institutions/" + "x" * 300, "/v1/courses/%E2%80%AE", "/v1/enrolments/' OR '1'='1"):
        assert_problem(await service.client.get(path), 404)
    assert_problem(await service.client.get("/v1/enrolments/a%00b"), 422, "path")


async def test_the_largest_values_fit_the_database(service: InProcessService) -> None:
    """The upper edges of hours, capacity and fee are stored and read back as sent, on both databases."""
    c = await course(service, hours=5000, capacity=10000, fee_per_trainee="999999999999.99")
    r = await service.client.post(c.path, json=c.body)
    assert r.status_code == 201, r.text
    stored = (await service.client.get(f"/v1/courses/{r.json()['id']}")).json()
    assert (stored["hours"], stored["capacity"], stored["fee_per_trainee"]) == (5000, 10000, "999999999999.99")
