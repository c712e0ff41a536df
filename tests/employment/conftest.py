"""The employment service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app
from tests.support import InProcessService, alone, eventually


@pytest.fixture
async def employment(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(EmploymentSettings, tmp_path)) as svc:
        await startup_jobs_done(svc)
        yield svc


async def startup_jobs_done(svc: InProcessService) -> None:
    """The daily jobs run once at start-up for today's slot (the unemployment-registration closure among them);
    wait for them, so they cannot run in the middle of a test on its back-dated registrations."""
    scheduler = svc.runtime.scheduler
    assert scheduler is not None

    async def done() -> bool:
        return set(scheduler.jobs) <= set(scheduler.last_status)
    await eventually(done, timeout=30)
