"""Assemble the person view from the read model."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.persons.schemas import (
    EmploymentItem,
    EmploymentSection,
    IdentitySection,
    PersonView,
    RecordItem,
    UnemploymentItem,
)
from gateway.readmodel import models as rm
from hrss_shared.problems import NotFound
from hrss_shared.validators import QUZHOU_COUNTIES, birth_date_of


async def get_person(*, session: AsyncSession, id_number: str) -> PersonView:
    """The person's view; 404 when no event has mentioned this ID number yet."""
    person = await session.get(rm.PersonView, id_number)
    if person is None:
        raise NotFound("暂无该人员信息 (no record of this person in the 一卡通 view)")
    employments = (
        await session.exec(
            select(rm.EmploymentView).where(rm.EmploymentView.id_number == id_number)
            .order_by(col(rm.EmploymentView.start_date).desc())
        )
    ).all()
    unemployments = (
        await session.exec(
            select(rm.UnemploymentView).where(rm.UnemploymentView.id_number == id_number)
            .order_by(col(rm.UnemploymentView.registered_date).desc())
        )
    ).all()
    facts = (
        await session.exec(
            select(rm.DomainFact).where(rm.DomainFact.subject == id_number)
            .order_by(col(rm.DomainFact.kind), col(rm.DomainFact.updated_at).desc())
        )
    ).all()
    records: dict[str, list[RecordItem]] = {}
    for fact in facts:
        item = RecordItem(id=fact.id.split(":", 1)[1], status=fact.status, data=fact.data, updated_at=fact.updated_at)
        records.setdefault(fact.kind, []).append(item)
    as_of = max([t for t in [person.employment_as_of, *(f.updated_at for f in facts)] if t is not None], default=None)
    if any(e.status == "active" for e in employments):
        status = "employed"
    elif any(u.status == "open" for u in unemployments):
        status = "registered_unemployed"
    else:
        status = "not_employed"
    return PersonView(
        id_number=id_number,
        identity=IdentitySection(
            name=person.name, county_code=person.county_code,
            county_name=QUZHOU_COUNTIES.get(person.county_code or ""), birth_date=birth_date_of(id_number).isoformat(),
            phone=person.phone, as_of=person.identity_as_of,
        ),
        employment=EmploymentSection(
            status=status,  # type: ignore[arg-type]
            job_seeker_registered_date=person.job_seeker_registered_date,
            employments=[EmploymentItem.model_validate(e, from_attributes=True) for e in employments],
            unemployment_registrations=[
                UnemploymentItem.model_validate(u, from_attributes=True) for u in unemployments
            ],
            records=records,
            as_of=as_of,
        ),
    )
