"""Handlers for other services' events: employment registrations open and end the 参保"一件事" and stop a running
失业保险金; unemployment registrations decide it, and their corrections and cancellations (撤销) follow there."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import (
    EMPLOYMENT_REGISTERED,
    EMPLOYMENT_TERMINATED,
    UNEMPLOYMENT_CANCELLED,
    UNEMPLOYMENT_CORRECTED,
    UNEMPLOYMENT_REGISTERED,
    EmploymentRegistered,
    EmploymentTerminated,
    UnemploymentCancelled,
    UnemploymentCorrected,
    UnemploymentRegistered,
)
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import Outbox
from hrss_shared.registry import EMPLOYMENT
from social_insurance.benefits import service as benefits
from social_insurance.onestop import service as onestop

GROUP = "social-insurance"
TOPICS = [str(EMPLOYMENT.topic)]


def handlers(outbox: Callable[[], Outbox]) -> dict[str, Handler]:
    """The handlers by event type; ``outbox`` answers the service's outbox (its events go out with the change)."""
    found = Handlers()

    @found.on_many(EMPLOYMENT_REGISTERED)
    async def employment_registered(
        session: AsyncSession, events: Sequence[tuple[CloudEvent, EmploymentRegistered]]
    ) -> None:
        """参保"一件事": pending enrolments with the employer and the medical-insurance request; a running
        失业保险金 stops from the start date. Set-based over each run of registrations in a batch (the city's load
        brings thousands at a time)."""
        registrations = [(event.correlationid, registration) for event, registration in events]
        await onestop.on_employment_registered(session=session, outbox=outbox(), registrations=registrations)
        await benefits.stop_for_employment(session=session, outbox=outbox(), registrations=registrations)

    @found.on(EMPLOYMENT_TERMINATED)
    async def employment_terminated(
        session: AsyncSession, event: CloudEvent, termination: EmploymentTerminated
    ) -> None:
        """解除劳动关系: the employer-bound enrolments end from that date."""
        await onestop.on_employment_terminated(session=session, outbox=outbox(), termination=termination)

    @found.on(UNEMPLOYMENT_REGISTERED)
    async def unemployment_registered(
        session: AsyncSession, event: CloudEvent, registration: UnemploymentRegistered
    ) -> None:
        """失业保险金核定, once per unemployment registration."""
        await benefits.decide(session=session, outbox=outbox(), registration=registration)

    @found.on(UNEMPLOYMENT_CANCELLED)
    async def unemployment_cancelled(
        session: AsyncSession, event: CloudEvent, cancellation: UnemploymentCancelled
    ) -> None:
        """失业登记撤销: the benefit on it stops from its start and the months paid are to be recovered (追回)."""
        await benefits.follow_cancellation(session=session, outbox=outbox(), cancellation=cancellation)

    @found.on(UNEMPLOYMENT_CORRECTED)
    async def unemployment_corrected(
        session: AsyncSession, event: CloudEvent, correction: UnemploymentCorrected
    ) -> None:
        """失业登记更正: the benefit is decided again, or (when paid) its start follows the corrected date."""
        await benefits.follow_correction(session=session, outbox=outbox(), correction=correction)

    return found.by_type
