"""The employment service and the gateway in one loop, over the real Kafka and the chosen database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from tests.conftest import DbFactory
from tests.support import InProcessService, KafkaNode, service_settings


@dataclass
class Stack:
    employment: InProcessService
    gateway: InProcessService
    prefix: str
    bootstrap: str


@pytest.fixture
async def stack(make_db: DbFactory, kafka: KafkaNode, prefix: str, tmp_path: Path) -> AsyncIterator[Stack]:
    emp = InProcessService(create_employment, service_settings(
        EmploymentSettings, db_url=await make_db("employment"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    gw = InProcessService(create_gateway, service_settings(
        GatewaySettings, db_url=await make_db("gateway"), bootstrap=kafka.bootstrap, prefix=prefix,
        data_dir=tmp_path))
    async with emp, gw:
        yield Stack(employment=emp, gateway=gw, prefix=prefix, bootstrap=kafka.bootstrap)
