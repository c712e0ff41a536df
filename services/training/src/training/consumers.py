"""Handlers for other services' events: an unemployment registration issues the re-employment voucher."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.employment import UNEMPLOYMENT_REGISTERED, UnemploymentRegistered
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import Outbox
from hrss_shared.registry import EMPLOYMENT
from training.vouchers import service as vouchers

GROUP = "training"
TOPICS = [str(EMPLOYMENT.topic)]


def handlers(outbox: Callable[[], Outbox]) -> dict[str, Handler]:
    """The handlers by event type; ``outbox`` answers the service's outbox (its events go out with the change)."""
    found = Handlers()

    @found.on(UNEMPLOYMENT_REGISTERED)
    async def unemployment_registered(
        session: AsyncSession, event: CloudEvent, registration: UnemploymentRegistered
    ) -> None:
        """再就业培训券: one per unemployment registration, whatever the redeliveries."""
        await vouchers.issue_for_unemployment(session=session, outbox=outbox(), registration=registration)

    return found.by_type
