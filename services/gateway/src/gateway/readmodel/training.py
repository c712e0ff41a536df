"""The read model of ``hrss.training``: each person's training section (certificates, 高技能人才)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel import identity
from gateway.readmodel.records import record_handlers
from gateway.readmodel.store import PERSONS, later, stamp
from hrss_contracts import contracts_of
from hrss_contracts import training as c
from hrss_shared.consumer import Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.registry import TRAINING

SECTION = "training"
HIGH_SKILL_LEVEL = 3  # 三级/高级工 and above (level 1–3) count as 高技能人才
handlers = Handlers()


@handlers.on(c.CERTIFICATE_ISSUED)
async def on_certificate_issued(session: AsyncSession, event: CloudEvent, data: c.CertificateIssued) -> None:
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    certificates = doc["certificates"]
    item = next((i for i in certificates if i["certificate_number"] == data.certificate_number), None)
    if item is None:
        item = {"certificate_number": data.certificate_number, "updated_at": at}
        certificates.append(item)
    if at >= item["updated_at"] or "occupation" not in item:
        item.update(id=data.id, occupation=data.occupation, level=data.level, issued_date=data.issued_date.isoformat(),
                    updated_at=at)
    _settle(doc, at)
    await identity.named(session, data.id_number, data.name, data.county_code, at)


def _settle(doc: dict[str, Any], at: str) -> None:
    certificates = doc["certificates"]
    certificates.sort(key=lambda i: (i.get("issued_date") or "", i["certificate_number"]), reverse=True)
    doc["high_skill"] = any(i.get("level", 9) <= HIGH_SKILL_LEVEL and not i.get("cancelled") for i in certificates)
    doc["as_of"] = later(doc["as_of"], at)


@handlers.on(c.CERTIFICATE_CORRECTED)
async def on_certificate_corrected(session: AsyncSession, event: CloudEvent, data: c.CertificateCorrected) -> None:
    await on_certificate_issued(session, event, c.CertificateIssued(
        id=data.id, id_number=data.id_number, name=data.name, occupation=data.occupation, level=data.level,
        certificate_number=data.certificate_number, issued_date=data.issued_date, county_code=data.county_code,
        occupation_code=data.occupation_code, evaluation_org=data.evaluation_org))


@handlers.on(c.CERTIFICATE_CANCELLED)
async def on_certificate_cancelled(session: AsyncSession, event: CloudEvent, data: c.CertificateCancelled) -> None:
    """A cancelled certificate stays listed as cancelled (a later issue or correction of it cannot revive it)."""
    at = stamp(event.time)
    doc = await PERSONS.section(session, data.id_number, SECTION)
    certificates = doc["certificates"]
    item = next((i for i in certificates if i["certificate_number"] == data.certificate_number), None)
    if item is None:
        item = {"certificate_number": data.certificate_number, "id": data.id, "level": data.level}
        certificates.append(item)
    item.update(cancelled=True, cancelled_date=data.cancelled_date.isoformat(), updated_at="9999")
    _settle(doc, at)


HANDLERS = dict(handlers.by_type)
HANDLERS.update(record_handlers((k for k in contracts_of(str(TRAINING.topic)) if k.type not in HANDLERS), SECTION))
