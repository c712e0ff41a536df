"""Seats and duplicates hold under concurrent requests, on SQLite and on PostgreSQL (where writers really run at
once): a capacity-n course takes exactly n of many simultaneous enrolments, and one person's copies make one."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

from tests import factories
from tests.support import InProcessService, on_each_database
from tests.training.helpers import TYPE, count, enrol, new_course, outbox
from training.config import TrainingSettings
from training.main import create_app

service = on_each_database(create_app, TrainingSettings, "training", today=date(2026, 3, 10))


async def test_simultaneous_enrolments_fill_exactly_the_capacity(service: InProcessService) -> None:
    course = await new_course(service, capacity=3)
    before = len(await outbox(service))
    answers = await asyncio.gather(*(
        service.client.post("/v1/enrolments", json={"course_id": course["id"], "id_number": factories.id_number(),
                                                    "name": "王明"})
        for _ in range(8)))
    assert Counter(r.status_code for r in answers) == {201: 3, 409: 5}
    assert await count(service, "enrolments") == 3
    assert [r["event_type"] for r in (await outbox(service))[before:]] == [TYPE("enrolment.enrolled")] * 3


async def test_simultaneous_copies_of_one_persons_enrolment_make_one(service: InProcessService) -> None:
    course = await new_course(service, capacity=10)
    person = factories.id_number()
    answers = await asyncio.gather(*(
        service.client.post("/v1/enrolments", json={"course_id": course["id"], "id_number": person, "name": "王明"})
        for _ in range(5)))
    assert Counter(r.status_code for r in answers) == {201: 1, 409: 4}
    assert await count(service, "enrolments") == 1


async def test_simultaneous_attendance_adds_up_and_never_passes_the_course_hours(service: InProcessService) -> None:
    course = await new_course(service, hours=100)
    e = await enrol(service, course["id"])
    answers = await asyncio.gather(*(
        service.client.post(f"/v1/enrolments/{e['id']}/attendance", json={"hours": 30}) for _ in range(4)))
    assert Counter(r.status_code for r in answers) == {200: 3, 422: 1}
    assert (await service.client.get(f"/v1/enrolments/{e['id']}")).json()["attended_hours"] == 90
