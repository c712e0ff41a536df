"""更正与撤销: an enrolment or contribution recorded wrongly is corrected or cancelled with a reason, each one event;
paid months, gaps, arrears and open benefit decisions follow."""

from __future__ import annotations

from datetime import date

import pytest

from social_insurance.arrears import service as arrears
from tests import factories
from tests.conftest import MoveToday
from tests.social_insurance.helpers import (
    TYPE,
    assert_problem,
    count_events,
    enrol,
    events_since,
    pay,
    types_of,
)
from tests.social_insurance.test_benefits import decide, registration, seed_months, young
from tests.support import InProcessService


@pytest.fixture(autouse=True)
def _today(move_today: MoveToday) -> None:
    move_today(date(2026, 3, 15))


async def test_a_cancelled_contribution_is_unpaid_again_and_makes_arrears(si: InProcessService) -> None:
    employer = factories.credit_code()
    e = await enrol(si, "unemployment", credit_code=employer, start_date="2026-01-01")
    jan, feb = await pay(si, e, "2026-01"), await pay(si, e, "2026-02")
    before = await count_events(si)
    r = await si.client.post(f"/v1/contributions/{jan['id']}/cancel", json={"reason": "重复申报"})
    assert (r.status_code, r.json()["status"], r.json()["cancelled_date"]) == (200, "cancelled", "2026-03-15")
    r = await si.client.post(f"/v1/contributions/{feb['id']}/cancel", json={"reason": "重复申报"})
    rows = await events_since(si, before)
    assert types_of(rows) == ["contribution.cancelled", "contribution.cancelled", "arrears.raised"]
    assert (rows[0]["event"]["data"]["month"], rows[0]["event"]["data"]["reason"]) == ("2026-01", "重复申报")
    assert rows[2]["event"]["data"]["month"] == "2026-02"
    view = (await si.client.get(f"/v1/persons/{e['id_number']}/insurance")).json()
    assert (view["types"][0]["months_paid"], view["types"][0]["gaps"]) == (0, ["2026-01", "2026-02"])
    assert_problem(await si.client.post(f"/v1/contributions/{jan['id']}/cancel", json={"reason": "x"}), 409, "status")
    assert_problem(await si.client.post(f"/v1/contributions/{jan['id']}/correct", json={"reason": "x",
                                                                                      "declared_base": "1"}),
                   409, "status")
    # The month may be paid again; paying both up resolves the arrears.
    await pay(si, e, "2026-01")
    before = await count_events(si)
    await pay(si, e, "2026-02")
    assert types_of(await events_since(si, before)) == ["contribution.posted", "arrears.resolved"]


