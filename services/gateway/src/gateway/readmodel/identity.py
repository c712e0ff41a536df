"""The identity section of a person, fed by whichever domain names the person first."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel.store import PERSONS, later


async def named(session: AsyncSession, id_number: str, name: str, county_code: str | None, at: str) -> None:
    """A registration names the person: fill identity gaps and advance the section's ``as_of``."""
    person = await PERSONS.section(session, id_number, "identity")
    person["name"] = person["name"] or name
    person["county_code"] = person["county_code"] or county_code
    person["as_of"] = later(person["as_of"], at)
