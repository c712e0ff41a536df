"""Read-model documents, loaded once per consumed batch and written back in one statement.

A :class:`Documents` store is a batch hook of the gateway's consumer: before the batch's handlers run it
loads every section of every subject the batch names (one query); handlers then change the documents in
memory; after them it upserts the changed ones (one statement). A subject the prefetch did not cover is
loaded on first use. Once the batch's transaction commits, the store's :class:`~hrss_shared.waiting.ChangeSignal`
(if it has one) is told which subjects changed, so reads waiting for them (``Prefer: wait``) answer at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic_core import from_json, to_json
from sqlalchemy import Table, event, select
from sqlmodel.ext.asyncio.session import AsyncSession

from gateway.readmodel import views
from gateway.readmodel.models import EmployerSection, PersonSection
from hrss_shared.db import Upsert, among, among_values
from hrss_shared.events import CloudEvent
from hrss_shared.waiting import ChangeSignal

Doc = dict[str, Any]
CHUNK = 500


_last_stamp: tuple[datetime | None, str] = (None, "")


def stamp(instant: datetime) -> str:
    """An instant as the documents store it: UTC ISO 8601 with microseconds, so strings compare in time order.

    The handlers of one event each stamp its time: the last answer is kept for the same datetime object."""
    global _last_stamp
    last, text = _last_stamp
    if instant is last:
        return text
    text = (instant if instant.tzinfo is UTC else instant.astimezone(UTC)).isoformat(timespec="microseconds")
    _last_stamp = (instant, text)
    return text


def later(current: str | None, new: str) -> str:
    return new if current is None or new > current else current


class _Batch:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], Doc] = {}
        self.loaded: set[str] = set()
        self.dirty: set[tuple[str, str]] = set()


class Documents:
    """Sections of one kind of subject (persons or employers) as JSON documents."""

    def __init__(self, table: Table, key: str, empty: dict[str, Callable[[str], Doc]],
                 changes: ChangeSignal | None = None,
                 on_change: Callable[[AsyncSession, set[str]], None] | None = None,
                 derive: dict[str, Callable[[Doc], None]] | None = None) -> None:
        self.table = table
        self.key = key
        self.empty = empty  # a new, empty document of each section, made from the subject's key
        # per section: derives a document's computed fields (totals, orders) from the rest, once per changed document
        # just before the batch writes it, instead of after each event (a person's year of contributions in one batch
        # derives the months once, not once per contribution)
        self.derive = derive or {}
        self.changes = changes  # told the changed subjects after each commit
        self.on_change = on_change  # told the changed subjects in the batch's session, before it commits
        self._info_key = f"hrss_documents_{table.name}"
        self._upsert = Upsert(table, (key, "section"), (key, "section", "doc"), chunk=CHUNK)
        self._current: tuple[AsyncSession, _Batch] | None = None  # the last session's batch (no info look-up)
        # Every section of the given subjects: one statement, the keys as one parameter (a JSON array read by
        # json_each on SQLite, a text[] on PostgreSQL), so a batch's thousand keys cost no per-key SQL building.
        key_column = table.c[key]
        columns = select(key_column, table.c.section, table.c.doc)
        self._select_sqlite, self._select_pg = (
            columns.where(among(key_column, "keys", postgres=pg)) for pg in (False, True))

    def _batch(self, session: AsyncSession) -> _Batch:
        current = self._current
        if current is not None and current[0] is session:
            return current[1]
        batch: _Batch | None = session.info.get(self._info_key)
        if batch is None:
            batch = session.info[self._info_key] = _Batch()
        self._current = (session, batch)
        return batch

    async def before(self, session: AsyncSession, events: Sequence[CloudEvent]) -> None:
        # Only the subjects of this kind: a person's event names an ID number, which no employer document has (and
        # the other way round), so a batch of one kind's events costs no query of the other's table. The events'
        # contracts tell the kind the way records.fold picks the store: ID number subjects are persons, every other
        # subject an employer's. (A handler's look-up of a key not prefetched still loads it: see ``section``.)
        persons = self.key == "id_number"
        subject_fields = _subject_fields()
        keys = {e.subject for e in events if (subject_fields.get(e.type, self.key) == "id_number") is persons}
        await self._load(session, self._batch(session), keys)

    async def _load(self, session: AsyncSession, batch: _Batch, keys: set[str]) -> None:
        wanted = sorted(keys - batch.loaded)
        if not wanted:
            return
        postgres = session.get_bind().dialect.name == "postgresql"
        statement = self._select_pg if postgres else self._select_sqlite
        rows = await session.execute(statement, {"keys": among_values(wanted, postgres=postgres)})
        docs = batch.docs
        for key, section, doc in rows:
            docs[(key, section)] = from_json(doc)
        batch.loaded.update(wanted)

    async def load(self, session: AsyncSession, keys: Iterable[str]) -> None:
        """Load every section of ``keys`` into the batch in one statement (an event naming many subjects)."""
        await self._load(session, self._batch(session), set(keys))

    async def section(self, session: AsyncSession, key: str, section: str) -> Doc:
        """The document of ``key``'s ``section`` (a new empty one if there is none), marked as changed."""
        batch = self._batch(session)
        if key not in batch.loaded:
            await self._load(session, batch, {key})
        doc = batch.docs.get((key, section))
        if doc is None:
            doc = batch.docs[(key, section)] = self.empty[section](key)
        batch.dirty.add((key, section))
        return doc

    async def after(self, session: AsyncSession) -> None:
        batch = self._batch(session)
        self._current = None
        if not batch.dirty:
            session.info.pop(self._info_key, None)
            return
        docs = batch.docs
        if self.derive:
            for key, section in batch.dirty:
                derive = self.derive.get(section)
                if derive is not None:
                    derive(docs[(key, section)])
        rows = [(key, section, to_json(docs[(key, section)]).decode()) for key, section in sorted(batch.dirty)]
        await self._upsert.execute(session, rows)
        keys = {key for key, _ in batch.dirty}
        if self.on_change is not None:
            self.on_change(session, keys)
        if self.changes is not None:
            changes = self.changes
            event.listen(session.sync_session, "after_commit", lambda _: changes.notify(keys), once=True)
        batch.dirty.clear()
        session.info.pop(self._info_key, None)


