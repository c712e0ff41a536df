"""Handlers for other services' events (training's skill certificates fill the skill profile)."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from employment.job_seekers.models import JobSeekerSkill
from hrss_shared.consumer import Handler, PermanentEventError
from hrss_shared.events import CloudEvent
from training.certificates.events import CERTIFICATE_ISSUED, CertificateIssued

TOPICS = ["hrss.training"]


async def certificate_issued(session: AsyncSession, event: CloudEvent) -> None:
    """技能档案: one row per certificate number, whoever registers as a job seeker (now or later)."""
    try:
        certificate = CertificateIssued.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentEventError(f"{CERTIFICATE_ISSUED} data does not validate: {exc}") from exc
    query = select(JobSeekerSkill).where(JobSeekerSkill.certificate_number == certificate.certificate_number)
    skill = (await session.execute(query)).scalars().first()
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


HANDLERS: dict[str, Handler] = {CERTIFICATE_ISSUED: certificate_issued}