async def test_a_correction_recomputes_base_and_amounts_and_keeps_one_month_each(si: InProcessService) -> None:
    e = await enrol(si, "employee_pension", start_date="2026-01-01")
    jan, feb = await pay(si, e, "2026-01", "6000.00"), await pay(si, e, "2026-02")
    url = f"/v1/contributions/{jan['id']}/correct"
    assert_problem(await si.client.post(url, json={"reason": "无变化", "declared_base": "6000.00"}), 422, "reason")
    body = assert_problem(await si.client.post(url, json={"reason": "月份错误", "month": "2026-02"}), 409, "month")
    assert body["existing_id"] == feb["id"]
    assert_problem(await si.client.post(url, json={"reason": "月份错误", "month": "2025-12"}), 409, "month")
    assert_problem(await si.client.post(url, json={"reason": "月份错误", "month": "2026-04"}), 422, "month")
    assert_problem(await si.client.post(url, json={"declared_base": "100"}), 422, "reason")
    before = await count_events(si)
    r = await si.client.post(url, json={"reason": "工资申报有误", "declared_base": "26802.01"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["base"], got["base_adjustment"], got["employer_amount"], got["personal_amount"],
            got["correction_reason"]) == ("26802.00", "ceiling", "4288.32", "2144.16", "工资申报有误")
    [row] = await events_since(si, before)
    assert row["event_type"] == TYPE("contribution.corrected")
    data = row["event"]["data"]
    assert (data["changed"], data["previous"]["base"], data["previous"]["employer_amount"], data["base"]) == (
        ["declared_base"], "6000.00", "960.00", "26802.00")
    r = await si.client.post(url, json={"reason": "月份错误", "month": "2026-03"})
    assert (r.status_code, r.json()["month"]) == (200, "2026-03")
    view = (await si.client.get(f"/v1/persons/{e['id_number']}/insurance")).json()
    assert (view["types"][0]["paid_months"], view["types"][0]["gaps"]) == (["2026-02", "2026-03"], ["2026-01"])


async def test_an_enrolment_correction_keeps_the_rules_and_its_contributions(si: InProcessService) -> None:
    e = await enrol(si, "unemployment", start_date="2026-01-01")
    c = await pay(si, e, "2026-01")
    url = f"/v1/enrolments/{e['id']}/correct"
    assert_problem(await si.client.post(url, json={"reason": "x", "flexible": True}), 422, "flexible")
    body = assert_problem(await si.client.post(url, json={"reason": "x", "start_date": "2026-02-01"}), 409,
                          "start_date")
    assert body["contribution_ids"] == [c["id"]]
    body = assert_problem(await si.client.post(url, json={"reason": "x", "credit_code": factories.credit_code()}),
                          409, "credit_code")
    assert_problem(await si.client.post(url, json={"reason": "x", "start_date": "2026-01-01"}), 422, "reason")
    before = await count_events(si)
    r = await si.client.post(url, json={"reason": "姓名录入错误", "name": "王晓明", "start_date": "2025-12-01"})
    assert (r.status_code, r.json()["name"], r.json()["start_date"]) == (200, "王晓明", "2025-12-01")
    rows = await events_since(si, before)
    assert types_of(rows)[0] == "enrolment.corrected"
    assert (rows[0]["event"]["data"]["changed"], rows[0]["event"]["data"]["previous"]) == (
        ["name", "start_date"], {"name": "王小明", "start_date": "2026-01-01"})
    assert types_of(rows) == ["enrolment.corrected"]  # December and February unpaid, not consecutive: no arrears
    view = (await si.client.get(f"/v1/persons/{e['id_number']}/insurance")).json()
    assert view["types"][0]["gaps"] == ["2025-12", "2026-02"]


async def test_an_enrolment_cancelled_as_wrong_needs_its_contributions_cancelled_first(
    si: InProcessService, move_today: MoveToday
) -> None:
    move_today(date(2026, 4, 2))
    employer = factories.credit_code()
    e = await enrol(si, "work_injury", credit_code=employer, start_date="2026-01-01")
    c = await pay(si, e, "2026-01")  # February and March unpaid: arrears
    assert types_of(await events_since(si, 0))[-1] == "arrears.raised"
    url = f"/v1/enrolments/{e['id']}/cancel"
    assert assert_problem(await si.client.post(url, json={"reason": "误登记"}), 409, "status")[
        "contribution_ids"] == [c["id"]]
    await si.client.post(f"/v1/contributions/{c['id']}/cancel", json={"reason": "误登记"})
    before = await count_events(si)
    r = await si.client.post(url, json={"reason": "误登记"})
    assert (r.status_code, r.json()["status"], r.json()["cancel_reason"]) == (200, "cancelled", "误登记")
    assert types_of(await events_since(si, before)) == ["enrolment.cancelled", "arrears.resolved"]
    assert_problem(await si.client.post(url, json={"reason": "误登记"}), 409, "status")
    assert_problem(await si.client.post(f"/v1/enrolments/{e['id']}/correct", json={"reason": "x", "name": "李四"}),
                   409, "status")
    r = await si.client.post("/v1/contributions", json={"id_number": e["id_number"], "insurance_type": "work_injury",
                                                        "credit_code": employer, "month": "2026-02",
                                                        "declared_base": "6000.00"})
    assert_problem(r, 409, "month")
    view = (await si.client.get(f"/v1/persons/{e['id_number']}/insurance")).json()
    assert view["types"] == [] and view["enrolments"][0]["status"] == "cancelled"
    assert si.runtime.outbox is not None
    async with si.runtime.maker() as session, session.begin():
        assert await arrears.check_all(session=session, outbox=si.runtime.outbox, today=date(2026, 5, 2)) == (0, 0)


async def test_a_cancelled_unemployment_contribution_decides_the_benefit_again(si: InProcessService,
                                                                              move_today: MoveToday) -> None:
    move_today(date(2026, 3, 10))
    person = young()
    await seed_months(si, person, 11, last="2026-01")
    e = await enrol(si, "unemployment", id_number=person, start_date="2026-02-01")
    feb = await pay(si, e, "2026-02")
    b = await decide(si, registration(person))
    assert (b["status"], b["contribution_months"], b["months_entitled"], b["revision"]) == ("active", 12, 12, 0)
    before = await count_events(si)
    await si.client.post(f"/v1/contributions/{feb['id']}/cancel", json={"reason": "单位误报"})
    rows = await events_since(si, before)
    assert types_of(rows) == ["contribution.cancelled", "unemployment_benefit.decided"]
    data = rows[1]["event"]["data"]
    assert (data["eligible"], data["reason"], data["contribution_months"], data["revision"],
            data["correction_reason"]) == (False, "insufficient_contributions", 11, 1, "缴费撤销：单位误报")
    # Paid again: eligible again (revision 2); once a month is paid out, corrections no longer change it.
    await pay(si, e, "2026-02")
    got = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()
    assert (got["status"], got["revision"]) == ("not_eligible", 1)  # a new posting is no correction
    listed = (await si.client.get("/v1/contributions", params={"id_number": person, "status": "posted",
                                                               "insurance_type": "unemployment",
                                                               "month_from": "2026-02"})).json()["data"]
    [repaid] = listed
    await si.client.post(f"/v1/contributions/{repaid['id']}/correct", json={"reason": "基数更正",
                                                                           "declared_base": "7000.00"})
    got = (await si.client.get(f"/v1/unemployment-benefits/{b['id']}")).json()
    assert (got["status"], got["revision"], got["months_entitled"]) == ("active", 2, 12)
    assert (await si.client.post(f"/v1/unemployment-benefits/{b['id']}/payments",
                                 json={"month": "2026-03"})).status_code == 201
    before = await count_events(si)
    await si.client.post(f"/v1/contributions/{repaid['id']}/cancel", json={"reason": "x"})
    assert types_of(await events_since(si, before)) == ["contribution.cancelled"]
