"""The gateway with the dashboard, on a SQLite file of the test's own and no broker; the JSON endpoints the
page reads are the test stand-ins of tests/dashboard/fixtures.py (the documented shapes). Browser tests run
it with uvicorn on a free port and drive Debian's chromium with Playwright (``executable_path``; Playwright's
own browser download is never used)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, async_playwright

from gateway import dashboard
from gateway.config import GatewaySettings
from gateway.dashboard.config import dashboard_settings
from gateway.db import infra
from gateway.main import MIGRATIONS
from hrss_cli.stack import free_ports
from hrss_shared.app import create_service_app
from tests.dashboard import fixtures
from tests.dashboard.idp import CLIENT_ID, CLIENT_SECRET, LocalProvider
from tests.support import InProcessService, alone, token


def create_test_app(settings: GatewaySettings) -> FastAPI:
    """gateway.main.create_app's arguments, with the stand-in endpoints and the dashboard as the routers."""
    app = create_service_app(
        settings=settings, title="衢州市人社 一卡通 网关 Gateway (dashboard tests)", description="test app",
        infra=infra, migrations_dir=MIGRATIONS, routers=[fixtures.router(), dashboard.router],
    )
    app.mount(dashboard.STATIC_PATH, dashboard.static_files(), name="dashboard-static")
    created: FastAPI = app
    return created


def settings_of(tmp_path: Path) -> GatewaySettings:
    settings: GatewaySettings = alone(GatewaySettings, tmp_path, scheduler_enabled=False)
    return settings


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[InProcessService]:
    async with InProcessService(create_test_app, settings_of(tmp_path)) as svc:
        yield svc


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    """``app`` served by uvicorn on a free port of 127.0.0.1 in the test's loop; its base URL."""
    port = free_ports(1)[0]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[str, FastAPI]]:
    """The test app served by uvicorn: (base URL, app)."""
    app = create_test_app(settings_of(tmp_path))
    async with serving(app) as base:
        yield base, app


@pytest.fixture
async def idp(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LocalProvider]:
    """A test OpenID Connect provider on a port of its own, and the dashboard configured to use it."""
    provider = LocalProvider()
    async with serving(provider.app()) as base:
        provider.issuer = base
        monkeypatch.setenv("HRSS_DASHBOARD_OIDC_ISSUER", base)
        monkeypatch.setenv("HRSS_DASHBOARD_OIDC_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv("HRSS_DASHBOARD_OIDC_CLIENT_SECRET", CLIENT_SECRET)
        dashboard_settings.cache_clear()
        try:
            yield provider
        finally:
            dashboard_settings.cache_clear()


def chromium_path() -> str:
    """Debian's chromium (deploy/chromium/install.sh installs it; ``hrss test`` runs that script)."""
    path = shutil.which("chromium")
    assert path, "chromium is not installed: run deploy/chromium/install.sh"
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True,
            # As root (CI) chromium refuses its sandbox; /dev/shm may be small in containers.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        try:
            yield chromium
        finally:
            await chromium.close()


def city_token(**extra: Any) -> str:
    return token("gateway:read", client_id="staff-city", **extra)


def county_token(county: str = "330803") -> str:
    return token("gateway:read", county=county, client_id=f"staff-{county}")
