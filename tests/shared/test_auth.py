"""Client credentials, scopes and county limits (hrss_shared.auth); masking is in test_privacy.py."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from hrss_shared.app import require
from hrss_shared.auth import (
    ADMIN,
    ALL_SCOPES,
    DEV_CLIENT_ID,
    PII_READ,
    Authenticator,
    Principal,
    issue_token,
    validate_scopes,
)
from hrss_shared.problems import PROBLEM_JSON, Forbidden, Unauthorized, install_problem_handlers

SECRET = "unit-test-secret-of-at-least-32-bytes"
OTHER = "another-secret-of-at-least-32-bytes!"
DEV = "unit-dev-token"


def tok(*scopes: str, secret: str = SECRET, county: str | None = None, ttl: timedelta | None = None,
        client_id: str = "c-test") -> str:
    return issue_token(secret=secret, client_id=client_id, name="测试", scopes=scopes, county=county, ttl=ttl)


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ---- principals, scopes and counties -------------------------------------------------------


def test_admin_holds_every_scope_and_sees_pii() -> None:
    admin = Principal("a", "admin", frozenset({ADMIN}))
    assert all(admin.has(s) for s in ALL_SCOPES)
    assert admin.sees_pii


def test_scopes_are_exact() -> None:
    reader = Principal("r", "reader", frozenset({"employment:read"}))
    assert reader.has("employment:read")
    assert not reader.has("employment:write")
    assert not reader.has("training:read")
    assert not reader.sees_pii
    with pytest.raises(Forbidden) as info:
        reader.require("employment:write")
    assert "employment:write" in info.value.detail
    assert Principal("p", "p", frozenset({PII_READ})).sees_pii


def test_county_client_is_limited_to_its_county() -> None:
    county = Principal("k", "衢江区", frozenset({"employment:read"}), county="330803")
    county.check_county("330803")
    for other in ("330802", None):
        with pytest.raises(Forbidden) as info:
            county.check_county(other)
        assert "330803" in info.value.detail
    city = Principal("c", "市局", frozenset({"employment:read"}))
    city.check_county("330802")
    city.check_county(None)


def test_unknown_scopes_are_refused_when_issuing() -> None:
    assert validate_scopes([" employment:read ", "pii:read", ""]) == {"employment:read", "pii:read"}
    with pytest.raises(ValueError, match="employment:delete"):
        validate_scopes(["employment:read", "employment:delete"])
    with pytest.raises(ValueError):
        tok("superuser")


# ---- tokens --------------------------------------------------------------------------------


def test_token_round_trip_carries_client_scopes_and_county() -> None:
    principal = Authenticator(SECRET).authenticate(
        f"Bearer {tok('employment:read', 'pii:read', county='330803', client_id='c-1')}"
    )
    assert principal == Principal("c-1", "测试", frozenset({"employment:read", "pii:read"}), county="330803")


def test_scheme_is_case_insensitive() -> None:
    assert Authenticator(SECRET).authenticate(f"bearer {tok('gateway:read')}").has("gateway:read")


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_missing_or_malformed_header_is_unauthorized(header: str | None) -> None:
    with pytest.raises(Unauthorized):
        Authenticator(SECRET).authenticate(header)


def test_expired_token_is_unauthorized() -> None:
    with pytest.raises(Unauthorized, match="过期"):
        Authenticator(SECRET).authenticate(f"Bearer {tok('gateway:read', ttl=timedelta(seconds=-5))}")


def test_token_signed_with_another_secret_is_unauthorized() -> None:
    with pytest.raises(Unauthorized, match="无效"):
        Authenticator(SECRET).authenticate(f"Bearer {tok('gateway:read', secret=OTHER)}")


def test_tampered_claims_are_unauthorized() -> None:
    header, _, signature = tok("gateway:read").split(".")
    forged_claims = jwt.encode({"iss": "hrss", "sub": "c-test", "scopes": [ADMIN]}, OTHER, algorithm="HS256")
    forged = f"{header}.{forged_claims.split('.')[1]}.{signature}"
    with pytest.raises(Unauthorized):
        Authenticator(SECRET).authenticate(f"Bearer {forged}")


def test_unsigned_token_is_unauthorized() -> None:
    unsigned = jwt.encode({"iss": "hrss", "sub": "c-test", "scopes": [ADMIN]}, key=None, algorithm="none")
    with pytest.raises(Unauthorized):
        Authenticator(SECRET).authenticate(f"Bearer {unsigned}")


def test_token_of_another_issuer_or_without_subject_is_unauthorized() -> None:
    now = int(datetime.now(UTC).timestamp())
    other_issuer = jwt.encode({"iss": "elsewhere", "sub": "c", "iat": now, "scopes": [ADMIN]}, SECRET)
    no_subject = jwt.encode({"iss": "hrss", "iat": now, "scopes": [ADMIN]}, SECRET)
    for token in (other_issuer, no_subject):
        with pytest.raises(Unauthorized):
            Authenticator(SECRET).authenticate(f"Bearer {token}")


def test_revoked_client_is_unauthorized() -> None:
    auth = Authenticator(SECRET)
    token = tok("gateway:read", client_id="c-gone")
    assert auth.authenticate(f"Bearer {token}").client_id == "c-gone"
    auth.revoked.add("c-gone")
    with pytest.raises(Unauthorized, match="吊销"):
        auth.authenticate(f"Bearer {token}")


def test_a_verified_token_is_remembered_but_revocation_and_expiry_still_apply() -> None:
    auth = Authenticator(SECRET)
    token = tok("gateway:read", client_id="c-cached", ttl=timedelta(seconds=2))
    first = auth.authenticate(f"Bearer {token}")
    assert auth.authenticate(f"Bearer {token}") is first
    auth.revoked.add("c-cached")
    with pytest.raises(Unauthorized, match="吊销"):
        auth.authenticate(f"Bearer {token}")
    auth.revoked.clear()
    time.sleep(2.1)
    with pytest.raises(Unauthorized, match="过期"):
        auth.authenticate(f"Bearer {token}")


def test_dev_token_is_the_admin_only_when_configured() -> None:
    principal = Authenticator(SECRET, dev_token=DEV).authenticate(f"Bearer {DEV}")
    assert principal.client_id == DEV_CLIENT_ID
    assert principal.has(ADMIN)
    with pytest.raises(Unauthorized):
        Authenticator(SECRET).authenticate(f"Bearer {DEV}")


# ---- over HTTP: status codes, WWW-Authenticate and problem+json ----------------------------


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.runtime = SimpleNamespace(auth=Authenticator(SECRET, dev_token=DEV))

    @app.get("/things")
    async def things(principal: Annotated[Principal, Depends(require("employment:read"))]) -> dict[str, Any]:
        return {"client": principal.client_id}

    @app.post("/things")
    async def add_thing(principal: Annotated[Principal, Depends(require("employment:write"))]) -> dict[str, Any]:
        return {"client": principal.client_id}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert r.headers["www-authenticate"].lower().startswith("bearer")
    assert r.json()["status"] == 401


async def test_missing_credential_is_401_with_www_authenticate(client: httpx.AsyncClient) -> None:
    r = await client.get("/things")
    assert_401(r)
    assert r.json()["instance"] == "/things"


async def test_expired_and_forged_tokens_are_401(client: httpx.AsyncClient) -> None:
    assert_401(await client.get("/things", headers=auth_header(tok("employment:read", ttl=timedelta(seconds=-1)))))
    assert_401(await client.get("/things", headers=auth_header(tok("employment:read", secret=OTHER))))
    assert_401(await client.get("/things", headers=auth_header("not-a-jwt")))


async def test_missing_scope_is_403_not_401(client: httpx.AsyncClient) -> None:
    reader = auth_header(tok("employment:read"))
    assert (await client.get("/things", headers=reader)).status_code == 200
    r = await client.post("/things", headers=reader)
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert "www-authenticate" not in r.headers
    assert "employment:write" in r.json()["detail"]
    other_domain = auth_header(tok("training:read", "training:write", "pii:read"))
    assert (await client.get("/things", headers=other_domain)).status_code == 403


async def test_admin_and_dev_token_pass_every_scope(client: httpx.AsyncClient) -> None:
    assert (await client.post("/things", headers=auth_header(tok(ADMIN)))).json() == {"client": "c-test"}
    assert (await client.post("/things", headers=auth_header(DEV))).json() == {"client": DEV_CLIENT_ID}
