"""Every training list sorts by an allowed key (422 on another), filters by a from_date/to_date range on its main
date and documents both in OpenAPI; the service serves the AsyncAPI document of its events."""

from __future__ import annotations

from hrss_contracts import contracts_of
from tests.support import InProcessService
from tests.training.helpers import assert_problem, reason

LISTS = {
    "/v1/institutions": ("created_at", "name"),
    "/v1/courses": ("start_date", "end_date", "fee_per_trainee", "created_at"),
    "/v1/enrolments": ("enrolled_date", "created_at"),
}


async def test_unknown_sort_key_is_422_naming_sort_and_the_allowed_keys(training: InProcessService) -> None:
    for path, keys in LISTS.items():
        for sort in ("id", "-id_number", "start_date;drop", "--name", ""):
            body = assert_problem(await training.client.get(path, params={"sort": sort}), 422, "sort")
            assert all(key in reason(body, "sort") for key in keys), (path, sort)


async def test_allowed_sort_keys_answer_200(training: InProcessService) -> None:
    for path, keys in LISTS.items():
        for sort in (v for k in keys for v in (k, f"-{k}")):
            r = await training.client.get(path, params={"sort": sort})
            assert r.status_code == 200, (path, sort, r.text)
            assert r.json() == {"data": [], "count": 0, "limit": 50, "offset": 0}


async def test_bad_date_range_and_paging_are_422_naming_the_field(training: InProcessService) -> None:
    for path in LISTS:
        r = await training.client.get(path, params={"from_date": "2026-05-01", "to_date": "2026-04-30"})
        assert "2026-05-01" in reason(assert_problem(r, 422, "to_date"), "to_date")
        assert_problem(await training.client.get(path, params={"from_date": "2026-02-30"}), 422, "from_date")
        assert_problem(await training.client.get(path, params={"limit": 0}), 422, "limit")
        assert_problem(await training.client.get(path, params={"limit": 501}), 422, "limit")


async def test_openapi_documents_the_lists_and_the_chinese_terms(training: InProcessService) -> None:
    spec = (await training.client.get("/openapi.json")).json()
    for path, keys in LISTS.items():
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        assert {"from_date", "to_date", "sort", "limit", "offset"} <= set(params), path
        assert set(params["sort"]["schema"]["enum"]) == {v for k in keys for v in (k, f"-{k}")}, path
    summaries = {op["summary"] for ops in spec["paths"].values() for op in ops.values()}
    for term in ("培训机构登记", "培训资质认定", "培训课程发布", "培训报名", "培训考勤", "培训结业", "退出培训"):
        assert any(term in s for s in summaries), term


async def test_the_asyncapi_document_lists_every_training_event(training: InProcessService) -> None:
    doc = (await training.client.get("/asyncapi.json", headers={"Authorization": ""})).json()
    assert list(doc["channels"]) == ["hrss.training"]
    types = set(doc["components"]["messages"])
    assert types == {c.type for c in contracts_of("hrss.training")}
    assert {"hrss.training.certificate.issued.v1", "hrss.training.institution.registered.v1",
            "hrss.training.institution.updated.v1", "hrss.training.institution.accredited.v1",
            "hrss.training.course.published.v1", "hrss.training.enrolment.enrolled.v1",
            "hrss.training.enrolment.attendance_recorded.v1", "hrss.training.enrolment.completed.v1",
            "hrss.training.enrolment.withdrawn.v1", "hrss.training.voucher.issued.v1",
            "hrss.training.voucher.redeemed.v1", "hrss.training.voucher.expired.v1",
            "hrss.training.voucher.cancelled.v1", "hrss.training.certificate.corrected.v1",
            "hrss.training.certificate.cancelled.v1", "hrss.training.special_certificate.issued.v1",
            "hrss.training.special_certificate.cancelled.v1", "hrss.training.subsidy.granted.v1",
            "hrss.training.subsidy.refused.v1", "hrss.training.subsidy.revoked.v1",
            "hrss.training.master_studio.recognised.v1", "hrss.training.master_studio.revoked.v1",
            "hrss.training.training_base.recognised.v1", "hrss.training.training_base.revoked.v1",
            "hrss.training.enrolment.corrected.v1", "hrss.training.enrolment.cancelled.v1",
            "hrss.training.voucher.corrected.v1", "hrss.training.voucher.released.v1",
            "hrss.training.professional_title.granted.v1", "hrss.training.professional_title.corrected.v1",
            "hrss.training.professional_title.cancelled.v1", "hrss.training.talent_recognition.applied.v1",
            "hrss.training.talent_recognition.approved.v1", "hrss.training.talent_recognition.refused.v1",
            "hrss.training.talent_recognition.revoked.v1", "hrss.training.talent_recognition.superseded.v1",
            "hrss.training.talent_recognition.cancelled.v1", "hrss.training.talent_recognition.corrected.v1",
            "hrss.training.talent_benefit.granted.v1",
            "hrss.training.talent_benefit.paid.v1", "hrss.training.talent_benefit.stopped.v1"} == types
