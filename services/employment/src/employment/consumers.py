"""Handlers for other services' events (training's skill certificates fill the skill profile, and its corrections
and cancellations follow there)."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from employment.job_seekers.models import JobSeekerSkill
from hrss_contracts.training import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_CORRECTED,
    CERTIFICATE_ISSUED,
    CertificateCancelled,
    CertificateCorrected,
    CertificateIssued,
)
from hrss_shared.consumer import Handlers, PermanentEventError
from hrss_shared.events import CloudEvent
from hrss_shared.registry import TRAINING

TOPICS = [str(TRAINING.topic)]
handlers = Handlers()


@handlers.on(CERTIFICATE_ISSUED)
async def certificate_issued(session: AsyncSession, event: CloudEvent, certificate: CertificateIssued) -> None:
    """技能档案: one row per certificate number, whoever registers as a job seeker (now or later)."""
    query = select(JobSeekerSkill).where(JobSeekerSkill.certificate_number == certificate.certificate_number)
    skill = (await session.exec(query)).first()
    if skill is None:
        session.add(JobSeekerSkill(
            id_number=certificate.id_number, occupation=certificate.occupation, level=certificate.level,
            certificate_number=certificate.certificate_number, issued_date=certificate.issued_date,
            source_event_id=event.id,
        ))
        await session.flush()
        return
    if skill.id_number != certificate.id_number:
        raise PermanentEventError(
            f"证书 {certificate.certificate_number} 已登记在另一人名下 (certificate number already recorded for "
            f"another person; event {event.id})"
        )
    new = {"occupation": certificate.occupation, "level": certificate.level, "issued_date": certificate.issued_date}
    if any(getattr(skill, k) != v for k, v in new.items()):
        for key, value in new.items():
            setattr(skill, key, value)
        skill.source_event_id = event.id
        session.add(skill)
        await session.flush()


@handlers.on(CERTIFICATE_CORRECTED)
async def certificate_corrected(session: AsyncSession, event: CloudEvent, certificate: CertificateCorrected) -> None:
    """技能档案: the entry becomes the certificate as corrected (recorded now if it was not yet)."""
    await certificate_issued(session, event, CertificateIssued(
        id=certificate.id, id_number=certificate.id_number, name=certificate.name,
        occupation=certificate.occupation, level=certificate.level, certificate_number=certificate.certificate_number,
        issued_date=certificate.issued_date, county_code=certificate.county_code,
        occupation_code=certificate.occupation_code, evaluation_org=certificate.evaluation_org))


@handlers.on(CERTIFICATE_CANCELLED)
async def certificate_cancelled(session: AsyncSession, event: CloudEvent, certificate: CertificateCancelled) -> None:
    """技能档案: a cancelled certificate leaves the profile (a redelivery finds nothing to remove)."""
    query = select(JobSeekerSkill).where(JobSeekerSkill.certificate_number == certificate.certificate_number,
                                         JobSeekerSkill.id_number == certificate.id_number)
    skill = (await session.exec(query)).first()
    if skill is not None:
        await session.delete(skill)
        await session.flush()


HANDLERS = handlers.by_type
