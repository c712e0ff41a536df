"""The identity section of a person, fed by whichever domain names the person.

The section is stored as the person view serves it, including what derives from the ID number (birth date)
and the county code (county name), so a read needs no work on it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel.store import PERSONS, Doc, later
from hrss_shared.validators import QUZHOU_COUNTIES, birth_date_of


def empty(id_number: str) -> Doc:
    return {"name": None, "county_code": None, "county_name": None,
            "birth_date": birth_date_of(id_number).isoformat(), "phone": None, "as_of": None}


async def section(session: AsyncSession, id_number: str) -> Doc:
    return await PERSONS.section(session, id_number, "identity")


def change(doc: Doc, at: str, **fields: Any) -> None:
    """Set fields (a newer event's values) and keep the derived ones in step."""
    doc.update(fields)
    doc["county_name"] = QUZHOU_COUNTIES.get(doc["county_code"] or "")
    doc["as_of"] = later(doc["as_of"], at)


async def named(session: AsyncSession, id_number: str, name: str, county_code: str | None, at: str) -> None:
    """A registration names the person: fill identity gaps and advance the section's ``as_of``."""
    doc = await section(session, id_number)
    change(doc, at, name=doc["name"] or name, county_code=doc["county_code"] or county_code)
