"""OpenID Connect sign-in 统一身份认证登录 against a local test provider: the code flow with PKCE, state and
nonce; the ID token checked (signature by the provider's published key, issuer, audience, expiry, nonce);
scopes and county from its claims; every tampering refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.dashboard import oidc, sessions
from tests.dashboard.helpers import NO_AUTH, set_cookie
from tests.dashboard.idp import CLIENT_ID, CLIENT_SECRET, LocalProvider
from tests.support import InProcessService

HTML = {**NO_AUTH, "Accept": "text/html"}
STAFF = {"sub": "u-1001", "name": "张三", "hrss_scopes": "gateway:read unknown:scope", "hrss_county": "330822"}


async def run_flow(gateway: InProcessService, idp: LocalProvider) -> httpx.Response:
    """Start at /dashboard/oidc/login, let the provider sign ``idp.next_user`` in, answer the callback's answer."""
    start = await gateway.client.get("/dashboard/oidc/login", headers=HTML)
    assert start.status_code == 303, start.text
    flow = set_cookie(start)[oidc.FLOW_COOKIE]
    assert flow["httponly"] and flow["secure"] and flow["samesite"] == "lax" and flow["path"] == "/dashboard/oidc"
    async with httpx.AsyncClient() as browser:
        at_provider = await browser.get(start.headers["location"])
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["location"])
    assert back.path == "/dashboard/oidc/callback"
    return await gateway.client.get(f"{back.path}?{back.query}",
                                    headers={**HTML, "Cookie": f"{oidc.FLOW_COOKIE}={flow.value}"})


async def test_the_provider_is_asked_for_a_code_with_pkce_state_and_nonce(
        gateway: InProcessService, idp: LocalProvider) -> None:
    page = await gateway.client.get("/dashboard/signin", headers=NO_AUTH)
    assert 'id="signin-oidc"' in page.text and '<p class="sso" >' in page.text
    start = await gateway.client.get("/dashboard/oidc/login", headers=HTML)
    location = urlsplit(start.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == idp.issuer + "/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code" and query["scope"] == "openid profile"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == "http://gateway/dashboard/oidc/callback"
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]


async def test_a_staff_member_signs_in_with_the_providers_claims(gateway: InProcessService,
                                                               idp: LocalProvider) -> None:
    idp.next_user = STAFF
    r = await run_flow(gateway, idp)
    assert r.status_code == 200 and 'http-equiv="refresh" content="0;url=/dashboard"' in r.text
    morsel = set_cookie(r)[sessions.COOKIE]
    assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "strict"
    assert set_cookie(r)[oidc.FLOW_COOKIE]["max-age"] == "0"  # the flow is over
    token_request = idp.token_requests[-1]
    assert token_request["client_secret"] == CLIENT_SECRET and token_request["code_verifier"]
    me = (await gateway.client.get("/dashboard/session",
                                   headers={**NO_AUTH, "Cookie": f"{sessions.COOKIE}={morsel.value}"})).json()
    assert me["client_id"] == "oidc:u-1001" and me["name"] == "张三"
    assert me["county_code"] == "330822" and me["county_name"] == "常山县"


@pytest.mark.parametrize("tamper", ["nonce", "audience", "issuer", "key", "expired", "deny", "state"])
async def test_every_tampering_is_refused(gateway: InProcessService, idp: LocalProvider, tamper: str) -> None:
    idp.next_user, idp.tamper = STAFF, tamper
    r = await run_flow(gateway, idp)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=oidc"
    assert sessions.COOKIE not in set_cookie(r)


@pytest.mark.parametrize("claims", [
    {"sub": "u-2", "hrss_scopes": ["employment:read"]},  # no gateway:read
    {"sub": "u-3", "hrss_scopes": ["gateway:read"], "hrss_county": "330100"},  # not a Quzhou county
    {"sub": "u-4"},  # no scopes at all
])
async def test_claims_without_the_right_scope_or_county_are_refused(
        gateway: InProcessService, idp: LocalProvider, claims: dict[str, object]) -> None:
    idp.next_user = claims
    r = await run_flow(gateway, idp)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=oidc_forbidden"
    assert sessions.COOKIE not in set_cookie(r)


async def test_a_callback_without_its_flow_or_with_a_used_code_is_refused(gateway: InProcessService,
                                                                          idp: LocalProvider) -> None:
    idp.next_user = STAFF
    r = await gateway.client.get("/dashboard/oidc/callback?code=x&state=y", headers=HTML)
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=oidc"
    r = await gateway.client.get("/dashboard/oidc/callback?code=x&state=y", headers=NO_AUTH)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    start = await gateway.client.get("/dashboard/oidc/login", headers=HTML)
    cookie = {**HTML, "Cookie": f"{oidc.FLOW_COOKIE}={set_cookie(start)[oidc.FLOW_COOKIE].value}"}
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(start.headers["location"])).headers["location"])
    first = await gateway.client.get(f"{back.path}?{back.query}", headers=cookie)
    assert first.status_code == 200
    again = await gateway.client.get(f"{back.path}?{back.query}", headers=cookie)
    assert again.status_code == 303 and again.headers["location"] == "/dashboard/signin?error=oidc"


async def test_without_configuration_there_is_no_oidc_sign_in(gateway: InProcessService) -> None:
    page = await gateway.client.get("/dashboard/signin", headers=NO_AUTH)
    assert '<p class="sso" hidden>' in page.text
    r = await gateway.client.get("/dashboard/oidc/login", headers=HTML)
    assert r.status_code == 404
