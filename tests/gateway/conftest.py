"""The gateway in-process on a SQLite file of the test's own, with no broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from tests.support import InProcessService, alone


def gateway_settings(tmp_path: Path, **extra: object) -> GatewaySettings:
    settings: GatewaySettings = alone(GatewaySettings, tmp_path, **extra)
    return settings


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_app, gateway_settings(tmp_path)) as svc:
        yield svc
