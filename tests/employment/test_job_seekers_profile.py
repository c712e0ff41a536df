"""求职信息变更 (PATCH /v1/job-seekers/{id_number}), the skill profile in responses, and the job-seeker list filters."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from employment import consumers
from hrss_contracts.training import CERTIFICATE_ISSUED as CERTIFICATE
from hrss_shared.events import CloudEvent
from tests import factories
from tests.employment.helpers import assert_problem, key_of, outbox, reason
from tests.support import InProcessService, bearer, token

JOB_SEEKER_UPDATED = "hrss.employment.job_seeker.updated.v1"
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")

CERTIFICATE_ISSUED = CERTIFICATE.type


async def register(svc: InProcessService, county: str = "330802", **over: Any) -> dict[str, Any]:
    body = factories.job_seeker(county, **over)
    r = await svc.client.post("/v1/job-seekers", json=body)
    assert r.status_code == 201, r.text
    return body


async def patch(svc: InProcessService, id_number: str, body: dict[str, Any],
                headers: dict[str, str] | None = None) -> httpx.Response:
    return await svc.client.patch(f"/v1/job-seekers/{id_number}", json=body, headers=headers)


async def certify(svc: InProcessService, id_number: str, occupation: str, level: int, issued_date: str) -> str:
    number = f"S{uuid.uuid4().hex[:12].upper()}"
    ev = CloudEvent(id=str(uuid.uuid4()), source="/hrss/training", type=CERTIFICATE_ISSUED, time=datetime.now(UTC),
                    subject=id_number, data={"id": str(uuid.uuid4()), "id_number": id_number, "name": "王小明",
                                             "occupation": occupation, "level": level, "certificate_number": number,
                                             "issued_date": issued_date})
    async with svc.runtime.maker() as session, session.begin():
        await consumers.HANDLERS[CERTIFICATE_ISSUED](session, ev)
    return number


# ---- PATCH ---------------------------------------------------------------------------------


async def test_update_writes_one_updated_event_with_the_new_details(employment: InProcessService) -> None:
    seeker = await register(employment, education="senior_high", occupation_wishes=["电工"])
    before = len(await outbox(employment))
    r = await patch(employment, seeker["id_number"], {
        "phone": "13957011111", "education": "associate", "graduation_year": 2026,
        "occupation_wishes": ["电工", "焊工"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["phone"], body["education"], body["graduation_year"], body["occupation_wishes"]) == (
        "13957011111", "associate", 2026, ["电工", "焊工"])
    assert body["updated_at"] is not None
    [row] = (await outbox(employment))[before:]
    assert row["event_type"] == JOB_SEEKER_UPDATED
    assert row["key"] == key_of(employment, seeker["id_number"])
    assert row["event"]["data"] == {
        "id": body["id"], "id_number": seeker["id_number"], "phone": "13957011111", "county_code": "330802",
        "education": "associate", "graduation_year": 2026, "occupation_wishes": ["电工", "焊工"],
        "changed": ["phone", "education", "graduation_year", "occupation_wishes"], "previous_county_code": None,
    }
    again = (await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}")).json()
    assert again["occupation_wishes"] == ["电工", "焊工"]


async def test_phone_education_and_year_can_be_cleared_and_wishes_emptied(employment: InProcessService) -> None:
    seeker = await register(employment, education="bachelor", graduation_year=2024, occupation_wishes=["会计"])
    r = await patch(employment, seeker["id_number"], {"phone": None, "education": None, "graduation_year": None,
                                                      "occupation_wishes": []})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("phone", "education", "graduation_year", "occupation_wishes")} == {
        "phone": None, "education": None, "graduation_year": None, "occupation_wishes": []}


async def test_unchanged_update_writes_no_event(employment: InProcessService) -> None:
    seeker = await register(employment)
    before = await outbox(employment)
    r = await patch(employment, seeker["id_number"], {"phone": seeker["phone"], "county_code": "330802"})
    assert r.status_code == 200
    assert await outbox(employment) == before


@pytest.mark.parametrize(("body", "field"), [
    ({"phone": "12345"}, "phone"), ({"county_code": None}, "county_code"), ({"county_code": "330800"}, "county_code"),
    ({"education": "kindergarten"}, "education"), ({"graduation_year": 1900}, "graduation_year"),
    ({"occupation_wishes": None}, "occupation_wishes"), ({"occupation_wishes": ["x"] * 11}, "occupation_wishes"),
])
async def test_bad_update_is_422_naming_the_field_and_writes_nothing(
    employment: InProcessService, body: dict[str, Any], field: str
) -> None:
    seeker = await register(employment)
    before = await outbox(employment)
    assert reason(assert_problem(await patch(employment, seeker["id_number"], body), 422, field), field)
    assert await outbox(employment) == before
    assert (await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}")).json()["phone"] == seeker["phone"]


async def test_empty_update_is_422_and_unknown_person_404(employment: InProcessService) -> None:
    seeker = await register(employment)
    assert_problem(await patch(employment, seeker["id_number"], {}), 422)
    assert_problem(await patch(employment, factories.id_number(), {"phone": "13957011111"}), 404)
    assert_problem(await patch(employment, "110105194912310021", {"phone": "13957011111"}), 422, "id_number")


async def test_moving_county_is_one_event_naming_the_previous_county(employment: InProcessService) -> None:
    seeker = await register(employment, "330802")
    r = await patch(employment, seeker["id_number"], {"county_code": "330825"})
    assert r.status_code == 200
    data = (await outbox(employment))[-1]["event"]["data"]
    assert (data["county_code"], data["previous_county_code"], data["changed"]) == ("330825", "330802",
                                                                                    ["county_code"])


async def test_county_client_cannot_move_a_person_out_or_edit_another_county(employment: InProcessService) -> None:
    kecheng = bearer(token("employment:read", "employment:write", county="330802"))
    own = await register(employment, "330802")
    other = await register(employment, "330803")
    before = await outbox(employment)
    assert_problem(await patch(employment, own["id_number"], {"county_code": "330803"}, kecheng), 403)
    assert_problem(await patch(employment, other["id_number"], {"phone": "13957011111"}, kecheng), 403)
    assert await outbox(employment) == before
    r = await patch(employment, own["id_number"], {"phone": "13957011111"}, kecheng)
    assert r.status_code == 200, r.text


async def test_update_response_is_masked_without_pii_read(employment: InProcessService) -> None:
    seeker = await register(employment)
    writer = bearer(token("employment:read", "employment:write"))
    r = await patch(employment, seeker["id_number"], {"phone": "13957011111"}, writer)
    assert r.status_code == 200
    assert MASKED_PHONE.match(r.json()["phone"])
    assert r.json()["id_number"] != seeker["id_number"]


# ---- skills in responses -------------------------------------------------------------------


async def test_get_and_list_include_the_skill_profile(employment: InProcessService) -> None:
    seeker = await register(employment)
    other = await register(employment)
    number = await certify(employment, seeker["id_number"], "电工", 3, "2026-04-01")
    await certify(employment, seeker["id_number"], "焊工", 5, "2025-01-10")
    body = (await employment.client.get(f"/v1/job-seekers/{seeker['id_number']}")).json()
    assert body["skills"] == [
        {"occupation": "焊工", "level": 5, "certificate_number": body["skills"][0]["certificate_number"],
         "issued_date": "2025-01-10"},
        {"occupation": "电工", "level": 3, "certificate_number": number, "issued_date": "2026-04-01"},
    ]
    listed = {s["id_number"]: s["skills"] for s in (await employment.client.get("/v1/job-seekers")).json()["data"]}
    assert [s["occupation"] for s in listed[seeker["id_number"]]] == ["焊工", "电工"]
    assert listed[other["id_number"]] == []
    patched = await patch(employment, seeker["id_number"], {"phone": "13957011111"})
    assert len(patched.json()["skills"]) == 2


# ---- list filters --------------------------------------------------------------------------


async def test_list_filters(employment: InProcessService) -> None:
    a = await register(employment, "330802", education="bachelor", graduation_year=2025, registered_date="2026-01-10",
                       occupation_wishes=["电工", "会计"])
    b = await register(employment, "330802", education="associate", graduation_year=2024,
                       registered_date="2026-03-05", occupation_wishes=["电工"])
    c = await register(employment, "330881", education="bachelor", graduation_year=2024, registered_date="2026-05-20",
                       occupation_wishes=["电工学徒"])

    async def ids(**params: Any) -> list[str]:
        r = await employment.client.get("/v1/job-seekers", params=params)
        assert r.status_code == 200, r.text
        return [s["id_number"] for s in r.json()["data"]]

    assert await ids(education="bachelor") == [c["id_number"], a["id_number"]]
    assert await ids(graduation_year=2024) == [c["id_number"], b["id_number"]]
    assert await ids(occupation_wish="电工") == [b["id_number"], a["id_number"]], "exact wish, not a substring"
    assert await ids(occupation_wish="会计", county_code="330802") == [a["id_number"]]
    assert await ids(from_date="2026-03-01", to_date="2026-05-20") == [c["id_number"], b["id_number"]]
    assert await ids(to_date="2026-01-10") == [a["id_number"]]
    assert await ids(sort="registered_date") == [a["id_number"], b["id_number"], c["id_number"]]
    assert (await ids(sort="-graduation_year"))[0] == a["id_number"]
    assert_problem(await employment.client.get("/v1/job-seekers", params={"education": "phd"}), 422, "education")
    assert_problem(await employment.client.get("/v1/job-seekers", params={"graduation_year": 3000}), 422,
                   "graduation_year")
