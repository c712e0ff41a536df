"""Staff sessions 登录会话: a signed, expiring cookie made from a client credential, and the page's short-lived
API token.

The cookie is an HS256 JWT signed with a key derived from ``HRSS_AUTH_SECRET`` for this purpose only (so a
session cookie is never a bearer token, nor a bearer token a session), with its own issuer and audience. It
carries the client's id, name, scopes and county and expires after ``HRSS_DASHBOARD_SESSION_MINUTES`` or
with the credential it came from, whichever is first; a revoked client's session ends at its next request.

The API never reads the cookie: the page asks ``GET /dashboard/session`` for a token of a few minutes, with
``gateway:read`` only and the client's county, and sends it as ``Authorization: Bearer``. Browsers add no
such header by themselves, so no other site can make the page's API calls (no CSRF on the API's POST
endpoints), and a leaked page token is read-only and short-lived.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from hrss_shared.auth import Authenticator, Principal, issue_token
from hrss_shared.problems import Forbidden, Unauthorized

COOKIE = "hrss_dashboard"
COOKIE_PATH = "/dashboard"
ISSUER = "hrss-dashboard"
# What the dashboard reads; its page token carries this scope only.
READ_SCOPE = "gateway:read"


def derived_key(secret: str, purpose: bytes = b"hrss-dashboard-session-v1") -> str:
    """A signing key of its own for each purpose, derived from ``HRSS_AUTH_SECRET``."""
    return hmac.new(secret.encode(), purpose, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    principal: Principal
    expires: datetime


def credential_expiry(token: str) -> datetime | None:
    """The ``exp`` of a bearer token already verified by the :class:`Authenticator` (None: none, or the dev
    token)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    exp = claims.get("exp")
    return datetime.fromtimestamp(float(exp), UTC) if exp is not None else None


def sign_in(auth: Authenticator, credential: str, *, minutes: int) -> tuple[str, StaffSession]:
    """Check a client's bearer token as the API does and make a session cookie of it (401 for a bad or
    revoked token, 403 without ``gateway:read``)."""
    principal = auth.authenticate(f"Bearer {credential.strip()}")
    return open_session(auth, principal, minutes=minutes, ends=credential_expiry(credential))


def open_session(auth: Authenticator, principal: Principal, *, minutes: int,
                 ends: datetime | None) -> tuple[str, StaffSession]:
    """The session cookie of a signed-in principal, ending after ``minutes`` or at ``ends`` if sooner (403
    without ``gateway:read``)."""
    if not principal.has(READ_SCOPE):
        raise Forbidden(f"该客户端缺少权限范围 {READ_SCOPE} (client {principal.client_id} lacks scope {READ_SCOPE})")
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=minutes)
    if ends is not None and ends < expires:
        expires = ends
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": ISSUER, "sub": principal.client_id, "name": principal.name,
        "scopes": sorted(principal.scopes), "iat": int(now.timestamp()), "exp": int(expires.timestamp()),
    }
    if principal.county:
        claims["county"] = principal.county
    return jwt.encode(claims, derived_key(auth.secret), algorithm="HS256"), StaffSession(principal, expires)


def session_of(auth: Authenticator, cookie: str | None) -> StaffSession:
    """The staff session of a cookie (401 when missing, forged, expired or its client revoked)."""
    if not cookie:
        raise Unauthorized("请先登录 (not signed in)")
    try:
        claims = jwt.decode(cookie, derived_key(auth.secret), algorithms=["HS256"], issuer=ISSUER, audience=ISSUER,
                            options={"require": ["sub", "exp", "iss", "aud"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("登录已过期，请重新登录 (session expired)") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("登录状态无效，请重新登录 (invalid session)") from None
    principal = Principal(
        client_id=str(claims["sub"]), name=str(claims.get("name", claims["sub"])),
        scopes=frozenset(claims.get("scopes", [])), county=claims.get("county"),
    )
    if principal.client_id in auth.revoked:
        raise Unauthorized("访问凭证已吊销 (client revoked)")
    return StaffSession(principal, datetime.fromtimestamp(float(claims["exp"]), UTC))


def page_token(auth: Authenticator, session: StaffSession, *, seconds: int) -> tuple[str, int]:
    """A read-only bearer token for the page's API calls: ``gateway:read`` and the client's county, for
    ``seconds`` at most and never past the session."""
    left = int((session.expires - datetime.now(UTC)).total_seconds())
    ttl = max(1, min(seconds, left))
    token = issue_token(secret=auth.secret, client_id=session.principal.client_id, name=session.principal.name,
                        scopes=[READ_SCOPE], county=session.principal.county, ttl=timedelta(seconds=ttl))
    return token, ttl
