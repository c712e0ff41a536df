"""The employment service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app
from tests.support import InProcessService, service_settings


@pytest.fixture
async def employment(tmp_path: Path) -> AsyncIterator[InProcessService]:
    settings = service_settings(
        EmploymentSettings, db_url=f"sqlite+aiosqlite:///{tmp_path / 'employment.db'}", bootstrap="127.0.0.1:1",
        prefix="", data_dir=tmp_path, relay_enabled=False, consumers_enabled=False,
    )
    async with InProcessService(create_app, settings) as svc:
        yield svc
