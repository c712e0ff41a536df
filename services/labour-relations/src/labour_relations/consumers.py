"""Handlers for other services' events: social insurance's contribution arrears feed the arrears-warning score."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CONTRIBUTION_ARREARS_RAISED,
    CONTRIBUTION_ARREARS_RESOLVED,
    ContributionArrearsRaised,
    ContributionArrearsResolved,
)
from hrss_shared import clock
from hrss_shared.consumer import Handler, Handlers
from hrss_shared.events import CloudEvent
from hrss_shared.outbox import Outbox
from hrss_shared.registry import SOCIAL_INSURANCE
from labour_relations.warnings import service as warnings
from labour_relations.warnings.models import SignalKind

GROUP = "labour-relations"
TOPICS = [str(SOCIAL_INSURANCE.topic)]


def arrears_reference(credit_code: str, arrears_id: str) -> str:
    """The signal's source record: social insurance's arrears record of that employer."""
    return f"{credit_code}/{arrears_id}"


def handlers(outbox: Callable[[], Outbox]) -> dict[str, Handler]:
    """The handlers by event type; their warning events go out through the service's outbox with the change."""
    found = Handlers()

    @found.on(CONTRIBUTION_ARREARS_RAISED)
    async def arrears_raised(session: AsyncSession, event: CloudEvent, data: ContributionArrearsRaised) -> None:
        """单位欠缴: one signal per arrears record, whatever the redeliveries; may raise one warning."""
        await warnings.add_signal(
            session=session, outbox=outbox(), credit_code=data.credit_code, county_code=data.county_code,
            kind=SignalKind.contribution_arrears, reference=arrears_reference(data.credit_code, data.id),
            occurred_date=clock.bureau_date(event.time))

    @found.on(CONTRIBUTION_ARREARS_RESOLVED)
    async def arrears_resolved(session: AsyncSession, event: CloudEvent, data: ContributionArrearsResolved) -> None:
        """欠缴补缴到位: the signal stops counting; the warning clears when the score falls below the threshold."""
        await warnings.end_signal(
            session=session, outbox=outbox(), credit_code=data.credit_code, kind=SignalKind.contribution_arrears,
            reference=arrears_reference(data.credit_code, data.id), ended=data.resolved_on)

    return found.by_type
