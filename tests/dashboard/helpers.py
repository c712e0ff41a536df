"""Signing in over HTTP for the dashboard's tests (httpx keeps no Secure cookie over plain HTTP, so the
cookie is carried by hand)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import httpx

from gateway.dashboard import sessions

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
NO_AUTH = {"Authorization": ""}


def set_cookie(response: httpx.Response) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return jar


async def sign_in(client: httpx.AsyncClient, credential: str, **headers: str) -> httpx.Response:
    return await client.post("/dashboard/signin", content=httpx.QueryParams({"token": credential}).__str__(),
                             headers={**NO_AUTH, **FORM, **headers})


async def session_cookie(client: httpx.AsyncClient, credential: str) -> dict[str, str]:
    """Sign in and answer the ``Cookie`` header that carries the session."""
    r = await sign_in(client, credential)
    assert r.status_code == 303, r.text
    return {**NO_AUTH, "Cookie": f"{sessions.COOKIE}={set_cookie(r)[sessions.COOKIE].value}"}
