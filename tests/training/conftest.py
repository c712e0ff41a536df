"""The training service in-process with no broker: on a SQLite file of the test's own (``training``), or on each
database with the clock on 2026-04-30 (``service``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from tests.support import InProcessService, alone, on_each_database
from training.config import TrainingSettings
from training.main import create_app


@pytest.fixture
async def training(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(TrainingSettings, tmp_path)) as svc:
        yield svc


service = on_each_database(create_app, TrainingSettings, "training", today=date(2026, 4, 30))
