"""API clients: the admin API on the gateway and the ``hrss clients`` command."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import GatewaySettings
from gateway.main import create_app
from hrss_shared.problems import PROBLEM_JSON
from tests.gateway.conftest import gateway_settings
from tests.gateway.events import person_in_read_model
from tests.support import DEV_TOKEN, InProcessService, bearer

ENV = ("HRSS_DATA_DIR", "HRSS_AUTH_SECRET", "HRSS_DEV_TOKEN", "HRSS_GATEWAY_DATABASE_URL", "HRSS_ENVIRONMENT")


def status(r: Any, expected: int) -> dict[str, Any]:
    assert r.status_code == expected, r.text
    if expected >= 400:
        assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = r.json()
    return body


# ---- the clients API -----------------------------------------------------------------------


async def create_client(gateway: InProcessService, **body: Any) -> dict[str, Any]:
    return status(await gateway.client.post("/v1/clients", json={"name": "社保经办系统", **body}), 201)


async def test_created_client_token_has_exactly_the_granted_scopes(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    created = await create_client(gateway, scopes=["gateway:read"])
    assert created["scopes"] == ["gateway:read"]
    assert created["revoked_at"] is None
    headers = bearer(created["token"])
    view = status(await gateway.client.get(f"/v1/persons/{person}", headers=headers), 200)
    assert view["id_number"] != person, "without pii:read the ID number is masked"
    status(await gateway.client.get("/v1/audit", headers=headers), 403)
    status(await gateway.client.get("/v1/clients", headers=headers), 403)
    status(await gateway.client.post("/v1/clients", json={"name": "x", "scopes": ["admin"]}, headers=headers), 403)

    pii = await create_client(gateway, scopes=["gateway:read", "pii:read"])
    view = status(await gateway.client.get(f"/v1/persons/{person}", headers=bearer(pii["token"])), 200)
    assert view["id_number"] == person


async def test_county_client_is_limited_to_its_county(gateway: InProcessService) -> None:
    kecheng = await person_in_read_model(gateway, county="330802")
    qujiang = await person_in_read_model(gateway, county="330803")
    created = await create_client(gateway, scopes=["gateway:read"], county_code="330803")
    assert created["county_code"] == "330803"
    headers = bearer(created["token"])
    status(await gateway.client.get(f"/v1/persons/{qujiang}", headers=headers), 200)
    status(await gateway.client.get(f"/v1/persons/{kecheng}", headers=headers), 403)


async def test_only_admin_manages_clients(gateway: InProcessService) -> None:
    created = await create_client(gateway, scopes=["gateway:read", "pii:read", "employment:write"])
    headers = bearer(created["token"])
    status(await gateway.client.post("/v1/clients", json={"name": "x", "scopes": ["gateway:read"]},
                                     headers=headers), 403)
    status(await gateway.client.post(f"/v1/clients/{created['id']}/revoke", headers=headers), 403)
    status(await gateway.client.post("/v1/clients", json={"name": "x", "scopes": ["gateway:read"]},
                                     headers={"Authorization": ""}), 401)
    admin = await create_client(gateway, scopes=["admin"])
    listed = status(await gateway.client.get("/v1/clients", headers=bearer(admin["token"])), 200)
    assert {c["id"] for c in listed} == {created["id"], admin["id"]}
    assert all("token" not in c for c in listed)


async def test_unknown_scope_or_county_is_422(gateway: InProcessService) -> None:
    r = await gateway.client.post("/v1/clients", json={"name": "x", "scopes": ["gateway:read", "root"]})
    body = status(r, 422)
    assert body["errors"][0]["field"] == "scopes"
    assert "root" in body["errors"][0]["reason"]
    status(await gateway.client.post("/v1/clients", json={"name": "x", "scopes": []}), 422)
    r = await gateway.client.post("/v1/clients", json={"name": "x", "scopes": ["gateway:read"],
                                                       "county_code": "330800"})
    assert status(r, 422)["errors"][0]["field"] == "county_code"
    assert status(await gateway.client.get("/v1/clients"), 200) == []


async def test_revoked_client_gets_401(gateway: InProcessService) -> None:
    person = await person_in_read_model(gateway)
    created = await create_client(gateway, scopes=["gateway:read"])
    headers = bearer(created["token"])
    status(await gateway.client.get(f"/v1/persons/{person}", headers=headers), 200)
    revoked = status(await gateway.client.post(f"/v1/clients/{created['id']}/revoke"), 200)
    assert revoked["revoked_at"] is not None
    r = await gateway.client.get(f"/v1/persons/{person}", headers=headers)
    status(r, 401)
    assert "吊销" in r.json()["detail"]
    status(await gateway.client.post(f"/v1/clients/{created['id']}/revoke"), 409)
    status(await gateway.client.post("/v1/clients/c-nope/revoke"), 404)


async def test_revocation_survives_a_restart(tmp_path: Path) -> None:
    async with InProcessService(create_app, gateway_settings(tmp_path)) as first:
        created = await create_client(first, scopes=["gateway:read"])
        status(await first.client.post(f"/v1/clients/{created['id']}/revoke"), 200)
    async with InProcessService(create_app, gateway_settings(tmp_path)) as second:
        status(await second.client.get("/v1/clients", headers=bearer(created["token"])), 401)


# ---- hrss clients (CLI) --------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A clean environment; whatever the CLI puts into os.environ is undone afterwards."""
    for name in ENV:
        monkeypatch.setenv(name, "placeholder")  # recorded, so teardown restores the original state
        monkeypatch.delenv(name)
    yield


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``hrss ...`` as a process (it runs the gateway's own ``python -m gateway``) and capture its output."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hrss_cli.main", *argv, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "HRSS_LOG_JSON": "true"},
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def settings_for(data_dir: Path) -> GatewaySettings:
    """A gateway on the CLI's data folder, with the auth secret the CLI created there."""
    secret = (data_dir / "auth-secret").read_text().strip()
    return GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{(data_dir / 'gateway.db').resolve()}", data_dir=data_dir,
        auth_secret=secret, dev_token=DEV_TOKEN, environment="test", bootstrap_servers="127.0.0.1:1",
        relay_enabled=False, consumers_enabled=False,
    )


