"""The kinds of row employment imports (the mechanism is ``hrss_shared.imports``).

Every row goes through the single-record path: ``EmploymentRegistrationCreate`` / ``UnemploymentRegistrationCreate``,
then ``register_employment`` / ``register_unemployment`` — and, when the row carries an ``end_date``,
``terminate_employment`` / ``close_unemployment`` for a registration that has already ended.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from employment.registrations import service as registrations
from employment.registrations.models import (
    Closure,
    EmploymentRegistrationCreate,
    Termination,
    UnemploymentRegistrationCreate,
)
from hrss_shared.auth import Principal
from hrss_shared.imports import MAX_BODY_BYTES, ImportKind, RowPart
from hrss_shared.outbox import Outbox

__all__ = ["KINDS", "MAX_BODY_BYTES"]


async def _employment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: EmploymentRegistrationCreate,
    extra: Termination | None,
) -> str:
    row = await registrations.register_employment(session=session, outbox=outbox, principal=principal, data=data)
    if extra is not None:
        await registrations.terminate_employment(
            session=session, outbox=outbox, principal=principal, registration_id=row.id, data=extra
        )
    return row.id


async def _unemployment(
    *, session: AsyncSession, outbox: Outbox, principal: Principal, data: UnemploymentRegistrationCreate,
    extra: Closure | None,
) -> str:
    row = await registrations.register_unemployment(session=session, outbox=outbox, principal=principal, data=data)
    if extra is not None:
        await registrations.close_unemployment(
            session=session, outbox=outbox, principal=principal, registration_id=row.id, data=extra
        )
    return row.id


KINDS = [
    ImportKind(
        name="employment_registration", label="就业登记", row_model=EmploymentRegistrationCreate,
        apply=_employment, county_field="credit_code",
        extra=RowPart(Termination, {"end_date": "end_date", "reason": "termination_reason"}),
    ),
    ImportKind(
        name="unemployment_registration", label="失业登记", row_model=UnemploymentRegistrationCreate,
        apply=_unemployment, county_field="county_code",
        extra=RowPart(Closure, {"end_date": "end_date", "reason": "close_reason"}),
    ),
]
