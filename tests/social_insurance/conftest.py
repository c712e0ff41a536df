"""The social-insurance service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app
from tests.support import InProcessService, alone


@pytest.fixture
async def si(tmp_path: Path) -> AsyncIterator[InProcessService]:
    """The service without its scheduler: tests run the jobs themselves (``run_job``) on the day they choose."""
    async with InProcessService(create_app, alone(SocialInsuranceSettings, tmp_path, scheduler_enabled=False)) as svc:
        yield svc


@pytest.fixture
async def scheduled(tmp_path: Path) -> AsyncIterator[InProcessService]:
    """The service with its scheduler (the jobs registered and run through it)."""
    async with InProcessService(create_app, alone(SocialInsuranceSettings, tmp_path)) as svc:
        yield svc