async def test_cli_create_prints_a_token_that_works_on_the_gateway(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "state"
    code, out, _ = await cli(capsys, "clients", "--data-dir", str(data), "create", "--name", "衢江区就业局",
                             "--scopes", "gateway:read,pii:read", "--county", "330803")
    assert code == 0
    created = json.loads(out)
    assert created["scopes"] == ["gateway:read", "pii:read"]
    assert created["county_code"] == "330803"
    assert (data / "auth-secret").exists()
    async with InProcessService(create_app, settings_for(data)) as gw:
        person = await person_in_read_model(gw, county="330803")
        other = await person_in_read_model(gw, county="330802")
        headers = {**bearer(created["token"]), "X-Purpose": "cli-test"}
        view = status(await gw.client.get(f"/v1/persons/{person}", headers=headers), 200)
        assert view["id_number"] == person
        status(await gw.client.get(f"/v1/persons/{other}", headers=headers), 403)
        status(await gw.client.get("/v1/clients", headers=headers), 403)
        listed = status(await gw.client.get("/v1/clients"), 200)
        assert [c["id"] for c in listed] == [created["id"]]


async def test_cli_reads_the_data_dir_from_the_environment(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRSS_DATA_DIR", str(tmp_path))
    code, out, _ = await cli(capsys, "clients", "create", "--name", "a", "--scopes", "gateway:read")
    assert code == 0
    token = json.loads(out)["token"]
    async with InProcessService(create_app, settings_for(tmp_path)) as gw:
        person = await person_in_read_model(gw)
        status(await gw.client.get(f"/v1/persons/{person}", headers=bearer(token)), 200)


async def test_cli_list_and_revoke(cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = str(tmp_path)
    _, out, _ = await cli(capsys, "clients", "--data-dir", d, "create", "--name", "a", "--scopes", "gateway:read")
    first = json.loads(out)
    _, out, _ = await cli(capsys, "clients", "--data-dir", d, "create", "--name", "b", "--scopes", "gateway:read")
    second = json.loads(out)
    code, out, _ = await cli(capsys, "clients", "--data-dir", d, "list")
    assert code == 0
    listed = [json.loads(line) for line in out.splitlines()]
    assert [c["id"] for c in listed] == [first["id"], second["id"]]
    assert all("token" not in c and c["revoked_at"] is None for c in listed)

    code, out, _ = await cli(capsys, "clients", "--data-dir", d, "revoke", first["id"])
    assert code == 0
    assert first["id"] in out
    code, _, err = await cli(capsys, "clients", "--data-dir", d, "revoke", first["id"])
    assert code == 1
    assert "吊销" in err
    code, _, err = await cli(capsys, "clients", "--data-dir", d, "revoke", "c-unknown")
    assert code == 1
    assert "c-unknown" in err
    _, out, _ = await cli(capsys, "clients", "--data-dir", d, "list")
    revoked = {c["id"]: c["revoked_at"] for c in map(json.loads, out.splitlines())}
    assert revoked[first["id"]] is not None
    assert revoked[second["id"]] is None

    async with InProcessService(create_app, settings_for(tmp_path)) as gw:
        person = await person_in_read_model(gw)
        status(await gw.client.get(f"/v1/persons/{person}", headers=bearer(first["token"])), 401)
        status(await gw.client.get(f"/v1/persons/{person}", headers=bearer(second["token"])), 200)


async def test_cli_revoke_reaches_a_running_gateway(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = str(tmp_path)
    _, out, _ = await cli(capsys, "clients", "--data-dir", d, "create", "--name", "a", "--scopes", "gateway:read")
    created = json.loads(out)
    settings = settings_for(tmp_path)
    settings.revocation_refresh_seconds = 0.1
    async with InProcessService(create_app, settings) as gw:
        person = await person_in_read_model(gw)
        headers = bearer(created["token"])
        status(await gw.client.get(f"/v1/persons/{person}", headers=headers), 200)
        assert (await cli(capsys, "clients", "--data-dir", d, "revoke", created["id"]))[0] == 0
        for _ in range(50):
            if (await gw.client.get(f"/v1/persons/{person}", headers=headers)).status_code == 401:
                break
            await asyncio.sleep(0.1)
        status(await gw.client.get(f"/v1/persons/{person}", headers=headers), 401)


async def test_cli_refuses_unknown_scopes(cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = await cli(capsys, "clients", "--data-dir", str(tmp_path), "create", "--name", "a",
                               "--scopes", "gateway:read,superuser")
    assert code == 2
    assert "superuser" in err
    assert out == ""
    _, out, _ = await cli(capsys, "clients", "--data-dir", str(tmp_path), "list")
    assert out == ""


async def test_cli_data_dir_option_wins_over_the_environment(
    cli_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir, flag_dir = tmp_path / "from-env", tmp_path / "from-flag"
    monkeypatch.setenv("HRSS_DATA_DIR", str(env_dir))
    code, out, _ = await cli(capsys, "clients", "--data-dir", str(flag_dir), "create", "--name", "a",
                             "--scopes", "gateway:read")
    assert code == 0
    created = json.loads(out)
    # The client, its database and the secret that signed its token all belong to --data-dir.
    async with InProcessService(create_app, settings_for(flag_dir)) as gw:
        listed = status(await gw.client.get("/v1/clients"), 200)
        assert [c["id"] for c in listed] == [created["id"]]
    assert not (env_dir / "gateway.db").exists()
