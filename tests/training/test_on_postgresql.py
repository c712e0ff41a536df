"""The training service's own SQL on both databases: list filters over JSON columns, the statistics aggregates,
the talent-recognition numbers and the subsidy rules (the other unit tests run on SQLite only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import factories
from tests.support import InProcessService
from tests.training.helpers import deliver_own_events, enrol, new_certificate, new_course
from tests.training.test_platforms_and_statistics import base_body, studio_body
from tests.training.test_talent import born, employed, graduate, paid_in_bulk, recognise


async def test_filters_statistics_numbers_and_subsidies_agree_on_both_databases(
    service: InProcessService, move_today: Any
) -> None:
    await service.client.post("/v1/training-bases", json=base_body(recognised_date="2026-02-01"))
    await service.client.post("/v1/master-studios", json=studio_body(recognised_date="2026-02-01"))
    found = (await service.client.get("/v1/training-bases", params={"occupation_code": "6-11-01-01"})).json()
    assert found["count"] == 1
    none = (await service.client.get("/v1/training-bases", params={"occupation_code": "6-11-01-02"})).json()
    assert none["count"] == 0

    person = factories.id_number()
    await new_certificate(service, person, level=4, issued_date="2026-03-01")
    await new_certificate(service, person, level=3, issued_date="2026-04-01")
    await new_certificate(service, person, level=5, issued_date="2026-04-02")
    await deliver_own_events(service)
    paid = (await service.client.get("/v1/subsidies", params={"id_number": person})).json()["data"]
    assert sorted(s["level"] for s in paid) == [3, 4]
    refused = (await service.client.get("/v1/subsidies/refusals", params={"id_number": person})).json()["data"]
    assert [r["reason"] for r in refused] == ["higher_level_paid"]

    move_today(date(2026, 3, 1))
    course = await new_course(service)
    enrolment = await enrol(service, course["id"])
    await service.client.post(f"/v1/enrolments/{enrolment['id']}/attendance", json={"hours": 100})
    move_today(date(2026, 4, 30))
    await service.client.post(f"/v1/enrolments/{enrolment['id']}/complete", json={"result": "passed"})

    for applicant in (born(1980), born(1981)):
        r = (await recognise(service, applicant, highest_degree="doctorate", degree_institution="浙江大学")).json()
        await service.client.post(f"/v1/talent-recognitions/{r['id']}/approve")
    numbers = sorted(r["recognition_number"] for r in (await service.client.get(
        "/v1/talent-recognitions", params={"status": "approved"})).json()["data"])
    assert numbers == ["QZRC2026000001", "QZRC2026000002"]

    city = (await service.client.get("/v1/statistics", params={"year": 2026})).json()["city"]
    assert (city["training_person_times"], city["certificates_issued"], city["new_high_skill_talent"]) == (1, 3, 1)
    assert city["platforms"]["new_master_studios"] == 1
    assert city["platforms"]["new_enterprise_high_skill_demo_bases"] == 1
    assert {s["kind"]: s["granted"]["amount"] for s in city["subsidies"]}["skill_upgrade"] == "3500.00"
    assert {t["tier"]: t["new"] for t in city["talent"]["recognised_by_tier"]}["E"] == 2
    assert (city["talent"]["skill_talent"], city["talent"]["high_skill_talent"]) == (1, 1)


async def test_months_posted_in_bulk_by_the_employer_count_as_paid_on_both_databases(
    service: InProcessService, move_today: Any
) -> None:
    move_today(date(2026, 3, 10))
    person = born(1999)
    await employed(service, person, "2025-09-01")
    await paid_in_bulk(service, person, "2025-12", "2026-01")
    await paid_in_bulk(service, person, "2026-01")  # a month posted again (another contribution) counts once
    body = (await graduate(service, person)).json()
    assert (body["paid_months"], body["required_months"]) == (2, 3)
    await paid_in_bulk(service, person, "2026-02")
    assert (await graduate(service, person)).status_code == 201
