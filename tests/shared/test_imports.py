"""hrss_shared.imports with kinds of another service's shape: the mechanism, not employment's registrations.

The app here is employment's database and mechanisms with one import kind of its own — 用人单位登记 through
``employers.service.create`` — declared as a new service would: no extra part, no ID number column, a
different record noun, the generated POST description.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.config import EmploymentSettings
from employment.db import infra
from employment.employers import service as employers
from employment.employers.models import EmployerCreate
from employment.imports.models import tables
from employment.main import MIGRATIONS
from hrss_shared.app import create_service_app
from hrss_shared.auth import Principal
from hrss_shared.imports import BODY_LIMITS, ImportKind, RowPart, imports_router, runner
from hrss_shared.imports.parsing import Row, RowError
from hrss_shared.outbox import Outbox
from hrss_shared.problems import InvalidField, ProblemError
from tests import factories
from tests.employment.helpers import EMPLOYER_REGISTERED, assert_problem, count, outbox
from tests.support import InProcessService, alone, bearer, eventually, token

CSV = {"Content-Type": "text/csv"}
HEADER = "credit_code,name,county_code,industry"


async def _register(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: EmployerCreate, extra: None,
) -> str:
    principal.check_county(data.county_code)
    return (await employers.create(session=session, outbox=outbox, data=data)).credit_code


EMPLOYER = ImportKind(name="employer", label="用人单位登记", row_model=EmployerCreate, apply=_register,
                      county_field="county_code", id_field=None)


def create_app(settings: EmploymentSettings) -> FastAPI:
    router = imports_router([EMPLOYER], tables=tables, read_scope="employment:read", write_scope="employment:write",
                            record=("用人单位", "employer"))
    return create_service_app(
        settings=settings, title="imports test", description="imports test", infra=infra, migrations_dir=MIGRATIONS,
        routers=[router], body_limits=BODY_LIMITS,
    )


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(EmploymentSettings, tmp_path, max_body_bytes=1024)) as service:
        yield service


async def submit(svc: InProcessService, body: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    r = await svc.client.post("/v1/imports", params={"kind": "employer"}, content=body.encode(),
                              headers={**CSV, **(headers or {})})
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "employer"

    async def done() -> dict[str, Any] | None:
        report: dict[str, Any] = (await svc.client.get(r.headers["location"], headers=headers)).json()
        return report if report["status"] == "completed" else None

    return await eventually(done, timeout=30, interval=0.1)


async def test_a_kind_of_another_shape_imports_row_by_row(svc: InProcessService) -> None:
    codes = [factories.credit_code("330881") for _ in range(3)]
    rows = [
        f"{codes[0]},衢州甲有限公司,330881,制造业",
        f"{codes[1]},衢州乙有限公司,330881,",
        f"{codes[0]},衢州甲有限公司,330881,制造业",  # the file's own duplicate: the single endpoint's 409
        f"{codes[2]},,330881,",  # no name: 422 naming it
        f"{factories.credit_code('330802')},衢州丙有限公司,330802,",  # another county: 403 naming county_code
        f"{factories.credit_code('330881')},衢州丁\x07有限公司,330881,",  # a control character, echoed visibly
    ]
    county = bearer(token("employment:read", "employment:write", county="330881"))
    report = await submit(svc, "\n".join([HEADER, *rows]) + "\n", headers=county)
    assert (report["total"], report["processed"], report["accepted"], report["rejected"]) == (6, 6, 2, 4)
    got = {r["line"]: r for r in report["rejections"]["data"]}
    assert {line: (r["field"], r["status"]) for line, r in got.items()} == {
        4: ("credit_code", 409), 5: ("name", 422), 6: ("county_code", 403), 7: ("name", 422)}
    assert "330881" in got[6]["reason"]
    assert all(r["id_number"] is None for r in got.values())  # this kind has no ID number column
    assert "\x07" not in got[7]["raw"] and "衢州丁" in got[7]["raw"]
    accepted = (await svc.client.get(f"/v1/imports/{report['id']}/accepted", headers=county)).json()
    assert accepted["data"] == [{"line": 2, "record_id": codes[0]}, {"line": 3, "record_id": codes[1]}]
    events = [e for e in await outbox(svc) if e["event_type"] == EMPLOYER_REGISTERED]
    assert [e["event"]["data"]["credit_code"] for e in events] == codes[:2]  # once per accepted row
    assert await count(svc, "employers") == 2


async def test_the_scopes_the_service_names_guard_every_endpoint(svc: InProcessService) -> None:
    body = f"{HEADER}\n{factories.credit_code()},衢州甲有限公司,330802,\n".encode()
    reader = bearer(token("employment:read"))
    r = await svc.client.post("/v1/imports", params={"kind": "employer"}, content=body, headers={**CSV, **reader})
    assert "employment:write" in assert_problem(r, 403)["detail"]
    writer = bearer(token("employment:write"))
    assert_problem(await svc.client.get("/v1/imports", headers=writer), 403)
    assert_problem(await svc.client.get("/v1/imports/x", headers={"Authorization": ""}), 401)


async def test_unknown_kind_and_an_unreadable_file_are_refused_whole(svc: InProcessService) -> None:
    body = f"{HEADER}\n{factories.credit_code()},衢州甲有限公司,330802,\n".encode()
    r = await svc.client.post("/v1/imports", params={"kind": "employment_registration"}, content=body, headers=CSV)
    assert_problem(r, 422, "kind")
    r = await svc.client.post("/v1/imports", params={"kind": "employer"}, content=b"credit_code,name\n", headers=CSV)
    assert "county_code" in assert_problem(r, 422, "header")["detail"]
    r = await svc.client.post("/v1/imports", params={"kind": "employer"}, content=body,
                              headers={"Content-Type": "application/json"})
    assert_problem(r, 415)
    assert (await svc.client.get("/v1/imports")).json()["count"] == 0


async def test_the_file_has_the_import_limit_not_the_services(svc: InProcessService) -> None:
    rows = "".join(f"{factories.credit_code()},衢州测试有限公司,330802,\n" for _ in range(60))
    body = f"{HEADER}\n{rows}"
    assert len(body.encode()) > 1024  # the service's own HRSS_MAX_BODY_BYTES here
    assert (await submit(svc, body))["accepted"] == 60
    r = await svc.client.post("/v1/imports", params={"kind": "employer"}, headers=CSV,
                              content=b"x" * (runner.MAX_BODY_BYTES + 1))
    assert_problem(r, 413)


async def test_the_openapi_names_the_services_kinds_and_records(svc: InProcessService) -> None:
    doc = (await svc.client.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    assert schemas["ImportKind"]["enum"] == ["employer"]
    assert schemas["AcceptancePublic"]["properties"]["record_id"]["description"] == "新建用人单位的 id"
    assert "单条用人单位接口" in schemas["RejectionPublic"]["properties"]["status"]["description"]
    post = doc["paths"]["/v1/imports"]["post"]
    assert post["summary"] == "批量导入用人单位登记 Bulk import"
    assert "`employer` 用人单位登记" in post["description"]
    assert "credit_code, name, county_code, industry, size, is_construction" in post["description"]
    assert "每行一条用人单位" in post["requestBody"]["description"]
    accepted = doc["paths"]["/v1/imports/{import_id}/accepted"]["get"]
    assert accepted["description"].endswith("(line and the id of the employer it created).")


# ---- kinds and rows (pure) -----------------------------------------------------------------------


class Payment(BaseModel):
    paid_on: str = Field(min_length=10, max_length=10)
    amount: int = Field(gt=0)


class Person(BaseModel):
    id_number: str
    name: str | None = None


async def _nothing(**_: Any) -> str:
    return "x"


PERSON = ImportKind(name="person", label="人员", row_model=Person, apply=_nothing,
                    extra=RowPart(Payment, {"paid_on": "payment_date", "amount": "payment_amount"}))


def test_a_kinds_columns_are_its_models_fields_and_its_extra_columns() -> None:
    assert PERSON.required == {"id_number"}
    assert PERSON.columns == {"id_number", "name", "payment_date", "payment_amount"}
    assert EMPLOYER.columns == set(EmployerCreate.model_fields)


def test_the_extra_part_is_checked_only_when_one_of_its_columns_is_filled() -> None:
    plain = runner.validate_row(PERSON, Row(2, "", {"id_number": "1"}))
    assert isinstance(plain, tuple) and plain[1] is None
    both = runner.validate_row(PERSON, Row(2, "", {"id_number": "1", "payment_date": "2026-01-31",
                                                   "payment_amount": "5"}))
    assert isinstance(both, tuple) and both[1] == Payment(paid_on="2026-01-31", amount=5)
    # errors of the part are named by the file's column, with the row model's errors beside them
    half = runner.validate_row(PERSON, Row(2, "", {"payment_amount": "0"}))
    assert isinstance(half, list)
    assert sorted(e.field or "" for e in half) == ["id_number", "payment_amount", "payment_date"]
    malformed = runner.validate_row(PERSON, Row(2, "", {}, RowError(None, "bad")))
    assert malformed == [RowError(None, "bad")]


def test_a_kind_name_fits_the_kind_column() -> None:
    with pytest.raises(ValueError, match="40"):
        ImportKind(name="k" * 41, label="x", row_model=Person, apply=_nothing)
    with pytest.raises(ValueError, match="distinct"):
        imports_router([PERSON, PERSON], tables=tables, read_scope="a:read", write_scope="a:write")


def test_a_file_with_no_data_rows_or_of_another_type_is_refused() -> None:
    with pytest.raises(InvalidField) as no_rows:
        runner.read_rows(kind=PERSON, content_type="text/csv", body=b"id_number\n\n")
    assert no_rows.value.errors[0].field == "body"
    with pytest.raises(ProblemError) as media:
        runner.read_rows(kind=PERSON, content_type=None, body=b"id_number\n1\n")
    assert media.value.status == 415
    mtype, rows = runner.read_rows(kind=PERSON, content_type="application/jsonl; charset=utf-8",
                                   body=b'{"id_number": "1"}\n')
    assert (mtype, [(r.line, r.values) for r in rows]) == ("application/jsonl", [(1, {"id_number": "1"})])
