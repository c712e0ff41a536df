"""Event contracts (hrss_contracts): one module per topic, every type with its model; the outbox enforces them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from hrss_contracts import MODULES, all_contracts, contract_for, contracts_of, training
from hrss_contracts import employment as emp
from hrss_contracts import social_insurance as si
from hrss_shared import db
from hrss_shared.events import TYPE_PATTERN, CloudEvent, ContractViolation, EventData
from hrss_shared.infra import infra_tables
from hrss_shared.outbox import Outbox
from hrss_shared.registry import TOPICS, owner_of_topic
from tests import factories


def test_every_topic_has_a_contracts_module_and_every_contract_its_model() -> None:
    assert sorted(MODULES) == sorted(TOPICS)
    assert contracts_of("hrss.employment"), "the employment service publishes events"
    for topic in TOPICS:
        for contract in contracts_of(topic):
            assert TYPE_PATTERN.match(contract.type)
            assert contract.topic == topic and contract.service == owner_of_topic(topic)
            assert issubclass(contract.model, EventData)
            assert contract.subject in ("id_number", "credit_code", "client_id")  # client_id: hrss.gateway
            assert contract.version == 1
            assert contract.summary and any("\u4e00" <= ch <= "\u9fff" for ch in contract.summary)
            assert contract_for(contract.type) is contract
    assert len({c.type for c in all_contracts()}) == len(all_contracts())


def test_a_contract_ignores_unknown_fields_and_rejects_broken_data() -> None:
    person = factories.id_number()
    data = {"id": "x", "id_number": person, "name": "王", "occupation": "电工", "level": 3,
            "certificate_number": "S1", "issued_date": "2026-01-02", "added_later": "a v1 additive field"}
    parsed = training.CERTIFICATE_ISSUED.parse(data)
    assert parsed.issued_date == date(2026, 1, 2)
    for broken in ({**data, "level": 9}, {**data, "id_number": "330802199001011230"}, {"id": "x"}):
        with pytest.raises(ContractViolation, match="CertificateIssued"):
            training.CERTIFICATE_ISSUED.parse(broken)


def test_a_bulk_postings_items_are_the_contributions_their_own_events_would_carry() -> None:
    """``ContributionsPosted.postings()``: each item, with the batch's fields, is the ``contribution.posted`` data
    that would have been published for it alone — every field, the defaults and the set fields alike, and each
    posting its own object."""
    batch = {"credit_code": factories.credit_code(), "insurance_type": "pension", "month": "2026-03",
             "policy_source": "浙人社发〔2021〕20号", "kind": "regular"}
    items = [{"id": "c1", "id_number": factories.id_number(), "county_code": "330802", "enrolment_id": "e1",
              "declared_base": "3500.00", "base": "4462.00", "base_adjustment": "floor", "employer_amount": "714.00",
              "personal_amount": "356.96", "paid_date": "2026-03-15"},
             {"id": "c2", "id_number": factories.id_number("330881"), "county_code": "330881", "enrolment_id": "e2",
              "employer_amount": "800.00", "personal_amount": "400.00", "paid_date": "2026-03-16"}]
    postings = si.CONTRIBUTIONS_POSTED.parse({**batch, "items": items}).postings()
    alone = [si.CONTRIBUTION_POSTED.parse({**batch, **item}) for item in items]
    assert [p.model_dump() for p in postings] == [a.model_dump() for a in alone]
    assert [p.id_number for p in postings] == [i["id_number"] for i in items]
    assert postings[1].base is None and postings[1].base_adjustment is None  # not the first item's values
    assert postings[0] is not postings[1] and postings[0].__dict__ is not postings[1].__dict__


@pytest.fixture
async def outbox_db(tmp_path: Path) -> tuple[db.SessionMaker, Outbox]:
    metadata = MetaData()
    infra = infra_tables(metadata)
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return db.make_sessionmaker(engine), Outbox(infra.outbox, topic="t.hrss.employment", source="/hrss/employment",
                                                publishes="hrss.employment", key_secret="test-event-key-secret")


def key_group_added(id_number: str) -> emp.KeyGroupAdded:
    return emp.KeyGroupAdded(id="k1", id_number=id_number, group="veteran", source="退役军人事务局",
                             start_date=date(2026, 1, 1), county_code="330802")


async def test_the_outbox_publishes_only_data_that_validates_against_its_contract(
    outbox_db: tuple[db.SessionMaker, Outbox],
) -> None:
    maker, outbox = outbox_db
    person = factories.id_number()
    async with maker() as session, session.begin():
        event = await outbox.add(session, emp.KEY_GROUP_ADDED, key_group_added(person))
        with pytest.raises(ContractViolation, match="needs KeyGroupAdded"):
            await outbox.add(session, emp.KEY_GROUP_ADDED, emp.KeyGroupEnded(  # type: ignore[arg-type]
                id="k1", id_number=person, group="veteran", end_date=date(2026, 2, 1)))
        forged = emp.KeyGroupAdded.model_construct(**{**key_group_added(person).__dict__, "county_code": "110101"})
        with pytest.raises(ContractViolation, match="county_code"):
            await outbox.add(session, emp.KEY_GROUP_ADDED, forged)
        with pytest.raises(ValueError, match="belongs to hrss.training"):
            await outbox.add(session, training.CERTIFICATE_ISSUED, training.CertificateIssued(
                id="c", id_number=person, name="王", occupation="电工", level=3, certificate_number="S",
                issued_date=date(2026, 1, 1)))
    assert (event.type, event.subject, event.source) == (emp.KEY_GROUP_ADDED.type, person, "/hrss/employment")
    async with maker() as session:
        t = outbox.table
        rows = (await session.execute(select(t.c.event_type, t.c.key, t.c.payload))).all()
    assert [(r.event_type, r.key) for r in rows] == [(emp.KEY_GROUP_ADDED.type, outbox.key_for(person))]
    published = CloudEvent.from_json(rows[0].payload)
    assert emp.KEY_GROUP_ADDED.parse(published.data) == key_group_added(person)
