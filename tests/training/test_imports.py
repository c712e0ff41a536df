"""批量导入 in the training service: certificates from CSV and enrolments from JSON lines, each row through the
single-record path, with the shared per-row report."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tests import factories
from tests.employment.test_imports import finished, reasons
from tests.support import InProcessService
from tests.training.helpers import TYPE, certificate_body, new_course, outbox

CSV = {"Content-Type": "text/csv"}
JSONL = {"Content-Type": "application/x-ndjson"}
COLUMNS = ["certificate_number", "id_number", "name", "county_code", "occupation_code", "occupation_name", "level",
           "evaluation_org", "issued_date"]


async def submit(svc: InProcessService, kind: str, body: str, headers: dict[str, str]) -> dict[str, Any]:
    r = await svc.client.post("/v1/imports", params={"kind": kind}, content=body.encode(), headers=headers)
    assert r.status_code == 202, r.text
    return await finished(svc, r.headers["location"])


async def test_certificates_import_writes_the_good_rows_and_reports_the_bad_ones(training: InProcessService) -> None:
    rows = [certificate_body(level=level) for level in (5, 4, 3)]
    rows.append(certificate_body(level=6))  # line 5: no such level
    rows.append({**certificate_body(), "certificate_number": rows[0]["certificate_number"]})  # line 6: taken
    rows.append(certificate_body(occupation_code="6-31"))  # line 7: not a national occupation code
    lines = [",".join(COLUMNS)] + [",".join(str(r[c]) for c in COLUMNS) for r in rows]
    before = len(await outbox(training))
    report = await submit(training, "certificate", "\n".join(lines) + "\n", CSV)
    assert (report["total"], report["accepted"], report["rejected"]) == (6, 3, 3)
    got = reasons(report)
    assert [(f, s) for f, s, _ in got[5]] == [("level", 422)]
    assert [(f, s) for f, s, _ in got[6]] == [("certificate_number", 409)]
    assert [(f, s) for f, s, _ in got[7]] == [("occupation_code", 422)]
    types = [r["event_type"] for r in (await outbox(training))[before:]]
    assert types == [TYPE("certificate.issued")] * 3
    listed = (await training.client.get("/v1/certificates", params={"id_number": rows[2]["id_number"]})).json()
    assert listed["data"][0]["level"] == 3


async def test_enrolments_import_keeps_the_capacity_and_the_one_per_person_rule(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 1))
    course = await new_course(training, capacity=2)
    person = factories.id_number()
    rows = [{"course_id": course["id"], "id_number": person, "name": "王小明"},
            {"course_id": course["id"], "id_number": person, "name": "王小明"},  # line 2: already enrolled
            {"course_id": course["id"], "id_number": factories.id_number(), "name": "李四"},
            {"course_id": course["id"], "id_number": factories.id_number(), "name": "张三"},  # line 4: full
            {"course_id": "no-such-course", "id_number": factories.id_number(), "name": "赵五"}]
    report = await submit(training, "enrolment", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                          JSONL)
    assert (report["accepted"], report["rejected"]) == (2, 3)
    got = reasons(report)
    assert [(f, s) for f, s, _ in got[2]] == [("id_number", 409)]
    assert [(f, s) for f, s, _ in got[4]] == [("course_id", 409)]
    assert [(f, s) for f, s, _ in got[5]] == [("course_id", 422)]
    seats = (await training.client.get(f"/v1/courses/{course['id']}")).json()
    assert seats["enrolled"] == 2
