"""Staff sign-in 登录: a signed, HttpOnly, Secure, SameSite=Strict session cookie from a client credential
checked as the API checks it; sign-out; the page's short-lived read-only token; the API never reads the
cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from gateway.dashboard import sessions
from hrss_shared.auth import issue_token
from tests.dashboard.conftest import city_token, county_token
from tests.dashboard.helpers import FORM, NO_AUTH, session_cookie, set_cookie, sign_in
from tests.support import DEV_TOKEN, SECRET, InProcessService, bearer, token


async def test_without_a_session_a_browser_goes_to_sign_in_and_an_api_caller_gets_401(
        gateway: InProcessService) -> None:
    r = await gateway.client.get("/dashboard", headers={**NO_AUTH, "Accept": "text/html"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin"
    r = await gateway.client.get("/dashboard", headers=NO_AUTH)
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    for path in ("/dashboard/session", "/dashboard/export/alerts.csv"):
        r = await gateway.client.get(path, headers=NO_AUTH)
        assert r.status_code == 401, path
    # A bearer token is no session: the dashboard's routes read the cookie only.
    r = await gateway.client.get("/dashboard/session", headers=bearer(DEV_TOKEN))
    assert r.status_code == 401


async def test_the_sign_in_page_is_public_and_in_chinese(gateway: InProcessService) -> None:
    r = await gateway.client.get("/dashboard/signin", headers=NO_AUTH)
    assert r.status_code == 200 and "工作人员登录" in r.text and 'name="token"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'id="signin-error" class="error" role="alert" hidden' in r.text
    r = await gateway.client.get("/dashboard/signin?error=invalid", headers=NO_AUTH)
    assert '<p id="signin-error" class="error" role="alert" >访问凭证无效' in r.text
    r = await gateway.client.get("/dashboard/signin?error=<script>", headers=NO_AUTH)
    assert "<script>" not in r.text


async def test_sign_in_sets_a_signed_secure_http_only_strict_cookie_with_expiry(gateway: InProcessService) -> None:
    r = await sign_in(gateway.client, city_token())
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    morsel = set_cookie(r)[sessions.COOKIE]
    assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "strict"
    assert morsel["path"] == "/dashboard"
    assert 0 < int(morsel["max-age"]) <= 480 * 60 and morsel["expires"]
    r = await gateway.client.get("/dashboard", headers={"Cookie": f"{sessions.COOKIE}={morsel.value}", **NO_AUTH})
    assert r.status_code == 200 and "监管驾驶舱" in r.text
    assert r.headers["cache-control"] == "no-store" and r.headers["x-frame-options"] == "DENY"


async def test_a_session_never_outlives_its_credential(gateway: InProcessService) -> None:
    short = issue_token(secret=SECRET, client_id="staff-short", name="短期", scopes=["gateway:read"],
                        ttl=timedelta(minutes=10))
    morsel = set_cookie(await sign_in(gateway.client, short))[sessions.COOKIE]
    assert 9 * 60 <= int(morsel["max-age"]) <= 10 * 60


async def test_bad_credentials_are_refused(gateway: InProcessService) -> None:
    cases = {
        "": "missing",
        "not-a-token": "invalid",
        token("gateway:read", expired=True): "invalid",
        issue_token(secret="another-secret-that-is-long-enough-for-hs256", client_id="x", name="x",
                    scopes=["gateway:read"]): "invalid",
        token("employment:read"): "forbidden",  # a credential without gateway:read
    }
    for credential, code in cases.items():
        r = await sign_in(gateway.client, credential)
        assert r.status_code == 303 and r.headers["location"] == f"/dashboard/signin?error={code}", credential
        assert sessions.COOKIE not in set_cookie(r) or set_cookie(r)[sessions.COOKIE].value == ""
    r = await gateway.client.post("/dashboard/signin", content="token=not-a-token",
                                  headers={**NO_AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = await gateway.client.post("/dashboard/signin", content="token=" + token("employment:read"),
                                  headers={**NO_AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403


async def test_the_dev_token_signs_in_as_the_development_admin(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, DEV_TOKEN)
    me = (await gateway.client.get("/dashboard/session", headers=cookie)).json()
    assert me["client_id"] == "dev-admin" and me["county_code"] is None and me["county_name"] == "全市"


async def test_sign_in_from_another_site_is_refused(gateway: InProcessService) -> None:
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        r = await sign_in(gateway.client, city_token(), **headers)
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=origin", headers
        assert sessions.COOKIE not in set_cookie(r)
    r = await sign_in(gateway.client, city_token(), Origin="http://gateway", **{"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"


async def test_forged_expired_and_revoked_sessions_end(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    value = cookie["Cookie"].split("=", 1)[1]
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    now = datetime.now(UTC)
    expired = jwt.encode({"iss": sessions.ISSUER, "aud": sessions.ISSUER, "sub": "staff-city",
                          "scopes": ["gateway:read"], "iat": int(now.timestamp()) - 100,
                          "exp": int(now.timestamp()) - 10},
                         sessions.derived_key(SECRET), algorithm="HS256")
    # A bearer token is not a session either (other key, no audience).
    for bad in (forged, expired, city_token()):
        headers = {**NO_AUTH, "Cookie": f"{sessions.COOKIE}={bad}", "Accept": "text/html"}
        r = await gateway.client.get("/dashboard", headers=headers)
        assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=expired"
        assert set_cookie(r)[sessions.COOKIE]["max-age"] == "0"  # the bad cookie is cleared
    assert (await gateway.client.get("/dashboard", headers=cookie)).status_code == 200
    gateway.runtime.auth.revoked.add("staff-city")
    assert (await gateway.client.get("/dashboard", headers=cookie)).status_code == 401
    assert (await gateway.client.get("/dashboard/session", headers=cookie)).status_code == 401


async def test_the_page_token_is_read_only_short_lived_and_keeps_the_county(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, county_token("330803"))
    r = await gateway.client.get("/dashboard/session", headers=cookie)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    me = r.json()
    assert me["county_code"] == "330803" and me["county_name"] == "衢江区" and me["expires_in"] == 300
    claims = jwt.decode(me["token"], SECRET, algorithms=["HS256"], issuer="hrss")
    assert claims["scopes"] == ["gateway:read"] and claims["county"] == "330803"
    assert claims["exp"] - claims["iat"] == 300
    alerts = await gateway.client.get("/v1/alerts", headers=bearer(me["token"]))
    assert alerts.status_code == 200 and {a["county_code"] for a in alerts.json()["data"]} == {"330803"}
    other = await gateway.client.get("/v1/alerts?county_code=330802", headers=bearer(me["token"]))
    assert other.status_code == 403


async def test_an_admin_session_gets_a_gateway_read_token_only(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, token("admin", "pii:read", client_id="staff-admin"))
    claims = jwt.decode((await gateway.client.get("/dashboard/session", headers=cookie)).json()["token"], SECRET,
                        algorithms=["HS256"], issuer="hrss")
    assert claims["scopes"] == ["gateway:read"] and "county" not in claims


async def test_the_api_never_reads_the_session_cookie(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    r = await gateway.client.get("/v1/alerts", headers=cookie)
    assert r.status_code == 401
    r = await gateway.client.get("/v1/alerts", headers=bearer(cookie["Cookie"].split("=", 1)[1]))
    assert r.status_code == 401


async def test_sign_out_clears_the_cookie_and_is_refused_from_another_site(gateway: InProcessService) -> None:
    cookie = await session_cookie(gateway.client, city_token())
    r = await gateway.client.post("/dashboard/signout", headers={**cookie, **FORM, "Origin": "https://evil.example"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin?error=origin"
    assert sessions.COOKIE not in set_cookie(r)
    r = await gateway.client.post("/dashboard/signout", headers={**cookie, **FORM, "Origin": "http://gateway"})
    assert r.status_code == 303 and r.headers["location"] == "/dashboard/signin"
    assert set_cookie(r)[sessions.COOKIE]["max-age"] == "0"
    r = await gateway.client.post("/dashboard/signout", headers=NO_AUTH)
    assert r.status_code == 401
