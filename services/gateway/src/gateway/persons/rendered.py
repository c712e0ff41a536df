"""成品人员视图: the person view stored finished, so the hottest read of the platform is one key look-up of bytes.

When a transaction changes what a person's view shows (see :mod:`gateway.readmodel.views`), :func:`render` assembles
the view just before the commit — the section documents and the alerts, as the live read assembles them — and
stores it serialised twice with the response model (:func:`hrss_shared.privacy.serialising`): masked, for a client
without ``pii:read``, and in full, with the personal data it shows (which the audit of a full read records).

:func:`stored` reads one of the two. A person with no row (queued, or on a database upgraded before the view was
stored), or whose view names the alert rules as another policy version did, is read live
(:func:`gateway.persons.service.get_person`); the view job queues and renders the latter again.

A large transaction queues its persons instead of rendering them (:mod:`gateway.readmodel.views`); :func:`job`
renders the queue once the catch-up is over.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from time import monotonic
from typing import NamedTuple

from pydantic import TypeAdapter
from pydantic_core import to_json
from sqlalchemy import Table, bindparam, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.alerts.policy import POLICY
from gateway.alerts.service import alerts_of_persons
from gateway.persons.schemas import PersonView
from gateway.persons.service import compose
from gateway.readmodel import views
from gateway.readmodel.models import PersonSection, PersonViewPending, PersonViewRendered
from hrss_shared import db, privacy
from hrss_shared.db import KeyLookups, SessionMaker, Upsert, among, among_values
from hrss_shared.logs import get_logger
from hrss_shared.scheduler import Every, Job, JobContext

_views: Table = PersonViewRendered.__table__  # type: ignore[attr-defined]
_sections: Table = PersonSection.__table__  # type: ignore[attr-defined]
_pending: Table = PersonViewPending.__table__  # type: ignore[attr-defined]
JOB = "person-views"
log = get_logger(__name__)
_VIEW = TypeAdapter(PersonView)  # the serialiser of the route's response model (hrss_shared.app.DirectRoute)
_COLUMNS = ("id_number", "county_code", "policy_from", "masked", "unmasked", "shown")
_MASKED = ("county_code", "policy_from", "masked")
_FULL = ("county_code", "policy_from", "unmasked", "shown")
_UPSERT = Upsert(_views, ("id_number",), _COLUMNS)
# Statements built once, for SQLite (False) and PostgreSQL (True): the keys are one parameter (hrss_shared.db.among).
_SECTIONS = {pg: select(_sections.c.id_number, _sections.c.section, _sections.c.doc).where(
    among(_sections.c.id_number, "keys", postgres=pg)) for pg in (False, True)}
_DELETE = {pg: delete(_views).where(among(_views.c.id_number, "keys", postgres=pg)) for pg in (False, True)}
_UNQUEUE = {pg: delete(_pending).where(among(_pending.c.id_number, "keys", postgres=pg)) for pg in (False, True)}
_QUEUE = Upsert(_pending, ("id_number",), ("id_number",))  # queued once: ON CONFLICT DO NOTHING
_OTHER_VERSION = select(_views.c.id_number).where(
    or_(_views.c.policy_from < bindparam("current"), _views.c.policy_from > bindparam("current")))
_REQUEUE = {dialect: insert(_pending).from_select(["id_number"], _OTHER_VERSION).on_conflict_do_nothing(
    index_elements=["id_number"]) for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", pg_insert))}


class Stored(NamedTuple):
    county_code: str | None
    body: bytes
    kinds: list[str]  # what a full view shows, for the read's audit (empty for a masked one)
    subjects: list[str]


async def _lock(session: AsyncSession, id_numbers: list[str]) -> None:
    """Views of one person rendered or queued by two transactions at once (PostgreSQL): the second waits for the
    first's commit, then reads what it committed, so the view stored last shows both."""
    await db.lock_keys(session, [f"person-view:{key}" for key in id_numbers])


async def render(session: AsyncSession, id_numbers: list[str]) -> None:
    """Store the finished views of ``id_numbers`` (sorted) from what ``session``'s transaction sees."""
    dialect = session.get_bind().dialect.name
    postgres = dialect == "postgresql"
    await _lock(session, id_numbers)
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
    await _UPSERT.execute(session, finished)
    gone = [key for key in id_numbers if key not in docs]  # no section (left): no view, as the live read finds none
    if gone:
        await session.execute(_DELETE[postgres], {"keys": among_values(gone, postgres=postgres)})
    await session.execute(_UNQUEUE[postgres], {"keys": keys})


async def defer(session: AsyncSession, id_numbers: list[str]) -> None:
    """Remove the views of ``id_numbers`` (sorted) and queue them for :func:`render_pending` (a large transaction)."""
    dialect = session.get_bind().dialect.name
    postgres = dialect == "postgresql"
    await _lock(session, id_numbers)
    await session.execute(_DELETE[postgres], {"keys": among_values(id_numbers, postgres=postgres)})
    await _QUEUE.execute(session, [(key,) for key in id_numbers])


async def render_pending(maker: SessionMaker, *, chunk: int = 500, quiet: float = 2.0) -> tuple[int, int]:
    """Render the queued views, ``chunk`` persons a transaction, while no catch-up of this process queues more
    (none for ``quiet`` seconds); (rendered, still queued)."""
    done = 0
    while True:
        async with maker() as session, session.begin():
            if monotonic() - views.last_deferral < quiet:
                left = (await session.execute(select(func.count()).select_from(_pending))).scalar_one()
                return done, int(left)
            ids = list((await session.execute(
                select(_pending.c.id_number).order_by(_pending.c.id_number).limit(chunk))).scalars())
            if not ids:
                return done, 0
            await render(session, ids)
        done += len(ids)


async def follow(maker: SessionMaker, *, every: float = 1.0) -> None:
    """Render what this process's consumer queued soon after its catch-up ends (the job, every minute on one
    instance, is for views queued elsewhere: another instance, the upgrade to migration 0012)."""
    while True:
        await asyncio.sleep(every)
        if not views.queued_here:
            continue
        try:
            _, left = await render_pending(maker)
        except Exception as exc:  # noqa: BLE001 - retried on the next round; reads meanwhile assemble views live
            log.warning("person_views_render_failed", error=repr(exc))
            continue
        if not left and monotonic() - views.last_deferral >= every:
            views.queued_here = False


async def requeue_other_versions(session: AsyncSession) -> None:
    """Queue the views whose alert-rule names come from another policy version than today's (a new version took
    effect): reads serve them live until they are rendered again. An index look-up when there are none."""
    current = POLICY.today().effective_from.isoformat()
    await session.execute(_REQUEUE[session.get_bind().dialect.name], {"current": current})


def job() -> Job:
    """成品人员视图生成: every minute (one instance), the views queued by large transactions, by the upgrade to
    migration 0012 and, here, those of another alert-policy version, rendered once the catch-up is over."""

    async def run(context: JobContext) -> str:
        async with context.maker() as session, session.begin():
            await requeue_other_versions(session)
        done, left = await render_pending(context.maker)
        return f"rendered {done} person views" + (f"; {left} wait for the catch-up to end" if left else "")

    return Job(name=JOB, schedule=Every(timedelta(minutes=1)), run=run)


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
