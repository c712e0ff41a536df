"""The CloudEvents 1.0 envelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ValidationError

from hrss_shared.events import CloudEvent, new_event
from hrss_shared.logs import correlation_id


class Data(BaseModel):
    id_number: str
    start_date: str


def test_new_event_fills_the_cloudevents_attributes() -> None:
    data = Data(id_number="11010519491231002X", start_date="2026-03-01").model_dump()
    event = new_event(source="/hrss/employment", type="hrss.employment.employment.registered.v1",
                      subject="11010519491231002X", data=data)
    assert event.specversion == "1.0"
    assert uuid.UUID(event.id)
    assert event.time.tzinfo is not None
    assert event.datacontenttype == "application/json"
    assert event.data == {"id_number": "11010519491231002X", "start_date": "2026-03-01"}
    assert CloudEvent.from_json(event.to_json()) == event


def test_current_correlation_id_rides_along() -> None:
    token = correlation_id.set("corr-7")
    try:
        event = new_event(source="/hrss/x", type="hrss.x.thing.done.v1", subject="s", data=Data(id_number="1",
                                                                                              start_date="d").model_dump())
    finally:
        correlation_id.reset(token)
    assert event.correlationid == "corr-7"
    assert b'"correlationid":"corr-7"' in event.to_json()


@pytest.mark.parametrize("bad_type", [
    "employment.registered", "hrss.employment.employment.registered", "hrss.Employment.x.y.v1",
    "hrss.employment.employment.registered.V1",
])
def test_event_types_follow_the_naming_rule(bad_type: str) -> None:
    with pytest.raises(ValueError, match="does not follow"):
        new_event(source="/hrss/x", type=bad_type, subject="s", data={"id_number": "1"})


def test_time_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        CloudEvent(id="1", source="/hrss/x", type="hrss.x.y.z.v1", time=datetime(2026, 1, 1), subject="s", data={})
    assert CloudEvent(id="1", source="/hrss/x", type="hrss.x.y.z.v1", time=datetime(2026, 1, 1, tzinfo=UTC),
                      subject="s", data={}).time.tzinfo is not None


def test_only_specversion_1_0_is_accepted() -> None:
    raw = ('{"specversion":"0.3","id":"1","source":"/hrss/x","type":"hrss.x.y.z.v1",'
           '"time":"2026-01-01T00:00:00Z","subject":"s","data":{}}')
    with pytest.raises(ValidationError):
        CloudEvent.from_json(raw)


def test_from_json_validates_the_envelope_in_one_pass() -> None:
    event = new_event(source="/hrss/employment", type="hrss.employment.employment.registered.v1",
                      subject="11010519491231002X", data={"id_number": "11010519491231002X"})
    assert CloudEvent.from_json(event.to_json()) == event
    with pytest.raises(ValidationError):
        CloudEvent.from_json(event.to_json().replace(b'"specversion":"1.0"', b'"specversion":"0.3"'))
    with pytest.raises(ValueError):
        CloudEvent.from_json(b"{not json")


def test_within_parse_once_an_events_data_is_validated_once_per_contract() -> None:
    from hrss_contracts import employment as c
    from hrss_shared.events import ContractViolation, parse_once

    data = {"id_number": "11010519491231002X", "name": "王小明", "county_code": "330802",
            "registered_date": "2026-02-01"}
    assert c.JOB_SEEKER_REGISTERED.parse(data) is not c.JOB_SEEKER_REGISTERED.parse(data), "outside: each time"
    with parse_once():
        first = c.JOB_SEEKER_REGISTERED.parse(data)
        assert c.JOB_SEEKER_REGISTERED.parse(data) is first, "chained handlers share the first validation"
        assert c.JOB_SEEKER_REGISTERED.parse(dict(data)) is not first, "another event's data is validated"
        bad = {**data, "id_number": "110105194912310021"}
        for _ in range(2):  # a violation is never remembered: it raises every time
            with pytest.raises(ContractViolation):
                c.JOB_SEEKER_REGISTERED.parse(bad)
    assert c.JOB_SEEKER_REGISTERED.parse(data) is not first
