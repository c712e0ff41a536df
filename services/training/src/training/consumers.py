"""Handlers of events the training service acts on.

- ``hrss.employment``: an unemployment registration issues the re-employment voucher (its 撤销 cancels the
  voucher while unused); employment registrations
  and their ends are the facts talent benefits depend on (an end stops them).
- ``hrss.social-insurance``: paid contribution months (posted, corrected, cancelled), the other fact.
- ``hrss.training`` (its own topic): a certificate or an enrolment completed, corrected or cancelled decides,
  revokes or re-decides the 免申即享 subsidies. Deciding from the event, not inside the issuing request, keeps one
  decision per basis however often the event is delivered, and lets a correction re-decide the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CANCELLED,
    UNEMPLOYMENT_REGISTERED,
    EmploymentRegistered,
    EmploymentTerminated,
    UnemploymentCancelled,
    UnemploymentRegistered,
)
from hrss_contracts.social_insurance import (
    CONTRIBUTION_CANCELLED,
    CONTRIBUTION_CORRECTED,
    CONTRIBUTION_POSTED,
    CONTRIBUTIONS_POSTED,
    ContributionCancelled,
    ContributionCorrected,
    ContributionPosted,
    ContributionsPosted,
)
from hrss_contracts.training import (
    CERTIFICATE_CANCELLED,
    CERTIFICATE_CORRECTED,
    CERTIFICATE_ISSUED,
    ENROLMENT_CANCELLED,
    ENROLMENT_COMPLETED,
    ENROLMENT_CORRECTED,
    CertificateCancelled,
    CertificateCorrected,
    CertificateIssued,
    TrainingCompleted,
    TrainingEnrolmentCancelled,
    TrainingEnrolmentCorrected,
)
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import Outbox
from hrss_shared.registry import EMPLOYMENT, SOCIAL_INSURANCE, TRAINING
from training.benefits import service as benefits
from training.subsidies import service as subsidies
from training.vouchers import service as vouchers

GROUP = "training"
TOPICS = [str(EMPLOYMENT.topic), str(TRAINING.topic), str(SOCIAL_INSURANCE.topic)]


def handlers(outbox: Callable[[], Outbox]) -> dict[str, Handler]:
    """The handlers by event type; ``outbox`` answers the service's outbox (its events go out with the change)."""
    found = Handlers()

    @found.on(UNEMPLOYMENT_REGISTERED)
    async def unemployment_registered(
        session: AsyncSession, event: CloudEvent, registration: UnemploymentRegistered
    ) -> None:
        """再就业培训券: one per unemployment registration, whatever the redeliveries."""
        await vouchers.issue_for_unemployment(session=session, outbox=outbox(), registration=registration)

    @found.on(UNEMPLOYMENT_CANCELLED)
    async def unemployment_cancelled(
        session: AsyncSession, event: CloudEvent, registration: UnemploymentCancelled
    ) -> None:
        """失业登记撤销: the unused re-employment voucher issued on it is cancelled too."""
        await vouchers.cancel_for_unemployment(session=session, outbox=outbox(), registration_id=registration.id,
                                               reason=registration.reason)

    @found.on(CERTIFICATE_ISSUED)
    async def certificate_issued(session: AsyncSession, event: CloudEvent, certificate: CertificateIssued) -> None:
        """技能提升补贴 免申即享."""
        await subsidies.on_certificate(session=session, outbox=outbox(), certificate_id=certificate.id)

    @found.on(CERTIFICATE_CORRECTED)
    async def certificate_corrected(
        session: AsyncSession, event: CloudEvent, certificate: CertificateCorrected
    ) -> None:
        await subsidies.on_certificate(session=session, outbox=outbox(), certificate_id=certificate.id,
                                       changed=certificate.changed)

    @found.on(CERTIFICATE_CANCELLED)
    async def certificate_cancelled(
        session: AsyncSession, event: CloudEvent, certificate: CertificateCancelled
    ) -> None:
        await subsidies.on_certificate(session=session, outbox=outbox(), certificate_id=certificate.id)

    @found.on(ENROLMENT_COMPLETED)
    async def enrolment_completed(session: AsyncSession, event: CloudEvent, completion: TrainingCompleted) -> None:
        """职业技能培训补贴 免申即享."""
        await subsidies.on_enrolment(session=session, outbox=outbox(), enrolment_id=completion.id)

    @found.on(ENROLMENT_CORRECTED)
    async def enrolment_corrected(
        session: AsyncSession, event: CloudEvent, enrolment: TrainingEnrolmentCorrected
    ) -> None:
        await subsidies.on_enrolment(session=session, outbox=outbox(), enrolment_id=enrolment.id,
                                     changed=enrolment.changed)

    @found.on(ENROLMENT_CANCELLED)
    async def enrolment_cancelled(
        session: AsyncSession, event: CloudEvent, enrolment: TrainingEnrolmentCancelled
    ) -> None:
        await subsidies.on_enrolment(session=session, outbox=outbox(), enrolment_id=enrolment.id)

    @found.on(EMPLOYMENT_REGISTERED)
    async def employment_registered(session: AsyncSession, event: CloudEvent, data: EmploymentRegistered) -> None:
        await benefits.employment_registered(session=session, registration_id=data.id, id_number=data.id_number,
                                             credit_code=data.credit_code, county_code=data.county_code,
                                             start_date=data.start_date)

    @found.on(EMPLOYMENT_TERMINATED)
    async def employment_terminated(session: AsyncSession, event: CloudEvent, data: EmploymentTerminated) -> None:
        await benefits.employment_ended(session=session, outbox=outbox(), registration_id=data.id,
                                        id_number=data.id_number, end_date=data.end_date)

    @found.on(CONTRIBUTION_POSTED)
    async def contribution_posted(session: AsyncSession, event: CloudEvent, data: ContributionPosted) -> None:
        await benefits.month_paid(session=session, outbox=outbox(), contribution_id=data.id,
                                  id_number=data.id_number, month=data.month, insurance_type=data.insurance_type)

    @found.on(CONTRIBUTIONS_POSTED)
    async def contributions_posted(session: AsyncSession, event: CloudEvent, data: ContributionsPosted) -> None:
        """批量缴费记账: each person the event names has the month paid, as its own contribution.posted says."""
        await benefits.months_paid(session=session, paid=[(item.id, item.id_number, data.month, data.insurance_type)
                                                          for item in data.items])

    @found.on(CONTRIBUTION_CORRECTED)
    async def contribution_corrected(session: AsyncSession, event: CloudEvent, data: ContributionCorrected) -> None:
        await benefits.month_paid(session=session, outbox=outbox(), contribution_id=data.id,
                                  id_number=data.id_number, month=data.month, insurance_type=data.insurance_type)

    @found.on(CONTRIBUTION_CANCELLED)
    async def contribution_cancelled(session: AsyncSession, event: CloudEvent, data: ContributionCancelled) -> None:
        await benefits.month_unpaid(session=session, outbox=outbox(), contribution_id=data.id,
                                    id_number=data.id_number)

    return found.by_type
