"""The employment service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app
from tests.support import InProcessService, alone


@pytest.fixture
async def employment(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(EmploymentSettings, tmp_path)) as svc:
        yield svc
