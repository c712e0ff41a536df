"""The labour-relations service in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app
from tests.labour_relations.helpers import settled
from tests.support import InProcessService, alone


@pytest.fixture
async def labour(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, alone(LabourRelationsSettings, tmp_path)) as svc:
        await settled(svc)  # the scheduled jobs' first runs are over before the test moves the clock
        yield svc
