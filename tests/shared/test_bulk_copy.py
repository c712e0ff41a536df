"""hrss_shared.bulk: COPY / executemany rows read back like ORM rows; staged rule checks; Outbox.add_many."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import JSON, Boolean, Column, Date, MetaData, Numeric, String, Table, insert, literal, select
from sqlmodel.sql.sqltypes import UTCDateTime

from hrss_contracts import employment as emp
from hrss_contracts import social_insurance as si
from hrss_contracts import training as tr
from hrss_shared import bulk, db
from hrss_shared.events import CloudEvent, ContractViolation
from hrss_shared.infra import infra_tables
from hrss_shared.outbox import PENDING_FLAG, Outbox
from hrss_shared.validators import make_credit_code, make_id_number
from tests.conftest import DbFactory

metadata = MetaData()
OUTBOX = infra_tables(metadata).outbox
PEOPLE = Table(
    "people", metadata,
    Column("id_number", String(18), primary_key=True),
    Column("birth", Date, nullable=False),
    Column("wage", Numeric(12, 2), nullable=False),
    Column("seen_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("extra", JSON, nullable=True),
)
COLUMNS = ("id_number", "birth", "wage", "seen_at", "active", "extra")
AT = datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


def person(i: int) -> tuple[object, ...]:
    birth = date(1980, 1, 1) + timedelta(days=i // 1000)
    return (make_id_number("330802", birth, i % 1000), birth, Decimal("4812.50") + i, AT, i % 2 == 0,
            {"n": i} if i % 3 else None)


async def tables(make_db: DbFactory, name: str) -> tuple[db.AsyncEngine, db.SessionMaker]:
    """A fresh database (SQLite or PostgreSQL) with this module's tables, and its session maker."""
    engine = db.make_engine(await make_db(name))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return engine, db.make_sessionmaker(engine)


async def test_copied_rows_read_back_like_orm_rows(make_db: DbFactory) -> None:
    engine, maker = await tables(make_db, "bulkcopy")
    try:
        async with maker() as session, session.begin():
            await session.execute(insert(PEOPLE), [dict(zip(COLUMNS, person(0), strict=True))])
            assert await bulk.copy_rows(session, PEOPLE, COLUMNS, (person(i) for i in range(1, 12_001))) == 12_000
            assert await bulk.copy_rows(session, PEOPLE, COLUMNS, []) == 0
        async with maker() as session:
            rows = (await session.execute(select(PEOPLE).order_by(PEOPLE.c.wage))).all()
        assert len(rows) == 12_001
        assert [tuple(r) for r in rows[:4]] == [person(i) for i in range(4)]  # the ORM row and copied rows alike
        assert tuple(rows[-1]) == person(12_000)

        # A duplicate key fails the whole call and leaves nothing behind.
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            async with maker() as session, session.begin():
                await bulk.copy_rows(session, PEOPLE, COLUMNS, [person(20_000), person(5)])
        async with maker() as session:
            assert (await session.execute(select(PEOPLE.c.id_number).where(
                PEOPLE.c.id_number == person(20_000)[0]))).first() is None
    finally:
        await engine.dispose()


async def test_staged_rows_are_checked_in_sql(make_db: DbFactory) -> None:
    """The set-based pattern: stage, move the rows the rule accepts in one statement, read back the refused."""
    engine, maker = await tables(make_db, "bulkstage")
    try:
        async with maker() as session, session.begin():
            await bulk.copy_rows(session, PEOPLE, COLUMNS, [person(1), person(2)])
        incoming = [person(i) for i in range(0, 5)]  # 1 and 2 are already there
        async with maker() as session, session.begin():
            async with bulk.staged(session, "people", list(PEOPLE.c), incoming) as stage:
                fresh = select(*stage.c).where(~select(literal(1)).where(
                    PEOPLE.c.id_number == stage.c.id_number).exists())
                await session.execute(insert(PEOPLE).from_select(list(COLUMNS), fresh))
                refused = (await session.execute(select(stage.c.id_number).where(
                    select(literal(1)).where(PEOPLE.c.id_number == stage.c.id_number,
                                             PEOPLE.c.seen_at == stage.c.seen_at).exists()
                ).order_by(stage.c.id_number))).scalars().all()
        async with maker() as session:
            stored = (await session.execute(select(PEOPLE.c.id_number))).scalars().all()
        assert sorted(stored) == sorted(p[0] for p in incoming)
        assert len(refused) == 5  # every staged row now exists: 3 moved, 2 were there
        async with maker() as session, session.begin():  # the staging table is gone with its rows
            async with bulk.staged(session, "people", list(PEOPLE.c), []) as stage:
                assert (await session.execute(select(stage.c.id_number))).first() is None
    finally:
        await engine.dispose()


