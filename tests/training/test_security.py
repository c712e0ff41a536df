"""Training service security: credentials, the training:read / training:write scopes, masking of ID numbers without
pii:read and the audit of unmasked reads."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import quote

import pytest

from tests import factories
from tests.support import InProcessService, bearer, token
from tests.training.helpers import (
    accreditation_body,
    assert_problem,
    audit_rows,
    count,
    course_body,
    enrol,
    institution_body,
    new_course,
    outbox,
)

MASKED_ID = re.compile(r"^\d{4}\*{10}[\dX]{4}$")
READ, WRITE, PII = "training:read", "training:write", "pii:read"


def no_auth() -> dict[str, str]:
    return {"Authorization": ""}


ROUTES = [
    ("GET", "/v1/institutions"), ("POST", "/v1/institutions"), ("GET", "/v1/institutions/x"),
    ("PATCH", "/v1/institutions/x"), ("POST", "/v1/institutions/x/accreditations"), ("GET", "/v1/courses"),
    ("POST", "/v1/courses"), ("GET", "/v1/courses/x"), ("GET", "/v1/enrolments"), ("POST", "/v1/enrolments"),
    ("GET", "/v1/enrolments/x"), ("POST", "/v1/enrolments/x/attendance"), ("POST", "/v1/enrolments/x/complete"),
    ("POST", "/v1/enrolments/x/withdraw"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_every_route_needs_a_credential(training: InProcessService, method: str, path: str) -> None:
    r = await training.client.request(method, path, headers=no_auth(), json={})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].lower().startswith("bearer")


async def test_an_expired_token_is_401(training: InProcessService) -> None:
    assert_problem(await training.client.get("/v1/courses", headers=bearer(token(READ, expired=True))), 401)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ROUTES if m != "GET"])
async def test_read_scope_cannot_write(training: InProcessService, method: str, path: str) -> None:
    r = await training.client.request(method, path, headers=bearer(token(READ, PII)), json={})
    assert WRITE in assert_problem(r, 403)["detail"]


@pytest.mark.parametrize("path", [p for m, p in ROUTES if m == "GET"])
async def test_write_scope_alone_cannot_read(training: InProcessService, path: str) -> None:
    r = await training.client.get(path, headers=bearer(token(WRITE)))
    assert READ in assert_problem(r, 403)["detail"]


async def test_writes_refused_for_scope_leave_nothing(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    course = await new_course(training)
    before = (await outbox(training), await count(training, "enrolments"))
    reader = bearer(token(READ))
    employment = bearer(token("employment:read", "employment:write", "pii:read"))
    for headers in (reader, employment):
        r = await training.client.post("/v1/enrolments", headers=headers, json={
            "course_id": course["id"], "id_number": factories.id_number(), "name": "王明"})
        assert_problem(r, 403)
        assert_problem(await training.client.post("/v1/institutions", json=institution_body(), headers=headers), 403)
    assert_problem(await training.client.get("/v1/courses", headers=employment), 403)
    assert (await outbox(training), await count(training, "enrolments")) == before


async def test_the_right_scopes_work(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    writer = bearer(token(READ, WRITE))
    r = await training.client.post("/v1/institutions", json=institution_body(), headers=writer)
    assert r.status_code == 201, r.text
    inst = r.json()
    r = await training.client.post(f"/v1/institutions/{inst['id']}/accreditations", json=accreditation_body(),
                                   headers=writer)
    assert r.status_code == 201, r.text
    r = await training.client.post("/v1/courses", json=course_body(inst["id"]), headers=writer)
    assert r.status_code == 201, r.text
    r = await training.client.post("/v1/enrolments", headers=writer, json={
        "course_id": r.json()["id"], "id_number": factories.id_number(), "name": "王明"})
    assert r.status_code == 201, r.text
    assert (await training.client.get("/v1/enrolments", headers=writer)).status_code == 200


# ---- masking and audit ---------------------------------------------------------------------


async def test_id_numbers_are_masked_without_pii_read_and_not_audited(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    course = await new_course(training)
    person = factories.id_number()
    writer = bearer(token(READ, WRITE))
    r = await training.client.post("/v1/enrolments", headers=writer, json={
        "course_id": course["id"], "id_number": person, "name": "王明"})
    assert r.status_code == 201, r.text
    e = r.json()
    answers = [
        e,
        (await training.client.get(f"/v1/enrolments/{e['id']}", headers=writer)).json(),
        (await training.client.get("/v1/enrolments", headers=writer)).json()["data"][0],
        (await training.client.get("/v1/enrolments", params={"id_number": person}, headers=writer)).json()["data"][0],
        (await training.client.post(f"/v1/enrolments/{e['id']}/attendance", json={"hours": 10},
                                    headers=writer)).json(),
    ]
    for body in answers:
        assert MASKED_ID.match(body["id_number"]), body
        assert (body["id_number"][:4], body["id_number"][-4:]) == (person[:4], person[-4:])
        assert person not in str(body)
    assert await audit_rows(training) == []


async def test_pii_read_unmasks_and_audits_each_person_shown(training: InProcessService, move_today: Any) -> None:
    move_today(date(2026, 3, 10))
    course = await new_course(training)
    people = [factories.id_number() for _ in range(3)]
    for person in people:
        await enrol(training, course["id"], person)
    before = len(await audit_rows(training))
    pii = bearer(token(READ, PII, client_id="c-training-pii"))
    r = await training.client.get("/v1/enrolments", params={"limit": 2, "sort": "created_at"},
                                  headers={**pii, "X-Purpose": quote("培训补贴审核")})
    assert r.status_code == 200
    shown = {x["id_number"] for x in r.json()["data"]}
    assert shown <= set(people) and len(shown) == 2
    rows = (await audit_rows(training))[before:]
    assert {row["subject"] for row in rows} == shown
    assert all(row["client_id"] == "c-training-pii" and row["action"] == "GET /v1/enrolments"
               and row["purpose"] == "培训补贴审核" and row["fields"] == ["id_number"] for row in rows)


async def test_an_unmasked_write_answer_is_audited_in_its_transaction(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    course = await new_course(training)
    person = factories.id_number()
    pii_writer = bearer(token(READ, WRITE, PII, client_id="c-window"))
    before = len(await audit_rows(training))
    r = await training.client.post("/v1/enrolments", headers=pii_writer, json={
        "course_id": course["id"], "id_number": person, "name": "王明"})
    assert r.json()["id_number"] == person
    [row] = (await audit_rows(training))[before:]
    assert (row["client_id"], row["subject"], row["action"]) == ("c-window", person, "POST /v1/enrolments")


async def test_county_client_cannot_touch_another_countys_enrolments(
    training: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    course = await new_course(training, county_code="330802")
    e = await enrol(training, course["id"])
    longyou = bearer(token(READ, WRITE, PII, county="330825"))
    before, audited = await outbox(training), len(await audit_rows(training))
    assert_problem(await training.client.get(f"/v1/enrolments/{e['id']}", headers=longyou), 403)
    for action, body in (("attendance", {"hours": 1}), ("complete", {"result": "failed"}),
                         ("withdraw", {"reason": "x"})):
        assert_problem(await training.client.post(f"/v1/enrolments/{e['id']}/{action}", json=body, headers=longyou),
                       403)
    r = await training.client.post("/v1/enrolments", headers=longyou, json={
        "course_id": course["id"], "id_number": factories.id_number(), "name": "王明"})
    assert_problem(r, 403)
    assert (await training.client.get("/v1/enrolments", headers=longyou)).json()["count"] == 0
    assert await outbox(training) == before
    assert len(await audit_rows(training)) == audited  # refused reads show nothing, so nothing is audited
