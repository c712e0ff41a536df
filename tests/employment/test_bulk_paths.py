"""POST /v1/bulk/{employers,job-seekers,employment-registrations,unemployment-registrations} on SQLite and
PostgreSQL: rows read back like API-written ones, one event per written row (valid against its contract, the same
data as the API's), a second run writes and publishes nothing, refused rows are reported and not written, a 422
names the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_contracts import contract_for
from hrss_shared.events import CloudEvent
from tests import factories
from tests.employment.helpers import (
    EMPLOYER_REGISTERED,
    EMPLOYMENT_REGISTERED,
    JOB_SEEKER_REGISTERED,
    UNEMPLOYMENT_CLOSED,
    UNEMPLOYMENT_REGISTERED,
    assert_problem,
    count,
    employ,
    key_of,
    new_employer,
    outbox,
    unemploy,
)
from tests.support import InProcessService, bearer, on_each_database, post_bulk, token

VOLATILE = {"id", "created_at", "credit_code", "id_number", "name"}


service = on_each_database(create_app, EmploymentSettings, "employment", today=date(2026, 8, 31))


bulk = post_bulk


async def events_since(svc: InProcessService, before: int) -> list[dict[str, Any]]:
    """Outbox rows after the first ``before``, each valid against its contract, keyed by its subject."""
    rows = (await outbox(svc))[before:]
    for row in rows:
        event = CloudEvent.model_validate(row["event"])
        contract = contract_for(event.type)
        contract.parse(event.data)
        assert event.subject == str(event.data[contract.subject])
        assert row["key"] == key_of(svc, event.subject)
    return rows


def report(kind: str, received: int, written: int, skipped: int = 0, refused: list[dict[str, Any]] | None = None,
           events: int | None = None) -> dict[str, Any]:
    return {"kind": kind, "received": received, "written": written, "skipped": skipped,
            "events": written if events is None else events, "refused": refused or []}


def strip(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in VOLATILE}


def person(county: str = "330802", birth: date = date(1980, 3, 4)) -> str:
    return factories.id_number(county, birth)


async def test_employers_and_job_seekers_read_back_like_the_api(service: InProcessService) -> None:
    api_employer = await new_employer(service, "330881", is_construction=True)
    api_seeker = factories.job_seeker("330824", education="bachelor", graduation_year=2010,
                                      occupation_wishes=["电工"])
    assert (await service.client.post("/v1/job-seekers", json=api_seeker)).status_code == 201
    api_events = [e["event"]["data"] for e in await outbox(service)]
    before = len(api_events)

    employers = [factories.employer("330881", is_construction=True), factories.employer("330802", size=None)]
    r = await bulk(service, "employers", employers)
    assert r.status_code == 200, r.text
    assert r.json() == report("employers", 2, 2)
    seekers = [factories.job_seeker("330824", education="bachelor", graduation_year=2010,
                                    occupation_wishes=["电工"]),
               factories.job_seeker("330825", registered_date="2026-01-05")]
    r = await bulk(service, "job-seekers", seekers)
    assert r.json() == report("job-seekers", 2, 2)

    got = (await service.client.get(f"/v1/employers/{employers[0]['credit_code']}")).json()
    via_api = (await service.client.get(f"/v1/employers/{api_employer['credit_code']}")).json()
    assert strip(got) == strip(via_api) and got["status"] == "active"
    got = (await service.client.get(f"/v1/job-seekers/{seekers[0]['id_number']}")).json()
    via_api = (await service.client.get(f"/v1/job-seekers/{api_seeker['id_number']}")).json()
    assert strip(got) == strip(via_api) and got["registered_date"] == "2026-08-31"  # today, as on the API
    assert (await service.client.get(f"/v1/job-seekers/{seekers[1]['id_number']}")).json()[
        "registered_date"] == "2026-01-05"

    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [EMPLOYER_REGISTERED] * 2 + [JOB_SEEKER_REGISTERED] * 2
    assert strip(events[0]["event"]["data"]) == strip(api_events[0])
    assert strip(events[2]["event"]["data"]) == strip(api_events[1])
    assert [e["event"]["subject"] for e in events] == [employers[0]["credit_code"], employers[1]["credit_code"],
                                                       seekers[0]["id_number"], seekers[1]["id_number"]]

    # Again, with one new of each and the API-written ones: only the new ones are written and published.
    more_employers = [*employers, api_employer, factories.employer("330803")]
    assert (await bulk(service, "employers", more_employers)).json() == report("employers", 4, 1, 3)
    more_seekers = [*seekers, api_seeker, factories.job_seeker("330803")]
    assert (await bulk(service, "job-seekers", more_seekers)).json() == report("job-seekers", 4, 1, 3)
    assert [e["event_type"] for e in await events_since(service, before + 4)] == [
        EMPLOYER_REGISTERED, JOB_SEEKER_REGISTERED]
    assert await count(service, "employers") == 4 and await count(service, "job_seekers") == 4


async def test_registrations_read_back_like_the_api(service: InProcessService) -> None:
    employer = await new_employer(service, "330822")
    api_reg = await employ(service, person(), employer["credit_code"], "2024-05-06", occupation="电工")
    api_un = await unemploy(service, person(), "2026-06-01", county="330822")
    api_events = [e["event"]["data"] for e in await outbox(service)]
    before = len(api_events)

    work = [{"id_number": person(), "name": "李四", "credit_code": employer["credit_code"],
             "start_date": "2024-05-06", "occupation": "电工"},
            {"id_number": person("330881"), "name": "张三", "credit_code": employer["credit_code"],
             "start_date": "2025-01-02"}]
    r = await bulk(service, "employment-registrations", work)
    assert r.status_code == 200, r.text
    assert r.json() == report("employment-registrations", 2, 2)
    idle = [{"id_number": person(), "name": "赵五", "county_code": "330822", "registered_date": "2026-06-01"},
            {"id_number": person(), "name": "钱六", "county_code": "330822", "registered_date": "2026-07-01",
             "reason": "合同到期", "separation_reason": "contract_expired", "female_original_age": 50}]
    r = await bulk(service, "unemployment-registrations", idle)
    assert r.json() == report("unemployment-registrations", 2, 2)

    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [EMPLOYMENT_REGISTERED] * 2 + [UNEMPLOYMENT_REGISTERED] * 2
    reg = (await service.client.get(f"/v1/employment-registrations/{events[0]['event']['data']['id']}")).json()
    assert strip(reg) == strip(api_reg) and reg["status"] == "active" and reg["employer_name"] == employer["name"]
    assert reg["id_number"] == work[0]["id_number"]
    assert strip(events[0]["event"]["data"]) == strip(api_events[1])
    un = (await service.client.get(f"/v1/unemployment-registrations/{events[2]['event']['data']['id']}")).json()
    assert strip(un) == strip(api_un) and un["status"] == "open"
    assert strip(events[2]["event"]["data"]) == strip(api_events[2])
    second = (await service.client.get(f"/v1/unemployment-registrations/{events[3]['event']['data']['id']}")).json()
    assert (second["separation_reason"], second["female_original_age"], second["reason"]) == (
        "contract_expired", 50, "合同到期")

    # The same rows again: nothing written, nothing published.
    assert (await bulk(service, "employment-registrations", work)).json() == report(
        "employment-registrations", 2, 0, 2)
    assert (await bulk(service, "unemployment-registrations", idle)).json() == report(
        "unemployment-registrations", 2, 0, 2)
    assert len(await outbox(service)) == before + 4


async def test_employment_closes_an_open_unemployment_registration(service: InProcessService) -> None:
    employer = await new_employer(service)
    someone = person()
    opened = await unemploy(service, someone, "2026-03-01")
    before = len(await outbox(service))
    rows = [{"id_number": someone, "name": "王小明", "credit_code": employer["credit_code"],
             "start_date": "2026-05-01"}]
    assert (await bulk(service, "employment-registrations", rows)).json() == report(
        "employment-registrations", 1, 1)
    events = await events_since(service, before)
    assert [e["event_type"] for e in events] == [UNEMPLOYMENT_CLOSED, EMPLOYMENT_REGISTERED]
    assert events[0]["event"]["data"]["reason_code"] == "reemployed"
    closed = (await service.client.get(f"/v1/unemployment-registrations/{opened['id']}")).json()
    assert (closed["status"], closed["end_date"], closed["close_reason_code"]) == ("closed", "2026-05-01",
                                                                                   "reemployed")


async def test_refused_rows_are_reported_and_not_written(service: InProcessService) -> None:
    employer = await new_employer(service)
    gone = await new_employer(service)
    r = await service.client.post(f"/v1/employers/{gone['credit_code']}/deactivate",
                                  json={"deactivated_date": "2026-01-31", "reason": "停业"})
    assert r.status_code == 200, r.text
    working, busy, left, waiting = person(), person(), person(), person()
    await employ(service, working, employer["credit_code"], "2025-01-01")
    await employ(service, busy, employer["credit_code"], "2025-03-01")
    past = await employ(service, left, employer["credit_code"], "2025-01-01")
    r = await service.client.post(f"/v1/employment-registrations/{past['id']}/terminate",
                                  json={"end_date": "2026-02-28", "reason": "合同到期"})
    assert r.status_code == 200, r.text
    await unemploy(service, waiting, "2026-04-01")
    queued = person()
    await unemploy(service, queued, "2026-05-01")
    before = len(await outbox(service))
    code = employer["credit_code"]
    fifteen = factories.id_number("330802", date(2010, 9, 1))  # 16 on 2026-09-01

    def work(id_number: str, start: str, credit_code: str = code) -> dict[str, Any]:
        return {"id_number": id_number, "name": "王小明", "credit_code": credit_code, "start_date": start}

    fresh = person()
    rows = [
        work(fresh, "2026-06-01"),  # 0: written
        work(person(), "2026-06-01", factories.credit_code()),  # 1: employer unknown
        work(person(), "2026-06-01", gone["credit_code"]),  # 2: employer deactivated
        work(busy, "2026-06-01"),  # 3: active with this employer already
        work(working, "2025-01-01"),  # 4: the same registration again: skipped
        work(fifteen, "2026-08-31"),  # 5: 15 that day
        work(fifteen, "2026-09-01"),  # 6: refused: repeats row 5's person and employer (5 refused, so written)
        work(fresh, "2026-07-01"),  # 7: repeats row 0 with another start date
        work(fresh, "2026-06-01"),  # 8: row 0 again: skipped
    ]
    r = await bulk(service, "employment-registrations", rows)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["received"], body["written"], body["skipped"], body["events"]) == (9, 2, 2, 2)
    reasons = {x["row"]: x["reason"] for x in body["refused"]}
    assert sorted(reasons) == [1, 2, 3, 5, 7]
    assert "employer not registered or inactive" in reasons[1] and reasons[1] == reasons[2]
    assert "already actively registered with this employer" in reasons[3]
    assert "under the working age" in reasons[5]
    assert "row 0" in reasons[7]
    events = await events_since(service, before)
    assert sorted(e["event"]["data"]["id_number"] for e in events) == sorted([fresh, fifteen])

    def idle(id_number: str, day: str, county: str = "330802") -> dict[str, Any]:
        return {"id_number": id_number, "name": "王小明", "county_code": county, "registered_date": day}

    old = factories.id_number("330802", date(1966, 1, 10))  # a man past 60 in 2026
    newcomer = person()
    rows = [
        idle(newcomer, "2026-08-01"),  # 0: written
        idle(working, "2026-08-01"),  # 1: employed
        idle(queued, "2026-08-01"),  # 2: an open registration exists
        idle(waiting, "2026-04-01"),  # 3: that registration again: skipped
        idle(left, "2026-02-28"),  # 4: the last day of a past employment
        idle(left, "2026-03-01"),  # 5: repeats row 4's person: refused (row 4 is refused, this one not)
        idle(old, "2026-08-01"),  # 6: past retirement age
        idle(newcomer, "2026-08-01"),  # 7: row 0 again: skipped
    ]
    r = await bulk(service, "unemployment-registrations", rows)
    body = r.json()
    assert (body["received"], body["written"], body["skipped"], body["events"]) == (8, 1, 2, 1), body
    reasons = {x["row"]: x["reason"] for x in body["refused"]}
    assert sorted(reasons) == [1, 2, 4, 5, 6]
    assert "an active employment registration exists" in reasons[1]
    assert "an open unemployment registration exists" in reasons[2]
    assert "inside a past employment" in reasons[4] and past["id"] in reasons[4]
    assert "row 4" in reasons[5]
    assert "statutory retirement age" in reasons[6]
    assert await count(service, "unemployment_registrations") == 3


async def test_the_day_after_a_past_employment_is_accepted(service: InProcessService) -> None:
    employer = await new_employer(service)
    left = person()
    past = await employ(service, left, employer["credit_code"], "2025-01-01")
    await service.client.post(f"/v1/employment-registrations/{past['id']}/terminate",
                              json={"end_date": "2026-02-28", "reason": "合同到期"})
    rows = [{"id_number": left, "name": "王小明", "county_code": "330802", "registered_date": "2026-03-01"}]
    assert (await bulk(service, "unemployment-registrations", rows)).json() == report(
        "unemployment-registrations", 1, 1)


async def test_a_county_client_writes_its_own_county_only(service: InProcessService) -> None:
    county = bearer(token("employment:write", county="330803"))
    mine, other = factories.employer("330803"), factories.employer("330802")
    r = await bulk(service, "employers", [mine, other], headers=county)
    assert r.json()["written"] == 1 and [x["row"] for x in r.json()["refused"]] == [1]
    await bulk(service, "employers", [other])  # city-wide
    rows = [{"id_number": person(), "name": "王小明", "credit_code": c["credit_code"], "start_date": "2026-01-05"}
            for c in (mine, other)]
    r = await bulk(service, "employment-registrations", rows, headers=county)
    assert r.json()["written"] == 1 and [x["row"] for x in r.json()["refused"]] == [1]
    assert "330803" in r.json()["refused"][0]["reason"]


async def test_invalid_rows_answer_422_naming_the_field(service: InProcessService) -> None:
    rows = [factories.employer(), factories.employer(credit_code="91330802MA00000000")]
    assert_problem(await bulk(service, "employers", rows), 422, "rows.1.credit_code")
    assert_problem(await bulk(service, "job-seekers", []), 422, "rows")
    rows = [{"id_number": person(), "name": "王小明", "county_code": "330802", "registered_date": "2026-09-01"}]
    assert_problem(await bulk(service, "unemployment-registrations", rows), 422, "rows.0.registered_date")
    assert_problem(await bulk(service, "employers", [factories.employer()],
                              headers=bearer(token("employment:read"))), 403)
    assert await count(service, "employers") == 0 and await outbox(service) == []