async def test_add_many_stages_one_valid_event_per_item(make_db: DbFactory) -> None:
    engine, maker = await tables(make_db, "bulkoutbox")
    outbox = Outbox(OUTBOX, topic="t.hrss.employment", source="/employment", key_secret="k" * 32,
                    publishes="hrss.employment")
    code = make_credit_code("330802", 1)
    items = [emp.EmployerRegistered(credit_code=code, name=f"衢州测试有限公司{i}", county_code="330802")
             for i in range(3)]
    try:
        async with maker() as session, session.begin():
            assert await outbox.add_many(session, emp.EMPLOYER_REGISTERED, items) == 3
            assert session.info[PENDING_FLAG] is True
        async with maker() as session:
            rows = (await session.execute(select(OUTBOX).order_by(OUTBOX.c.id))).mappings().all()
        assert [r["key"] for r in rows] == [outbox.key_for(code)] * 3
        events = [CloudEvent.from_json(r["payload"]) for r in rows]
        assert [e.data["name"] for e in events] == [f"衢州测试有限公司{i}" for i in range(3)]
        assert {e.type for e in events} == {emp.EMPLOYER_REGISTERED.type} and len({e.id for e in events}) == 3
        assert all(r["published_at"] is None and r["attempts"] == 0 for r in rows)
        # The same bytes on the wire as an event built by Outbox.add (a CloudEvent model's to_json).
        for row, event, item in zip(rows, events, items, strict=True):
            assert row["payload"].encode() == event.to_json()
            assert event.data == emp.EMPLOYER_REGISTERED.dump(item) and event.subject == code
            assert (row["event_id"], row["event_type"]) == (event.id, event.type)

        # Another service's contract, or an item that does not validate: refused, nothing staged.
        with pytest.raises(ValueError, match="belongs to hrss.training"):
            async with maker() as session, session.begin():
                await outbox.add_many(session, tr.INSTITUTION_REGISTERED, [])
        bad = items[0].model_copy(update={"credit_code": "not-a-code"})
        with pytest.raises(ContractViolation):
            async with maker() as session, session.begin():
                await outbox.add_many(session, emp.EMPLOYER_REGISTERED, [items[1], bad])
        async with maker() as session:
            assert len((await session.execute(select(OUTBOX.c.id))).all()) == 3
            assert json.loads(rows[0]["payload"])["subject"] == code

        # A consumer's batch: each event carries the correlation id of the event it follows from.
        async with maker() as session, session.begin():
            assert await outbox.add_many(session, emp.EMPLOYER_REGISTERED, items[:2], correlations=["c-1", None]) == 2
        with pytest.raises(ValueError, match="1 correlation ids for 2 items"):
            async with maker() as session, session.begin():
                await outbox.add_many(session, emp.EMPLOYER_REGISTERED, items[:2], correlations=["c-1"])
        async with maker() as session:
            payloads = (await session.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id))).scalars().all()
        assert [CloudEvent.from_json(p).correlationid for p in payloads[3:]] == ["c-1", None]
    finally:
        await engine.dispose()


async def test_add_many_of_dicts_writes_what_the_models_would(make_db: DbFactory) -> None:
    """A bulk path may give add_many the events' data as dicts: validated into the contract once, each event's data
    is the same JSON (nulls, amounts and dates alike) as from the contract's model; a bad dict stages nothing."""
    engine, maker = await tables(make_db, "bulkoutboxdicts")
    outbox = Outbox(OUTBOX, topic="t.hrss.social-insurance", source="/social-insurance", key_secret="k" * 32,
                    publishes="hrss.social-insurance")
    code = make_credit_code("330802", 2)
    item = {"id": "c-1", "id_number": "11010519491231002X", "county_code": "330802", "enrolment_id": "e-1",
            "declared_base": Decimal("5000.00"), "base": Decimal("5000.00"), "base_adjustment": None,
            "employer_amount": Decimal("800.00"), "personal_amount": Decimal("400.00"), "paid_date": date(2025, 2, 15)}
    data = {"credit_code": code, "insurance_type": "pension_employee", "month": "2025-01", "policy_source": "示例",
            "illustrative": True, "kind": "regular", "items": [item, {**item, "id": "c-2"}]}
    try:
        async with maker() as session, session.begin():
            assert await outbox.add_many(session, si.CONTRIBUTIONS_POSTED, [data]) == 1
            model = si.CONTRIBUTIONS_POSTED.model.model_validate(data)
            assert await outbox.add_many(session, si.CONTRIBUTIONS_POSTED, [model]) == 1
        async with maker() as session:
            from_dict, from_model = (await session.execute(
                select(OUTBOX.c.payload).order_by(OUTBOX.c.id))).scalars().all()
        assert json.loads(from_dict)["data"] == json.loads(from_model)["data"] == si.CONTRIBUTIONS_POSTED.dump(model)
        strip = lambda payload: {k: v for k, v in json.loads(payload).items() if k not in ("id", "time")}  # noqa: E731
        assert strip(from_dict) == strip(from_model)
        assert from_dict.index('"data"') == from_model.index('"data"')  # same order of attributes

        with pytest.raises(ContractViolation, match="month"):
            async with maker() as session, session.begin():
                await outbox.add_many(session, si.CONTRIBUTIONS_POSTED, [{**data, "month": "2025-13"}])
        async with maker() as session:
            assert len((await session.execute(select(OUTBOX.c.id))).all()) == 2
    finally:
        await engine.dispose()
