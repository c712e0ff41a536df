"""The person view, read from the person's section documents in one key look-up."""

from __future__ import annotations

import json

from sqlalchemy import Table, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.persons.schemas import PersonView
from gateway.readmodel.models import PersonSection
from hrss_shared.problems import NotFound
from hrss_shared.validators import QUZHOU_COUNTIES, birth_date_of

SECTIONS = ("identity", "employment", "training", "insurance", "labour")
_EMPTY = {"employment": '{"status":"not_employed"}', "training": "{}", "insurance": "{}", "labour": "{}"}
_table: Table = PersonSection.__table__  # type: ignore[attr-defined]


async def get_person(*, session: AsyncSession, id_number: str) -> PersonView:
    """The person's view; 404 when no event has mentioned this ID number yet."""
    rows = (await session.execute(
        select(_table.c.section, _table.c.doc).where(_table.c.id_number == id_number)
    )).all()
    if not rows:
        raise NotFound("暂无该人员信息 (no record of this person in the 一卡通 view)")
    docs = dict(rows)
    identity = json.loads(docs.get("identity") or "{}")
    county = identity.get("county_code")
    identity.update(county_name=QUZHOU_COUNTIES.get(county or ""), birth_date=birth_date_of(id_number).isoformat())
    identity.setdefault("name", None)
    identity.setdefault("phone", None)
    identity.setdefault("as_of", None)
    identity.setdefault("county_code", None)
    parts = [f'"id_number":{json.dumps(id_number)}', f'"identity":{json.dumps(identity, ensure_ascii=False)}']
    parts += [f'"{name}":{docs.get(name) or _EMPTY[name]}' for name in SECTIONS[1:]]
    return PersonView.model_validate_json("{" + ",".join(parts) + "}")
