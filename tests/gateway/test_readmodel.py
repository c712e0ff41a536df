"""Gateway read model: documents shaped like the answer, order-tolerant, idempotent, strict about bad payloads."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.readmodel import CONSUMER, MODULES
from gateway.readmodel.models import EmployerSection, PersonSection
from hrss_contracts import contracts_of
from hrss_shared.consumer import PermanentEventError
from hrss_shared.registry import DOMAIN_TOPICS
from tests import factories
from tests.gateway.events import (
    EMPLOYER_REGISTERED,
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    JOB_SEEKER_REGISTERED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    apply,
    apply_batch,
    employment_registered,
    employment_terminated,
    event,
    job_seeker_registered,
)
from tests.support import InProcessService


async def person(svc: InProcessService, id_number: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/persons/{id_number}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def sections(svc: InProcessService, table: Any, key_column: str, key: str) -> dict[str, dict[str, Any]]:
    t = table.__table__
    async with svc.runtime.maker() as session:
        rows = (await session.execute(select(t.c.section, t.c.doc).where(t.c[key_column] == key))).all()
    return {section: json.loads(doc) for section, doc in rows}


def test_the_gateway_consumes_every_topic_through_one_module_each() -> None:
    assert sorted(MODULES) == sorted(DOMAIN_TOPICS)
    assert sorted(CONSUMER.topics) == sorted(DOMAIN_TOPICS)
    for topic, handlers in MODULES.items():
        assert set(handlers) == {c.type for c in contracts_of(topic)}, topic


async def test_termination_before_registration_leaves_it_terminated_with_both_dates(
    gateway: InProcessService,
) -> None:
    id_number = factories.id_number()
    registered = employment_registered(id_number, start_date="2026-03-01")
    terminated = employment_terminated(id_number, registration_id=registered.data["id"],
                                       credit_code=registered.data["credit_code"], end_date="2026-06-30")
    await apply(gateway, terminated, registered)
    section = (await person(gateway, id_number))["employment"]
    assert section["status"] == "not_employed"
    [item] = section["employments"]
    assert (item["status"], item["start_date"], item["end_date"]) == ("terminated", "2026-03-01", "2026-06-30")
    assert (item["termination_reason"], item["employer_name"], item["occupation"]) == (
        "合同到期", "衢州测试企业有限公司", "车工")


async def test_in_order_registration_then_termination(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    registered = employment_registered(id_number)
    await apply(gateway, registered)
    assert (await person(gateway, id_number))["employment"]["status"] == "employed"
    await apply(gateway, employment_terminated(id_number, registration_id=registered.data["id"],
                                               credit_code=registered.data["credit_code"]))
    [item] = (await person(gateway, id_number))["employment"]["employments"]
    assert (item["status"], item["start_date"], item["end_date"]) == ("terminated", "2026-03-01", "2026-06-30")


async def test_closure_before_unemployment_registration_stays_closed(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    reg_id = str(uuid.uuid4())
    closed = event(UNEMPLOYMENT_CLOSED, id_number, {"id": reg_id, "id_number": id_number, "end_date": "2026-08-01",
                                                    "reason": "就业登记 re-employed"})
    opened = event(UNEMPLOYMENT_REGISTERED, id_number, {
        "id": reg_id, "id_number": id_number, "name": "王小明", "county_code": "330802",
        "registered_date": "2026-07-02"})
    await apply(gateway, closed, opened)
    section = (await person(gateway, id_number))["employment"]
    [item] = section["unemployment_registrations"]
    assert (item["status"], item["registered_date"], item["end_date"]) == ("closed", "2026-07-02", "2026-08-01")
    assert section["status"] == "not_employed"


async def test_redelivered_event_changes_nothing(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    registered = employment_registered(id_number)
    await apply(gateway, registered, job_seeker_registered(id_number))
    before = await sections(gateway, PersonSection, "id_number", id_number)
    await apply(gateway, registered, job_seeker_registered(id_number))
    await apply_batch(gateway, registered, registered)
    body = await person(gateway, id_number)
    assert len(body["employment"]["employments"]) == 1
    after = await sections(gateway, PersonSection, "id_number", id_number)
    assert after["employment"]["employments"] == before["employment"]["employments"]


async def test_a_batch_gives_the_same_documents_as_one_event_per_transaction(gateway: InProcessService) -> None:
    one, other = factories.id_number(), factories.id_number()
    for target, applier in ((one, apply), (other, apply_batch)):
        registered = employment_registered(target, registration_id=f"reg-{target}")
        history = [
            job_seeker_registered(target), registered,
            employment_terminated(target, registration_id=registered.data["id"],
                                  credit_code=registered.data["credit_code"]),
            event(UNEMPLOYMENT_REGISTERED, target, {"id": f"u-{target}", "id_number": target, "name": "王小明",
                                                    "county_code": "330802", "registered_date": "2026-07-02"}),
        ]
        await applier(gateway, *history)

    def comparable(doc: dict[str, Any], key: str) -> str:
        return json.dumps(doc, sort_keys=True).replace(key, "X")

    a = await sections(gateway, PersonSection, "id_number", one)
    b = await sections(gateway, PersonSection, "id_number", other)
    assert a.keys() == b.keys() == {"identity", "employment"}
    assert a["employment"]["status"] == "registered_unemployed"
    for name in a:
        assert len(comparable(a[name], one)) == len(comparable(b[name], other))
        assert a[name]["as_of"] is not None and b[name]["as_of"] is not None


async def test_as_of_never_moves_backwards(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    newer = job_seeker_registered(id_number, name="新名字")
    older = employment_registered(id_number)
    older = older.model_copy(update={"time": datetime(2026, 1, 1, tzinfo=UTC)})
    await apply(gateway, newer, older)
    body = await person(gateway, id_number)
    assert datetime.fromisoformat(body["employment"]["as_of"]) == newer.time
    assert datetime.fromisoformat(body["identity"]["as_of"]) == newer.time
    assert body["identity"]["name"] == "新名字"


async def test_sections_of_domains_without_events_are_empty_with_no_as_of(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    await apply(gateway, job_seeker_registered(id_number))
    body = await person(gateway, id_number)
    assert body["training"] == {"certificates": [], "high_skill": False, "enrolments": [], "vouchers": [],
                                "subsidies": [], "records": {}, "as_of": None, "live": None}
    assert body["insurance"] == {"enrolments": [], "contribution_months": {}, "coverage_gaps": [], "benefits": [],
                                 "records": {}, "as_of": None, "live": None}
    assert body["card"] == {"card": None, "cards": [], "as_of": None, "live": None}
    assert body["talent"] == {"recognitions": [], "titles": [], "benefits": [], "as_of": None, "live": None}
    assert body["labour"] == {"arrears_cases": [], "records": {}, "as_of": None, "live": None}


async def test_certificates_fill_the_training_section_not_employment(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    await apply(gateway, job_seeker_registered(id_number))
    certificate = event("hrss.training.certificate.issued.v1", id_number, {
        "id": "cert-1", "id_number": id_number, "name": "王小明", "occupation": "焊工", "level": 3,
        "certificate_number": "S0001", "issued_date": "2026-05-20", "county_code": "330802"})
    certificate = certificate.model_copy(update={"source": "/hrss/training"})
    await apply(gateway, certificate)
    body = await person(gateway, id_number)
    assert body["training"]["high_skill"] is True
    assert [c["certificate_number"] for c in body["training"]["certificates"]] == ["S0001"]
    assert body["employment"]["records"] == {}


async def test_record_events_fold_into_their_domains_section_by_kind(gateway: InProcessService) -> None:
    id_number = factories.id_number()
    added = event("hrss.employment.key_group.added.v1", id_number, {
        "id": "kg-1", "id_number": id_number, "group": "veteran", "source": "退役军人事务局",
        "start_date": "2026-01-01", "county_code": "330802"})
    ended = event("hrss.employment.key_group.ended.v1", id_number, {
        "id": "kg-1", "id_number": id_number, "group": "veteran", "end_date": "2026-06-01"})
    await apply(gateway, ended, added)
    records = (await person(gateway, id_number))["employment"]["records"]
    [membership] = records["key_group"]
    assert membership["status"] == "ended"
    assert membership["data"]["start_date"] == "2026-01-01" and membership["data"]["end_date"] == "2026-06-01"


async def test_employer_events_build_the_employer_profile(gateway: InProcessService) -> None:
    code = factories.credit_code("330881")
    await apply(gateway, event(EMPLOYER_REGISTERED, code, {
        "credit_code": code, "name": "江山建设有限公司", "county_code": "330881", "is_construction": True}))
    profile = (await sections(gateway, EmployerSection, "credit_code", code))["profile"]
    assert (profile["name"], profile["county_code"], profile["is_construction"], profile["status"]) == (
        "江山建设有限公司", "330881", True, "active")


@pytest.mark.parametrize(("type_", "data"), [
    (EMPLOYMENT_REGISTERED, {"id": "r1", "id_number": "11010519491231002X"}),
    (EMPLOYMENT_REGISTERED, {"id": "r1", "id_number": "11010519491231002X", "name": "王", "credit_code": "c",
                             "employer_name": "e", "county_code": "330802", "start_date": "2026-02-30"}),
    (EMPLOYMENT_TERMINATED, {"id": "r1", "id_number": "11010519491231002X", "credit_code": "c",
                             "end_date": "not-a-date", "reason": "x"}),
    (UNEMPLOYMENT_REGISTERED, {}),
    (UNEMPLOYMENT_CLOSED, {"id": "u1", "id_number": "11010519491231002X", "end_date": "2026-08-01"}),
    (JOB_SEEKER_REGISTERED, {"id_number": "11010519491231002X", "name": "王"}),
    (EMPLOYER_REGISTERED, {"credit_code": "91350100M000100Y43", "name": ["not", "a", "string"],
                           "county_code": "330802"}),
    ("hrss.employment.key_group.added.v1", {"id": "kg", "id_number": "not an id"}),
])
async def test_bad_data_payload_is_a_permanent_error_and_writes_nothing(
    gateway: InProcessService, type_: str, data: dict[str, object]
) -> None:
    bad = event(type_, "11010519491231002X", data)
    with pytest.raises(PermanentEventError) as info:
        await apply(gateway, bad)
    assert "does not match" in str(info.value)
    async with gateway.runtime.maker() as session:
        for table in (PersonSection, EmployerSection):
            t = table.__table__  # type: ignore[attr-defined]
            assert (await session.execute(select(func.count()).select_from(t))).scalar_one() == 0