@cache
def _subject_fields() -> dict[str, str]:
    """Event type -> the data field its subject is (every contract of hrss_contracts)."""
    from hrss_contracts import all_contracts

    return {contract.type: contract.subject for contract in all_contracts()}


def identity_empty(id_number: str) -> Doc:
    from gateway.readmodel.identity import empty

    return empty(id_number)


def insurance_empty(id_number: str) -> Doc:
    from gateway.readmodel.social_insurance import empty_insurance

    return empty_insurance(id_number)


def insurance_derive(doc: Doc) -> None:
    from gateway.readmodel.social_insurance import derive_insurance

    derive_insurance(doc)


def card_empty(id_number: str) -> Doc:
    from gateway.readmodel.social_insurance import empty_card

    return empty_card(id_number)


def labour_empty(id_number: str) -> Doc:
    from gateway.readmodel.labour_relations import empty

    return empty(id_number)


def records_section() -> Doc:
    return {"records": {}, "as_of": None}


# Reads of the person view waiting for a person's change (GET /v1/persons/{id} with Prefer: wait).
PERSON_CHANGES = ChangeSignal()
PERSONS = Documents(
    PersonSection.__table__,  # type: ignore[attr-defined]
    "id_number",
    {
        "identity": lambda key: identity_empty(key),
        "employment": lambda key: {
            "status": "not_employed", "job_seeker_registered_date": None, "employments": [],
            "unemployment_registrations": [], "records": {}, "as_of": None,
        },
        "training": lambda key: {"certificates": [], "high_skill": False, "enrolments": [], "vouchers": [],
                                 "subsidies": [], "records": {}, "as_of": None},
        "talent": lambda key: {"recognitions": [], "titles": [], "benefits": [], "as_of": None},
        "insurance": lambda key: insurance_empty(key),
        "card": lambda key: card_empty(key),
        "labour": lambda key: labour_empty(key),
    },
    changes=PERSON_CHANGES,
    on_change=views.mark,  # the persons' finished views are rendered again before the batch commits
    derive={"insurance": insurance_derive},
)
EMPLOYERS = Documents(
    EmployerSection.__table__,  # type: ignore[attr-defined]
    "credit_code",
    {
        "profile": lambda key: {"credit_code": key, "name": None, "county_code": None, "industry": None,
                                "size": None, "is_construction": False, "status": "active",
                                "deactivated_date": None, "as_of": None},
        "employment": lambda key: records_section(),
        "training": lambda key: records_section(),
        "insurance": lambda key: records_section(),
        "labour": lambda key: records_section(),
    },
)
