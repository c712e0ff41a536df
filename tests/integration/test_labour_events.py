"""The labour-relations service's events cross the real broker: every type it publishes reaches
``hrss.labour-relations`` once per change, valid against its contract, keyed by the hash of its subject — requests,
the scheduled jobs (missed payrolls, overdue cases, deadlines recomputed once the next year's holiday notice is in
the calendar data) and the warnings they cause — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from hrss_contracts import contract_for, contracts_of
from hrss_shared.outbox import message_key
from hrss_shared.registry import LABOUR_RELATIONS
from hrss_shared.settings import DEV_EVENT_KEY_SECRET
from labour_relations.cases.service import OVERDUE_JOB, RECOMPUTE_JOB
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app
from labour_relations.projects.service import MISSED_JOB
from labour_relations.workdays import CALENDAR_FILE
from tests import factories
from tests.conftest import DbFactory, MoveToday
from tests.integration.test_event_keys import raw_records
from tests.integration.test_resilience import read_topic
from tests.labour_relations.helpers import run_job, settled
from tests.support import InProcessService, KafkaNode, eventually, service_settings

CALENDAR_2027 = """
[[version]]
effective_from = 2027-01-01
effective_to = 2027-12-31
source = "国务院办公厅关于2027年部分节假日安排的通知（测试数据 test data）"
holidays = [
  { name = "元旦", first = 2027-01-01, last = 2027-01-03 },
  { name = "春节", first = 2027-02-05, last = 2027-02-13 },
]
workdays = [2027-02-20]
"""


def T(entity_verb: str) -> str:  # noqa: N802 - reads as the event type it builds
    return f"hrss.labour-relations.{entity_verb}.v1"


class Script:
    """Calls the API and counts the events each successful change must publish."""

    def __init__(self, svc: InProcessService) -> None:
        self.client = svc.client
        self.expected: Counter[str] = Counter()
        self.subjects: Counter[str] = Counter()

    def expect(self, subject: str, *events: str) -> None:
        self.expected.update(T(e) for e in events)
        self.subjects[subject] += len(events)

    async def call(self, path: str, body: dict[str, Any], subject: str, *events: str) -> dict[str, Any]:
        r = await self.client.post(path, json=body)
        assert r.status_code in (200, 201), f"POST {path}: {r.status_code} {r.text}"
        self.expect(subject, *events)
        result: dict[str, Any] = r.json()
        return result


async def all_published(svc: InProcessService) -> bool:
    """Every outbox row is marked published (so a restart sends none of them again)."""
    t = svc.runtime.infra.outbox
    async with svc.runtime.maker() as session:
        left = (await session.execute(select(func.count()).select_from(t).where(t.c.published_at.is_(None))))
        return left.scalar_one() == 0


def case(credit_code: str, workers: int = 3, filed_date: str = "2026-11-20") -> dict[str, Any]:
    return {"credit_code": credit_code, "employer_name": "衢州测试建筑有限公司", "county_code": "330802",
            "complainants": [{"id_number": factories.id_number(), "name": "王小明"}], "workers_affected": workers,
            "amount_owed": "36000.00", "filed_date": filed_date}


async def test_each_labour_event_type_reaches_the_topic_once_per_change_with_its_contract(
    make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path, move_today: MoveToday
) -> None:
    move_today(date(2026, 11, 20))
    settings = service_settings(LabourRelationsSettings, db_url=await make_db("labour"), bootstrap=kafka.bootstrap,
                                prefix=prefix, data_dir=tmp_path)
    x, z, y = factories.credit_code(), factories.credit_code(), factories.credit_code()
    c1, c2, c3, c4 = (factories.credit_code() for _ in range(4))
    async with InProcessService(create_app, settings) as svc:
        await settled(svc)
        s = Script(svc)
        project = await s.call("/v1/projects", {
            "name": "衢州测试安置房工程", "credit_code": x, "contractor_name": "衢州测试建工有限公司",
            "county_code": "330802",
            "wage_account": "330016280180500012345", "wage_account_bank": "中国建设银行衢州分行",
            "start_date": "2026-09-01"}, x, "project.registered")
        payroll = await s.call(f"/v1/projects/{project['id']}/payrolls", {
            "month": "2026-09", "paid_date": "2026-10-10", "online": True,
            "workers": [{"id_number": factories.id_number(), "name": "李四", "amount": "2000.00"}]},
            x, "payroll.recorded", "payroll.below_minimum_wage")
        await s.call(f"/v1/projects/{project['id']}/payrolls/{payroll['id']}/cancel", {"reason": "金额录入错误"},
                     x, "payroll.cancelled")
        done = await s.call("/v1/projects", {
            "name": "衢州测试学校工程", "credit_code": z, "contractor_name": "衢州测试二建有限公司",
            "county_code": "330881",
            "wage_account": "330016280180500054321", "wage_account_bank": "中国农业银行江山支行",
            "start_date": "2026-11-01"}, z, "project.registered")
        await s.call(f"/v1/projects/{done['id']}/complete", {}, z, "project.completed")
        # September (its payroll cancelled) and October are past their pay day: 2 × 30 points raise one warning.
        assert await run_job(svc, MISSED_JOB) == "2 missed payrolls"
        s.expect(x, "payroll.missed", "payroll.missed", "warning.raised")

        first = await s.call("/v1/arrears-cases", case(c1), c1, "arrears_case.registered")
        for action, body, verb in [("accept", {}, "accepted"), ("investigate", {}, "investigation_started"),
                                   ("mediate", {}, "mediation_started"),
                                   ("resolve", {"amount_recovered": "36000.00"}, "resolved"),
                                   ("close", {}, "closed")]:
            await s.call(f"/v1/arrears-cases/{first['id']}/{action}", body, c1, f"arrears_case.{verb}")
        second = await s.call("/v1/arrears-cases", case(c2), c2, "arrears_case.registered")
        await s.call(f"/v1/arrears-cases/{second['id']}/accept", {}, c2, "arrears_case.accepted")
        await s.call(f"/v1/arrears-cases/{second['id']}/extend", {"reason": "情况复杂，经负责人批准"}, c2,
                     "arrears_case.extended")
        await s.call(f"/v1/arrears-cases/{second['id']}/transfer", {}, c2, "arrears_case.transferred")
        late = await s.call("/v1/arrears-cases", case(c3, filed_date="2026-08-03"), c3, "arrears_case.registered")
        await s.call(f"/v1/arrears-cases/{late['id']}/accept", {"accepted_date": "2026-08-03"}, c3,
                     "arrears_case.accepted")
        provisional = await s.call("/v1/arrears-cases", case(c4), c4, "arrears_case.registered")
        accepted = await s.call(f"/v1/arrears-cases/{provisional['id']}/accept", {}, c4, "arrears_case.accepted")
        assert (accepted["deadline_date"], accepted["deadline_provisional"]) == ("2027-02-17", True)
        group = await s.call("/v1/arrears-cases", case(y, workers=10), y,
                             "arrears_case.registered", "arrears_case.escalated", "warning.raised")
        await s.call(f"/v1/arrears-cases/{group['id']}/correct", {"reason": "金额更正", "amount_owed": "120000.00"},
                     y, "arrears_case.corrected")
        await s.call(f"/v1/arrears-cases/{group['id']}/cancel", {"reason": "重复登记"}, y,
                     "arrears_case.cancelled", "warning.cleared")
        assert await run_job(svc, OVERDUE_JOB) == "1 cases became overdue"
        s.expect(c3, "arrears_case.overdue")

        worker = {"id_number": factories.id_number(), "name": "张三"}
        dispute = {"applicants": [worker], "credit_code": c1, "employer_name": "衢州测试建筑有限公司",
                   "county_code": "330802", "type": "remuneration", "channel": "grassroots_mediation",
                   "filed_date": "2026-11-20"}
        one = await s.call("/v1/disputes", dispute, c1, "dispute.filed")
        await s.call(f"/v1/disputes/{one['id']}/correct", {"reason": "类型登记错误", "type": "contract"}, c1,
                     "dispute.corrected")
        await s.call(f"/v1/disputes/{one['id']}/conclude", {"outcome": "mediated"}, c1, "dispute.concluded")
        two = await s.call("/v1/disputes", dispute, c1, "dispute.filed")
        await s.call(f"/v1/disputes/{two['id']}/cancel", {"reason": "重复受理"}, c1, "dispute.cancelled")
        listing = await s.call("/v1/dishonest-employers", {
            "credit_code": c2, "employer_name": "衢州测试建筑有限公司", "county_code": "330802",
            "decision_reference": "衢人社失信〔2026〕9号", "decision_date": "2026-11-01"}, c2,
            "dishonest_employer.listed")
        await s.call(f"/v1/dishonest-employers/{listing['id']}/remove", {"reason": "信用修复"}, c2,
                     "dishonest_employer.removed")
        await eventually(lambda: all_published(svc), timeout=120, interval=0.5)  # before the restart

    # The 2027 holiday notice arrives in the calendar data: the provisional deadline is recomputed once.
    with_2027 = tmp_path / "calendar-2027.toml"
    with_2027.write_text(CALENDAR_FILE.read_text(encoding="utf-8") + CALENDAR_2027, encoding="utf-8")
    async with InProcessService(create_app, settings.model_copy(update={"calendar_file": with_2027})) as svc:
        await settled(svc)
        assert await run_job(svc, RECOMPUTE_JOB) == "1 provisional deadlines recomputed"
        s.expect(c4, "arrears_case.deadline_recomputed")
        got = (await svc.client.get(f"/v1/arrears-cases/{provisional['id']}")).json()
        assert (got["deadline_date"], got["deadline_provisional"]) == ("2027-02-22", False)

        assert set(s.expected) == {c.type for c in contracts_of(str(LABOUR_RELATIONS.topic))}
        total = sum(s.expected.values())
        topic = prefix + str(LABOUR_RELATIONS.topic)

        async def all_on_topic() -> list[Any] | None:
            events = await read_topic(kafka.bootstrap, topic, settle=1.0)
            return events if len(events) >= total else None
        events = await eventually(all_on_topic, timeout=120, interval=0.5)
    assert Counter(e.type for e in events) == s.expected
    assert len({e.id for e in events}) == total
    for e in events:  # every event on the broker validates against its contract
        contract = contract_for(e.type)
        contract.parse(e.data)
        assert e.subject == str(e.data[contract.subject]) and e.source == "/hrss/labour-relations"
    records = await raw_records(kafka.bootstrap, topic, want=total)
    keys = Counter(key for key, _, _ in records)
    assert keys == {message_key(subject, DEV_EVENT_KEY_SECRET).encode(): n for subject, n in s.subjects.items()}
