"""The training service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import InProcessService, alone
from training.config import TrainingSettings
from training.main import create_app


@pytest.fixture
async def training(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(TrainingSettings, tmp_path)) as svc:
        yield svc
