"""The person view's labour section: wage-arrears cases in which the person is a complainant, from events whose
subject is the employer — followed per case, a correction dropping a complainant removes the case from them, a
cancellation is final, redelivery a no-op."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hrss_contracts import labour_relations as c
from hrss_shared.events import CloudEvent, Contract
from tests import factories
from tests.gateway.events import apply, apply_batch, event
from tests.support import InProcessService, bearer, token

READER = bearer(token("gateway:read"))
EMPLOYER = factories.credit_code("330802")


def case(contract: Contract[Any], complainants: list[str], status: str, **extra: Any) -> CloudEvent:
    payload = {"id": "case-1", "credit_code": EMPLOYER, "employer_name": "衢州测试建筑有限公司",
               "county_code": "330802", "complainant_id_numbers": complainants, "workers_affected": 3,
               "amount_owed": "30000.00", "group_case": False, "status": status, "filed_date": "2026-03-02", **extra}
    contract.parse(payload)
    return event(contract.type, EMPLOYER, payload).model_copy(update={"source": "/hrss/labour-relations"})


async def labour(svc: InProcessService, id_number: str) -> dict[str, Any]:
    r = await svc.client.get(f"/v1/persons/{id_number}", headers=READER)
    assert r.status_code == 200, r.text
    section: dict[str, Any] = r.json()["labour"]
    return section


async def test_each_complainant_sees_the_case_as_its_newest_event_left_it(gateway: InProcessService) -> None:
    a, b = factories.id_number(), factories.id_number()
    registered = case(c.ARREARS_CASE_REGISTERED, [a, b], "registered")
    accepted = case(c.ARREARS_CASE_ACCEPTED, [a, b], "accepted", accepted_date="2026-03-03",
                    deadline_date="2026-05-06")
    await apply_batch(gateway, registered, accepted, registered)  # one batch, the registration twice
    for person in (a, b):
        section = await labour(gateway, person)
        [item] = section["arrears_cases"]
        assert (item["status"], item["deadline_date"], item["amount_owed"], item["credit_code"]) == (
            "accepted", "2026-05-06", "30000.00", EMPLOYER)
        assert datetime.fromisoformat(section["as_of"]) == accepted.time


async def test_a_correction_dropping_a_complainant_removes_the_case_from_them(gateway: InProcessService) -> None:
    a, b = factories.id_number(), factories.id_number()
    registered = case(c.ARREARS_CASE_REGISTERED, [a, b], "registered")
    corrected = case(c.ARREARS_CASE_CORRECTED, [a], "registered", workers_affected=1,
                     changed=["complainant_id_numbers"], reason="投诉人录入错误")
    await apply(gateway, registered, corrected, registered)  # the registration redelivered after the correction
    assert [i["workers_affected"] for i in (await labour(gateway, a))["arrears_cases"]] == [1]
    assert (await labour(gateway, b))["arrears_cases"] == []


async def test_a_cancelled_case_stays_cancelled(gateway: InProcessService) -> None:
    person = factories.id_number()
    cancelled = case(c.ARREARS_CASE_CANCELLED, [person], "cancelled", reason="重复登记")
    resolved = case(c.ARREARS_CASE_RESOLVED, [person], "resolved", amount_recovered="30000.00")
    await apply(gateway, cancelled, resolved)
    [item] = (await labour(gateway, person))["arrears_cases"]
    assert (item["status"], item["amount_recovered"]) == ("cancelled", None)


async def test_the_employer_keeps_its_record_of_the_case(gateway: InProcessService) -> None:
    from gateway.readmodel.models import EmployerSection
    from tests.gateway.test_readmodel import sections

    person = factories.id_number()
    await apply(gateway, case(c.ARREARS_CASE_REGISTERED, [person], "registered"))
    docs = await sections(gateway, EmployerSection, "credit_code", EMPLOYER)
    [record] = docs["labour"]["records"]["arrears_case"]
    assert (record["id"], record["status"]) == ("case-1", "registered")
