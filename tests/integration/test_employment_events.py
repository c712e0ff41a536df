"""Every employment event type crosses the real broker once per change and the gateway applies it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hrss_contracts import contract_for, contracts_of
from hrss_shared import clock
from tests import factories
from tests.integration.conftest import Stack
from tests.integration.test_resilience import read_topic
from tests.support import eventually


class Script:
    """Calls the employment API and counts the events each successful change must publish."""

    def __init__(self, stack: Stack) -> None:
        self.client = stack.employment.client
        self.expected: Counter[str] = Counter()

    async def call(self, path: str, body: dict[str, Any], *events: str, method: str = "POST",
                   status: tuple[int, ...] = (200, 201)) -> dict[str, Any]:
        r = await self.client.request(method, path, json=body)
        assert r.status_code in status, f"{method} {path}: {r.status_code} {r.text}"
        self.expected.update(f"hrss.employment.{e}.v1" for e in events)
        result: dict[str, Any] = r.json()
        return result


async def test_each_event_type_is_published_once_per_change_and_consumed_by_gateway(stack: Stack) -> None:
    s = Script(stack)
    employer, other = factories.employer("330802"), factories.employer("330802")
    person, p2, p3 = (factories.job_seeker("330802") for _ in range(3))
    pid = person["id_number"]
    await s.call("/v1/employers", employer, "employer.registered")
    cc = employer["credit_code"]
    await s.call(f"/v1/employers/{cc}", {"name": employer["name"] + "（更名）"}, "employer.updated", method="PATCH")
    await s.call("/v1/employers", other, "employer.registered")
    await s.call(f"/v1/employers/{other['credit_code']}/deactivate",
                 {"deactivated_date": "2026-02-01", "reason": "注销"}, "employer.deactivated")
    await s.call("/v1/job-seekers", {**person, "registered_date": "2026-01-05"}, "job_seeker.registered")
    await s.call(f"/v1/job-seekers/{pid}", {"phone": "13900000001"}, "job_seeker.updated", method="PATCH")
    unemployment = await s.call("/v1/unemployment-registrations", {
        "id_number": pid, "name": person["name"], "county_code": "330802", "registered_date": "2026-01-01"},
        "unemployment.registered")
    # 就业困难人员认定 rests on the open unemployment registration and names a category with its evidence.
    membership = await s.call(f"/v1/job-seekers/{pid}/key-groups", {
        "group": "hard_to_employ", "source": "衢州市就业管理服务中心", "start_date": "2026-01-01",
        "category": "minimum_living", "evidence": "低保证 衢低保〔2025〕001号"}, "key_group.added")
    await s.call("/v1/service-records", {"id_number": pid, "kind": "career_guidance", "service_date": "2026-01-15",
                                         "staff": "张老师"}, "service_record.recorded")
    posting = await s.call("/v1/job-postings", {
        "credit_code": cc, "occupation": "车工", "title": "数控车工", "count": 2, "min_monthly_wage": "4500.00",
        "max_monthly_wage": "6500.00", "county_code": "330802",
        "closing_date": (clock.today() + timedelta(days=30)).isoformat()}, "job_posting.published")
    await s.call(f"/v1/job-postings/{posting['id']}/close", {}, "job_posting.closed")
    post = await s.call("/v1/public-welfare-posts", {
        "credit_code": cc, "title": "社区保洁", "county_code": "330802", "monthly_subsidy": "2000.00", "positions": 2,
        "start_date": "2026-01-01", "end_date": "2026-12-31"}, "public_welfare_post.created")
    placement = await s.call(f"/v1/public-welfare-posts/{post['id']}/placements", {
        "id_number": pid, "start_date": "2026-02-01", "end_date": "2026-10-31"}, "public_welfare_placement.started")
    await s.call(f"/v1/public-welfare-posts/{post['id']}/placements/{placement['id']}/end",
                 {"ended_date": "2026-06-30", "reason": "转入企业就业"}, "public_welfare_placement.ended")
    job = await s.call("/v1/employment-registrations", {
        "id_number": pid, "name": person["name"], "credit_code": cc, "start_date": "2026-07-01"},
        "employment.registered", "unemployment.closed", "key_group.ended")  # the certification ends with it
    await s.call(f"/v1/employment-registrations/{job['id']}/terminate",
                 {"end_date": "2026-09-30", "reason": "自主创业"}, "employment.terminated")
    await s.call("/v1/startup-subsidies", {"id_number": pid, "credit_code": cc, "business_start_date": "2026-03-01",
                                           "applied_date": "2026-10-01"}, "startup_subsidy.granted")
    # A duplicate claim is refused (409) and the refusal is published for 政策监管.
    await s.call("/v1/startup-subsidies", {"id_number": pid, "credit_code": cc, "business_start_date": "2026-03-01",
                                           "applied_date": "2026-10-09"}, "startup_subsidy.refused", status=(409,))
    loan = {"applicant_kind": "individual", "county_code": "330802", "amount": "100000.00", "term_months": 24,
            "bank": "衢州农商银行", "purpose": "开办农家乐"}
    # A borrower is a key-group member or registered unemployed on the application date (pid: 就业困难人员 until
    # re-employed on 2026-07-01; p2 and p3: registered unemployed).
    repaid = await s.call("/v1/startup-loans", {**loan, "id_number": pid, "applied_date": "2026-06-02"},
                          "startup_loan.applied")
    for other in (p2, p3):
        await s.call("/v1/unemployment-registrations", {
            "id_number": other["id_number"], "name": other["name"], "county_code": "330802",
            "registered_date": "2026-03-01"}, "unemployment.registered")
    lid = repaid["id"]
    await s.call(f"/v1/startup-loans/{lid}/approve", {"approved_amount": "100000.00", "approved_date": "2026-10-05"},
                 "startup_loan.approved")
    await s.call(f"/v1/startup-loans/{lid}/disburse", {"disbursed_date": "2026-10-08"}, "startup_loan.disbursed")
    await s.call(f"/v1/startup-loans/{lid}/repay", {"amount": "40000.00", "repaid_date": "2026-10-20"},
                 "startup_loan.repayment_recorded")
    await s.call(f"/v1/startup-loans/{lid}/repay", {"amount": "60000.00", "repaid_date": "2026-11-01"},
                 "startup_loan.repaid")
    rejected = await s.call("/v1/startup-loans", {**loan, "id_number": p2["id_number"], "applied_date": "2026-10-02"},
                            "startup_loan.applied")
    await s.call(f"/v1/startup-loans/{rejected['id']}/reject", {"rejected_date": "2026-10-03", "reason": "材料不全"},
                 "startup_loan.rejected")
    bad = await s.call("/v1/startup-loans", {**loan, "id_number": p3["id_number"], "applied_date": "2026-03-02"},
                       "startup_loan.applied")
    await s.call(f"/v1/startup-loans/{bad['id']}/approve", {"approved_amount": "50000.00",
                                                             "approved_date": "2026-03-05"}, "startup_loan.approved")
    await s.call(f"/v1/startup-loans/{bad['id']}/disburse", {"disbursed_date": "2026-03-08"}, "startup_loan.disbursed")
    await s.call(f"/v1/startup-loans/{bad['id']}/default", {"defaulted_date": "2026-11-01", "reason": "逾期未还"},
                 "startup_loan.defaulted")
    # Already ended at re-employment (2026-07-01): ending it later is a 409 and publishes nothing.
    await s.call(f"/v1/job-seekers/{pid}/key-groups/{membership['id']}/end", {"end_date": "2026-11-10"},
                 status=(409,))
    # A registration recorded wrongly is corrected, then cancelled (撤销).
    p4 = factories.job_seeker("330802")
    wrong = await s.call("/v1/unemployment-registrations", {
        "id_number": p4["id_number"], "name": p4["name"], "county_code": "330802", "registered_date": "2026-09-02"},
        "unemployment.registered")
    await s.call(f"/v1/unemployment-registrations/{wrong['id']}/correct",
                 {"registered_date": "2026-09-01", "reason": "登记日期录入错误"}, "unemployment.corrected")
    await s.call(f"/v1/unemployment-registrations/{wrong['id']}/cancel", {"reason": "重复登记"},
                 "unemployment.cancelled")
    base = await s.call("/v1/startup-bases", {
        "kind": "return_home", "name": "常山返乡创业园", "county_code": "330802", "credit_code": cc,
        "recognised_date": "2026-05-01", "capacity": 50}, "startup_base.recognised")
    await s.call(f"/v1/startup-bases/{base['id']}/revoke", {"revoked_date": "2026-11-01", "reason": "复核不合格"},
                 "startup_base.revoked")
    assert unemployment["status"] == "open"

    # Every type of the catalogue was exercised, and the topic holds exactly one event per change.
    assert set(s.expected) == {c.type for c in contracts_of("hrss.employment")}
    total = sum(s.expected.values())
    topic = stack.prefix + "hrss.employment"

    async def all_on_topic() -> list[Any] | None:
        events = await read_topic(stack.bootstrap, topic, settle=1.0)
        return events if len(events) >= total else None
    events = await eventually(all_on_topic, timeout=90, interval=0.5)
    assert Counter(e.type for e in events) == s.expected
    assert len({e.id for e in events}) == total
    for e in events:  # every published event validates against its contract (ContractViolation otherwise)
        contract = contract_for(e.type)
        contract.parse(e.data)
        assert e.subject == str(e.data[contract.subject]) and e.source == "/hrss/employment"

    processed = stack.gateway.runtime.infra.processed_events

    async def all_applied() -> bool:
        async with stack.gateway.runtime.maker() as session:
            n = (await session.execute(select(func.count()).select_from(processed))).scalar_one()
        return int(n) == total
    await eventually(all_applied, timeout=90)
    assert stack.gateway.runtime.consumers[0].stats.dead_lettered == 0

    view = (await stack.gateway.client.get(f"/v1/persons/{pid}")).json()
    section = view["employment"]
    assert view["identity"]["phone"] == "13900000001"
    assert section["status"] == "not_employed"
    records = section["records"]
    assert [r["status"] for r in records["key_group"]] == ["ended"]
    assert [r["status"] for r in records["startup_loan"]] == ["repaid"]
    assert sorted(r["status"] for r in records["startup_subsidy"]) == ["granted", "refused"]
    assert [r["status"] for r in records["public_welfare_placement"]] == ["ended"]
    assert [r["data"]["kind"] for r in records["service_record"]] == ["career_guidance"]
    assert section["unemployment_registrations"][0]["status"] == "closed"
    cancelled = (await stack.gateway.client.get(f"/v1/persons/{p4['id_number']}")).json()["employment"]
    [item] = cancelled["unemployment_registrations"]
    assert (item["status"], item["registered_date"], cancelled["status"]) == ("cancelled", "2026-09-01",
                                                                              "not_employed")
