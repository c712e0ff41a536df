"""成品人员视图: the person view stored finished, so the hottest read of the platform is one key look-up of bytes.

When a transaction changes what a person's view shows (see :mod:`gateway.readmodel.views`), :func:`render` assembles
the view just before the commit — the section documents and the alerts, as the live read assembles them — and
stores it serialised twice with the response model (:func:`hrss_shared.privacy.serialising`): masked, for a client
without ``pii:read``, and in full, with the personal data it shows (which the audit of a full read records).

:func:`stored` reads one of the two. A person with no row (a database upgraded before the view was stored, or a read
on a day another alert-policy version names the rules) is read live (:func:`gateway.persons.service.get_person`).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from pydantic import TypeAdapter
from pydantic_core import to_json
from sqlalchemy import Table, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.alerts.policy import POLICY
from gateway.alerts.service import alerts_of_persons
from gateway.persons.schemas import PersonView
from gateway.persons.service import compose
from gateway.readmodel.models import PersonSection, PersonViewRendered
from hrss_shared import privacy
from hrss_shared.db import BulkWrite, KeyLookups, among, among_values

_views: Table = PersonViewRendered.__table__  # type: ignore[attr-defined]
_sections: Table = PersonSection.__table__  # type: ignore[attr-defined]
_VIEW = TypeAdapter(PersonView)  # the serialiser of the route's response model (hrss_shared.app.DirectRoute)
_COLUMNS = ("id_number", "county_code", "policy_from", "masked", "unmasked", "shown")
_MASKED = ("county_code", "policy_from", "masked")
_FULL = ("county_code", "policy_from", "unmasked", "shown")
_UPSERTS = {
    dialect: BulkWrite(insert(_views).on_conflict_do_update(
        index_elements=["id_number"], set_={c: getattr(insert(_views).excluded, c) for c in _COLUMNS[1:]}), _COLUMNS)
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))
}
# Statements built once, for SQLite (False) and PostgreSQL (True): the keys are one parameter (hrss_shared.db.among).
_SECTIONS = {pg: select(_sections.c.id_number, _sections.c.section, _sections.c.doc).where(
    among(_sections.c.id_number, "keys", postgres=pg)) for pg in (False, True)}
_DELETE = {pg: delete(_views).where(among(_views.c.id_number, "keys", postgres=pg)) for pg in (False, True)}
# Views of one person rendered by two transactions at once (PostgreSQL): the second waits for the first's commit,
# then reads what it committed, so the view stored last shows both.
_LOCK = text("SELECT count(pg_advisory_xact_lock(hashtext('person-view:' || k))) FROM "
             "(SELECT k FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k) AS ordered")


class Stored(NamedTuple):
    county_code: str | None
    body: bytes
    kinds: list[str]  # what a full view shows, for the read's audit (empty for a masked one)
    subjects: list[str]


async def render(session: AsyncSession, id_numbers: list[str]) -> None:
    """Store the finished views of ``id_numbers`` (sorted) from what ``session``'s transaction sees."""
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        await session.execute(_LOCK, {"keys": id_numbers})
    keys = among_values(id_numbers, postgres=postgres)
    docs: dict[str, dict[str, str]] = {}
    rows = await session.execute(_SECTIONS[postgres], {"keys": keys})
    for id_number, section, doc in rows:
        docs.setdefault(id_number, {})[section] = doc
    alerts = await alerts_of_persons(session, [key for key in id_numbers if key in docs])
    policy_from = POLICY.today().effective_from.isoformat()
    finished = []
    for id_number, sections in docs.items():
        view = compose(id_number, sections)
        view.alerts = alerts[id_number]
        with privacy.serialising(False):
            masked = _VIEW.dump_json(view).decode()
        with privacy.serialising(True) as shown:
            full = _VIEW.dump_json(view).decode()
        finished.append((id_number, view.identity.county_code, policy_from, masked, full,
                         to_json({"kinds": sorted(shown.kinds), "subjects": sorted(shown.subjects)}).decode()))
    await _UPSERTS[session.get_bind().dialect.name].execute(session, finished)
    gone = [key for key in id_numbers if key not in docs]  # no section (left): no view, as the live read finds none
    if gone:
        await session.execute(_DELETE[postgres], {"keys": among_values(gone, postgres=postgres)})


async def stored(lookups: KeyLookups, id_number: str, *, full: bool) -> Stored | None:
    """The person's stored view (full, or masked); ``None`` when it must be read live."""
    rows = await lookups.rows(_views.name, "id_number", id_number, _FULL if full else _MASKED)
    if not rows or rows[0][1] != POLICY.today().effective_from.isoformat():
        return None
    if not full:
        county_code, _, body = rows[0]
        return Stored(county_code, body.encode(), [], [])
    county_code, _, body, shown = rows[0]
    disclosed = json.loads(shown)
    return Stored(county_code, body.encode(), disclosed["kinds"], disclosed["subjects"])
