"""失信联合惩戒名单 (listing, the one-listing rule, removal at its date edge) and 劳动纠纷 (filing, conclusion with its
outcome rules, cancellation, the grassroots mediation rate) — each change one event valid against its contract."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests import factories
from tests.labour_relations.helpers import TYPE, assert_problem, events_since, mark, types_since
from tests.support import InProcessService


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(date(2026, 6, 30))


def listing_body(credit_code: str | None = None, **over: Any) -> dict[str, Any]:
    return {"credit_code": credit_code or factories.credit_code(), "employer_name": "衢州某建筑劳务有限公司",
            "county_code": "330802", "decision_reference": "衢人社失信〔2026〕3号", "decision_date": "2026-05-10",
            "reason": "拒不支付农民工工资", **over}


def dispute_body(**over: Any) -> dict[str, Any]:
    return {"applicants": [{"id_number": factories.id_number(), "name": "张三"}],
            "credit_code": factories.credit_code(), "employer_name": "衢州某制造有限公司", "county_code": "330802",
            "type": "remuneration", "channel": "grassroots_mediation", "filed_date": "2026-06-01", **over}


async def test_listing_once_and_removal_when_lifted(labour: InProcessService) -> None:
    employer = factories.credit_code()
    before = await mark(labour)
    r = await labour.client.post("/v1/dishonest-employers", json=listing_body(employer))
    assert r.status_code == 201, r.text
    listing = r.json()
    problem = assert_problem(await labour.client.post("/v1/dishonest-employers", json=listing_body(employer)), 409,
                             "credit_code")
    assert problem["existing_id"] == listing["id"]
    assert (await labour.client.get(f"/v1/employers/{employer}/risk")).json()["dishonest"] is True
    path = f"/v1/dishonest-employers/{listing['id']}/remove"
    assert_problem(await labour.client.post(path, json={"removed_date": "2026-05-09", "reason": "期满"}), 422,
                   "removed_date")
    assert_problem(await labour.client.post(path, json={"removed_date": "2026-07-01", "reason": "期满"}), 422,
                   "removed_date")
    r = await labour.client.post(path, json={"removed_date": "2026-05-10", "reason": "已结清欠薪，信用修复"})
    assert (r.status_code, r.json()["status"], r.json()["removed_date"]) == (200, "removed", "2026-05-10")
    assert_problem(await labour.client.post(path, json={"reason": "再次"}), 409, "status")
    assert (await labour.client.get(f"/v1/employers/{employer}/risk")).json()["dishonest"] is False
    rows = await events_since(labour, before)
    assert [r["event_type"] for r in rows] == [TYPE("dishonest_employer.listed"), TYPE("dishonest_employer.removed")]
    assert rows[1]["event"]["data"]["removal_reason"] == "已结清欠薪，信用修复"
    assert (await labour.client.post("/v1/dishonest-employers", json=listing_body(employer))).status_code == 201
    listed = (await labour.client.get("/v1/dishonest-employers", params={"credit_code": employer,
                                                                          "status": "listed"})).json()
    assert listed["count"] == 1
    assert_problem(await labour.client.post("/v1/dishonest-employers", json=listing_body(
        decision_date="2026-07-01")), 422, "decision_date")
    assert_problem(await labour.client.post("/v1/dishonest-employers", json=listing_body(
        decision_reference="")), 422, "decision_reference")


async def test_a_dispute_is_filed_concluded_once_and_awards_need_arbitration(labour: InProcessService) -> None:
    before = await mark(labour)
    r = await labour.client.post("/v1/disputes", json=dispute_body())
    assert r.status_code == 201, r.text
    dispute = r.json()
    path = f"/v1/disputes/{dispute['id']}"
    assert_problem(await labour.client.post(f"{path}/conclude", json={"outcome": "awarded"}), 422, "outcome")
    assert_problem(await labour.client.post(f"{path}/conclude", json={"outcome": "mediated",
                                                                      "concluded_date": "2026-05-31"}), 422,
                   "concluded_date")
    r = await labour.client.post(f"{path}/conclude", json={"outcome": "mediated", "concluded_date": "2026-06-01"})
    assert (r.status_code, r.json()["status"], r.json()["outcome"]) == (200, "concluded", "mediated")
    assert_problem(await labour.client.post(f"{path}/conclude", json={"outcome": "failed"}), 409, "status")
    r = await labour.client.post(f"{path}/cancel", json={"reason": "重复受理"})
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
    assert_problem(await labour.client.post(f"{path}/cancel", json={"reason": "再次"}), 409, "status")
    assert await types_since(labour, before) == [TYPE("dispute.filed"), TYPE("dispute.concluded"),
                                                 TYPE("dispute.cancelled")]
    arb = (await labour.client.post("/v1/disputes", json=dispute_body(channel="arbitration"))).json()
    r = await labour.client.post(f"/v1/disputes/{arb['id']}/conclude", json={"outcome": "awarded"})
    assert (r.status_code, r.json()["concluded_date"]) == (200, "2026-06-30")
    assert_problem(await labour.client.post("/v1/disputes", json=dispute_body(filed_date="2026-07-01")), 422,
                   "filed_date")
    assert_problem(await labour.client.post("/v1/disputes", json=dispute_body(channel="court")), 422)


async def test_grassroots_mediation_rate_counts_filed_disputes_without_cancelled_ones(
    labour: InProcessService,
) -> None:
    for channel, county in [("grassroots_mediation", "330802"), ("grassroots_mediation", "330802"),
                            ("arbitration", "330802"), ("grassroots_mediation", "330881")]:
        r = await labour.client.post("/v1/disputes", json=dispute_body(channel=channel, county_code=county))
        assert r.status_code == 201
    wrong = (await labour.client.post("/v1/disputes", json=dispute_body(channel="arbitration"))).json()
    await labour.client.post(f"/v1/disputes/{wrong['id']}/cancel", json={"reason": "登记错误"})
    rates = (await labour.client.get("/v1/disputes/mediation-rate", params={"from_date": "2026-06-01"})).json()
    assert rates == [{"county_code": "330802", "numerator": 2, "denominator": 3, "rate": "66.7"},
                     {"county_code": "330881", "numerator": 1, "denominator": 1, "rate": "100.0"},
                     {"county_code": None, "numerator": 3, "denominator": 4, "rate": "75.0"}]
    listed = (await labour.client.get("/v1/disputes", params={"channel": "arbitration", "status": "open"})).json()
    assert listed["count"] == 1


async def test_a_dispute_recorded_wrongly_is_corrected_with_a_reason(labour: InProcessService) -> None:
    dispute = (await labour.client.post("/v1/disputes", json=dispute_body())).json()
    path = f"/v1/disputes/{dispute['id']}/correct"
    before = await mark(labour)
    r = await labour.client.post(path, json={"reason": "渠道登记错误", "channel": "arbitration", "type": "contract"})
    assert (r.status_code, r.json()["channel"], r.json()["type"]) == (200, "arbitration", "contract")
    rows = await events_since(labour, before)
    assert [(x["event_type"], x["event"]["data"]["changed"], x["event"]["data"]["reason"]) for x in rows] == [
        (TYPE("dispute.corrected"), ["channel", "type"], "渠道登记错误")]
    assert_problem(await labour.client.post(path, json={"reason": "同样", "channel": "arbitration"}), 422, "reason")
    assert_problem(await labour.client.post(path, json={"reason": "无内容"}), 422)
    await labour.client.post(f"/v1/disputes/{dispute['id']}/conclude", json={"outcome": "awarded"})
    assert_problem(await labour.client.post(path, json={"reason": "改渠道", "channel": "grassroots_mediation"}), 422,
                   "channel")
    await labour.client.post(f"/v1/disputes/{dispute['id']}/cancel", json={"reason": "重复受理"})
    assert_problem(await labour.client.post(path, json={"reason": "更正", "type": "other"}), 409, "status")
