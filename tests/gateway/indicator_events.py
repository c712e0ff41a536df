"""Events of every domain as the indicator consumer receives them, built through their contracts, and the gateway
app they are applied to."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from gateway import indicators
from gateway.config import GatewaySettings
from gateway.main import create_app as gateway_app
from hrss_contracts import employment as emp
from hrss_contracts import labour_relations as lr
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared.events import CloudEvent, Contract
from hrss_shared.validators import make_credit_code, make_id_number
from tests.support import InProcessService

_clock = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
_seq = iter(range(1, 10**6))


def create_app(settings: GatewaySettings) -> FastAPI:
    """The gateway as it runs (the indicators' router and their part of the one consumer group)."""
    return gateway_app(settings)


def person(county: str = "330802", birth: date = date(1980, 1, 1), male: bool = True) -> str:
    n = next(_seq)
    return make_id_number(county, birth + timedelta(days=n // 400), (2 * n + (1 if male else 0)) % 1000)


def employer(county: str = "330802") -> str:
    return str(make_credit_code(county, 700000 + next(_seq)))


def new_id() -> str:
    return uuid.uuid4().hex


def event(contract: Contract[Any], data: dict[str, Any]) -> CloudEvent:
    """An event of ``contract`` whose data is checked against it, one second after the previous one."""
    global _clock
    _clock += timedelta(seconds=1)
    parsed = contract.parse(data)
    return CloudEvent(id=new_id(), source=contract.service.source, type=contract.type, time=_clock,
                      subject=str(getattr(parsed, contract.subject)), data=data)


async def apply(svc: InProcessService, *events: CloudEvent) -> None:
    """Apply events in one transaction through the indicator consumer's handlers, as its consumer does (an event type
    with no handler is ignored, e.g. a card reported lost: it stays valid)."""
    async with svc.runtime.maker() as session, session.begin():
        for e in events:
            handler = indicators.CONSUMER.handlers.get(e.type)
            if handler is not None:
                await handler(session, e)


# ---- hrss.employment -----------------------------------------------------------------------------------------


def employed(id_number: str, start: str, *, county: str = "330802", rid: str | None = None) -> CloudEvent:
    return event(emp.EMPLOYMENT_REGISTERED, {
        "id": rid or new_id(), "id_number": id_number, "name": "王小明", "credit_code": employer(county),
        "employer_name": "衢州测试企业有限公司", "county_code": county, "start_date": start})


def terminated(id_number: str, rid: str, end: str) -> CloudEvent:
    return event(emp.EMPLOYMENT_TERMINATED, {"id": rid, "id_number": id_number, "credit_code": employer(),
                                             "end_date": end, "reason": "合同到期"})


def unemployed(id_number: str, registered: str, *, county: str = "330802", rid: str | None = None) -> CloudEvent:
    return event(emp.UNEMPLOYMENT_REGISTERED, {"id": rid or new_id(), "id_number": id_number, "name": "李四",
                                               "county_code": county, "registered_date": registered})


def unemployment_closed(id_number: str, rid: str, end: str) -> CloudEvent:
    return event(emp.UNEMPLOYMENT_CLOSED, {"id": rid, "id_number": id_number, "end_date": end, "reason": "实现就业"})


def unemployment_cancelled(id_number: str, rid: str, registered: str) -> CloudEvent:
    return event(emp.UNEMPLOYMENT_CANCELLED, {"id": rid, "id_number": id_number, "registered_date": registered,
                                              "reason": "登记错误"})


# ---- hrss.training -------------------------------------------------------------------------------------------


def completed(id_number: str, day: str, *, passed: bool = True, county: str = "330802",
              rid: str | None = None) -> CloudEvent:
    return event(tr.ENROLMENT_COMPLETED, {
        "id": rid or new_id(), "course_id": "c1", "institution_id": "i1", "id_number": id_number, "name": "王小明",
        "county_code": county, "occupation_code": "6-29-03-01", "occupation_name": "车工",
        "course_kind": "employment_skills", "target_level": 4, "result": "passed" if passed else "failed",
        "attended_hours": 80, "course_hours": 80, "completed_date": day, "policy_source": "test"})


def enrolment_cancelled(id_number: str, rid: str, *, county: str = "330802") -> CloudEvent:
    return event(tr.ENROLMENT_CANCELLED, {
        "id": rid, "course_id": "c1", "id_number": id_number, "county_code": county, "previous_status": "completed",
        "cancelled_date": "2024-02-01", "reason": "录入错误"})


def certificate(id_number: str, level: int, day: str, *, county: str = "330802",
                rid: str | None = None) -> CloudEvent:
    return event(tr.CERTIFICATE_ISSUED, {
        "id": rid or new_id(), "id_number": id_number, "name": "王小明", "occupation": "车工", "level": level,
        "certificate_number": f"S{next(_seq):08d}", "issued_date": day, "county_code": county})


def certificate_cancelled(id_number: str, rid: str, level: int, *, county: str = "330802") -> CloudEvent:
    return event(tr.CERTIFICATE_CANCELLED, {
        "id": rid, "id_number": id_number, "certificate_number": "S1", "occupation_code": "6-29-03-01",
        "level": level, "county_code": county, "cancelled_date": "2024-01-15", "reason": "撤销"})


def platform(contract: Contract[Any], day: str, *, base_kind: str | None = None, county: str = "330802",
             rid: str | None = None) -> CloudEvent:
    studio = contract is tr.MASTER_STUDIO_RECOGNISED
    return event(contract, {
        "id": rid or new_id(), "credit_code": employer(county), "county_code": county,
        "platform_type": "master_studio" if studio else "training_base", "base_kind": base_kind, "level": "city",
        "name": "测试平台", "employer_name": "衢州测试企业有限公司", "occupation_codes": ["6-29-03-01"],
        "recognised_date": day})


def studio_revoked(rid: str, day: str, *, county: str = "330802") -> CloudEvent:
    return event(tr.MASTER_STUDIO_REVOKED, {
        "id": rid, "credit_code": employer(county), "county_code": county, "platform_type": "master_studio",
        "level": "city", "revoked_date": day, "reason": "考核不合格"})


# ---- hrss.social-insurance -------------------------------------------------------------------------------------


def enrolment(contract: Contract[Any], id_number: str, kind: str, status: str, start: str, *,
              end: str | None = None, county: str = "330802", rid: str | None = None, **extra: Any) -> CloudEvent:
    return event(contract, {
        "id": rid or new_id(), "id_number": id_number, "county_code": county, "insurance_type": kind,
        "credit_code": None if kind == "resident_pension" else employer(county), "status": status,
        "start_date": start, "end_date": end, **extra})


def card(id_number: str, day: str, *, county: str = "330802", rid: str | None = None) -> tuple[CloudEvent, str]:
    number = f"Q{next(_seq):08d}"
    return event(si.CARD_ISSUED, {
        "id": rid or new_id(), "card_number": number, "id_number": id_number, "county_code": county,
        "status": "active", "services": [], "name": "王小明", "issued_date": day}), number


def card_replaced(id_number: str, rid: str, number: str, day: str) -> CloudEvent:
    return event(si.CARD_REPLACED, {
        "id": rid, "card_number": number, "id_number": id_number, "county_code": "330802", "status": "cancelled",
        "services": [], "new_card_number": f"Q{next(_seq):08d}", "new_card_id": new_id(), "replaced_date": day,
        "reason": "损坏"})


# ---- hrss.labour-relations -------------------------------------------------------------------------------------


def case(contract: Contract[Any], status: str, filed: str, *, deadline: str | None = None,
         concluded: str | None = None, on_time: bool | None = None, workers: int = 3, county: str = "330802",
         rid: str | None = None) -> CloudEvent:
    return event(contract, {
        "id": rid or new_id(), "credit_code": employer(county), "employer_name": "衢州测试建筑公司",
        "county_code": county, "complainant_id_numbers": [person(county)], "workers_affected": workers,
        "amount_owed": "50000.00", "group_case": workers >= 10, "status": status, "filed_date": filed,
        "accepted_date": filed if status != "registered" else None, "deadline_date": deadline,
        "concluded_date": concluded, "on_time": on_time})


def payroll(day: str, online: bool, *, county: str = "330802", rid: str | None = None) -> CloudEvent:
    return event(lr.PAYROLL_RECORDED, {
        "id": rid or new_id(), "project_id": "p1", "credit_code": employer(county), "county_code": county,
        "month": day[:7], "paid_date": day, "online": online, "worker_count": 1, "total_amount": "5000.00",
        "workers": [{"id_number": person(county), "amount": "5000.00"}], "below_minimum_count": 0,
        "minimum_wage": "2010.00", "minimum_wage_source": "test", "illustrative": True})


def payroll_cancelled(rid: str, day: str, *, county: str = "330802") -> CloudEvent:
    return event(lr.PAYROLL_CANCELLED, {
        "id": rid, "project_id": "p1", "credit_code": employer(county), "county_code": county, "month": day[:7],
        "cancelled_date": day, "reason": "重复录入"})


def dispute(contract: Contract[Any], channel: str, filed: str, *, status: str = "open", county: str = "330802",
            rid: str | None = None) -> CloudEvent:
    return event(contract, {
        "id": rid or new_id(), "credit_code": employer(county), "employer_name": "衢州测试企业有限公司",
        "county_code": county, "applicant_id_numbers": [person(county)], "type": "remuneration", "channel": channel,
        "status": status, "filed_date": filed})
