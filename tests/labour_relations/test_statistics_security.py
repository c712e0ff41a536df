"""The year's indicators beside the plan's targets, and the edges every endpoint shares: scopes, county clients,
masking of ID numbers without pii:read."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests import factories
from tests.labour_relations.helpers import assert_problem, new_case, new_project, step
from tests.support import InProcessService, bearer, token

READ, WRITE, PII = "labour-relations:read", "labour-relations:write", "pii:read"


@pytest.fixture(autouse=True)
def _today(move_today: Any) -> None:
    move_today(date(2026, 6, 30))


async def test_statistics_of_a_year_beside_the_targets(labour: InProcessService) -> None:
    closed = await new_case(labour, filed_date="2026-04-20")
    await step(labour, closed["id"], "accept", {"accepted_date": "2026-04-20"})  # due 2026-07-20
    await step(labour, closed["id"], "investigate")
    await step(labour, closed["id"], "resolve", {"amount_recovered": "36000.00"})
    await step(labour, closed["id"], "close", {})
    await new_case(labour, filed_date="2026-06-30", workers=15)  # a group case (and a warning: 15 + 50)
    await new_case(labour, filed_date="2025-12-31")  # another year
    await new_case(labour, filed_date="2026-05-01", county="330881")
    project = await new_project(labour)
    await labour.client.post(f"/v1/projects/{project['id']}/payrolls", json={
        "month": "2026-05", "paid_date": "2026-06-10", "online": True,
        "workers": [{"id_number": factories.id_number(), "name": "李四", "amount": "5000.00"}]})
    await labour.client.post("/v1/disputes", json={
        "applicants": [{"id_number": factories.id_number(), "name": "张三"}], "credit_code": factories.credit_code(),
        "employer_name": "衢州某制造有限公司", "county_code": "330802", "type": "contract",
        "channel": "grassroots_mediation", "filed_date": "2026-06-01"})
    r = await labour.client.get("/v1/statistics", params={"year": 2026, "county_code": "330802"})
    assert r.status_code == 200, r.text
    stats = r.json()
    assert stats["cases_by_status"]["closed"] == 1 and stats["cases_by_status"]["registered"] == 1
    assert sum(stats["cases_by_status"].values()) == 2
    assert stats["on_time_closure_rate"] == {"county_code": None, "numerator": 1, "denominator": 1, "rate": "100.0"}
    assert stats["online_payment_rate"]["rate"] == "100.0"
    assert stats["grassroots_mediation_rate"]["rate"] == "100.0"
    assert (stats["group_cases"], stats["warnings_raised"]) == (1, 1)
    assert stats["targets"] == {"on_time_closure_rate": 100.0, "online_payment_rate": 100.0,
                                "grassroots_mediation_rate": 80.0, "group_cases": 0}
    city = (await labour.client.get("/v1/statistics", params={"year": 2026})).json()
    assert sum(city["cases_by_status"].values()) == 3
    assert_problem(await labour.client.get("/v1/statistics"), 422, "year")
    assert_problem(await labour.client.get("/v1/statistics", params={"year": 1999}), 422, "year")


async def test_scopes_county_clients_and_masking(labour: InProcessService) -> None:
    case = await new_case(labour, filed_date="2026-06-01")
    person = case["complainants"][0]["id_number"]
    reader = bearer(token(READ))
    got = (await labour.client.get(f"/v1/arrears-cases/{case['id']}", headers=reader)).json()
    assert got["complainants"][0]["id_number"] != person and got["complainants"][0]["id_number"].startswith("3308")
    got = (await labour.client.get(f"/v1/arrears-cases/{case['id']}", headers=bearer(token(READ, PII)))).json()
    assert got["complainants"][0]["id_number"] == person
    assert (await labour.client.post("/v1/arrears-cases", json={}, headers=reader)).status_code == 403
    assert (await labour.client.get("/v1/arrears-cases", headers=bearer("not-a-token"))).status_code == 401
    jiangshan = bearer(token(READ, WRITE, county="330881"))
    assert (await labour.client.get(f"/v1/arrears-cases/{case['id']}", headers=jiangshan)).status_code == 403
    assert (await labour.client.post(f"/v1/arrears-cases/{case['id']}/accept", json={},
                                     headers=jiangshan)).status_code == 403
    listed = (await labour.client.get("/v1/arrears-cases", headers=jiangshan)).json()
    assert listed["count"] == 0
    assert (await labour.client.get("/v1/arrears-cases", params={"county_code": "330802"},
                                    headers=jiangshan)).status_code == 403
