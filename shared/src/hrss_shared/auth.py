"""Client credentials (signed bearer tokens with scopes and an optional county), masking and audit.

Tokens are HS256 JWTs signed with ``HRSS_AUTH_SECRET`` and carry ``sub`` (client id), ``name``,
``scopes`` and ``county``; every service verifies them without a shared table. In development
the stack's dev token (``HRSS_DEV_TOKEN``) also stands for the built-in admin client.

A revoked client is refused by every service: the gateway publishes its revocation
(:data:`REVOKED_EVENT_TYPE`) and each service's :class:`hrss_shared.revocations.RevocationFollower` adds it
to :attr:`Authenticator.revoked`. The :attr:`Authenticator.limiter` (:mod:`hrss_shared.ratelimit`) counts each
client's requests.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt

from hrss_shared.problems import Forbidden, Unauthorized
from hrss_shared.registry import SCOPE_DOMAINS

if TYPE_CHECKING:
    from hrss_shared.ratelimit import RateLimiter

ADMIN = "admin"
PII_READ = "pii:read"
SUPERVISE = "gateway:supervise"  # 政策监管: bureau staff acknowledge and resolve the gateway's alerts
METRICS_READ = "metrics:read"  # 运行指标: Prometheus scrapes /metrics (hrss_shared.metrics)
ALL_SCOPES = frozenset([ADMIN, PII_READ, SUPERVISE, METRICS_READ,
                        *(f"{d}:{a}" for d in SCOPE_DOMAINS for a in ("read", "write"))])
ISSUER = "hrss"
DEV_CLIENT_ID = "dev-admin"
# Verified tokens are remembered (signature and claims checked once); revocation is checked on every use.
TOKEN_CACHE_SIZE = 4096
# The event of the gateway's topic that revokes a client (the contract hrss_contracts.gateway.CLIENT_REVOKED);
# named here so that every service's revocation follower reads it without importing the contracts.
REVOKED_EVENT_TYPE = "hrss.gateway.client.revoked.v1"


@dataclass(frozen=True)
class Principal:
    """The authenticated API client."""

    client_id: str
    name: str
    scopes: frozenset[str]
    county: str | None = None

    def has(self, scope: str) -> bool:
        return ADMIN in self.scopes or scope in self.scopes

    @property
    def sees_pii(self) -> bool:
        return self.has(PII_READ)

    def require(self, scope: str) -> None:
        if not self.has(scope):
            raise Forbidden(f"客户端缺少权限范围 {scope} (client {self.client_id} lacks scope {scope})")

    def county_problem(self, county_code: str | None) -> str | None:
        """Why this client may not see or change a record of ``county_code`` (a county bureau's client is limited to
        its own county), or None."""
        if self.county is None or county_code == self.county:
            return None
        return f"该客户端仅限 {self.county} 县（市、区）数据 (client is limited to county {self.county})"

    def check_county(self, county_code: str | None) -> None:
        """County bureaus' clients see and change only their own county's records (a 403 otherwise)."""
        if (problem := self.county_problem(county_code)) is not None:
            raise Forbidden(problem)


def validate_scopes(scopes: Iterable[str]) -> frozenset[str]:
    result = frozenset(s.strip() for s in scopes if s.strip())
    unknown = sorted(result - ALL_SCOPES)
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}; known: {', '.join(sorted(ALL_SCOPES))}")
    return result


def issue_token(
    *, secret: str, client_id: str, name: str, scopes: Iterable[str], county: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    """Sign a bearer token for a client."""
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": client_id,
        "name": name,
        "scopes": sorted(validate_scopes(scopes)),
        "iat": int(now.timestamp()),
        "jti": secrets.token_hex(8),
    }
    if county:
        claims["county"] = county
    if ttl:
        claims["exp"] = int((now + ttl).timestamp())
    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass
class Authenticator:
    """Turns an ``Authorization: Bearer`` header into a :class:`Principal`."""

    secret: str
    dev_token: str | None = None
    # Revoked client ids: kept current in place (by the revocation follower, and the gateway from its database).
    revoked: set[str] = field(default_factory=set)
    # Per-client request counts, checked by hrss_shared.app.authorize once the client is known (None: no limit).
    limiter: RateLimiter | None = None
    _verified: dict[str, tuple[Principal, float | None]] = field(default_factory=dict, repr=False)

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("缺少访问凭证 (missing Authorization: Bearer <token>)")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("访问凭证格式错误 (expected Authorization: Bearer <token>)")
        if self.dev_token and hmac.compare_digest(token, self.dev_token):
            return Principal(DEV_CLIENT_ID, "开发管理员 development admin", frozenset({ADMIN}))
        cached = self._verified.get(token)
        if cached is not None and (cached[1] is None or cached[1] > time.time()):  # as jwt checks exp: real time
            principal = cached[0]
        else:
            principal, expires = self._verify(token)
            if len(self._verified) >= TOKEN_CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (principal, expires)
        if principal.client_id in self.revoked:
            raise Unauthorized("访问凭证已吊销 (client revoked)")
        return principal

    def _verify(self, token: str) -> tuple[Principal, float | None]:
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], issuer=ISSUER,
                                options={"require": ["sub", "iss"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("访问凭证已过期 (token expired)") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"访问凭证无效 (invalid token: {exc})") from None
        principal = Principal(
            client_id=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            scopes=frozenset(claims.get("scopes", [])),
            county=claims.get("county"),
        )
        expires = claims.get("exp")
        return principal, float(expires) if expires is not None else None


def county_filter(principal: Principal, requested: str | None) -> str | None:
    """The county a list is filtered to: a county client lists only its own county (asking for another is a
    403); another client what it asked for (None: every county)."""
    if principal.county is None:
        return requested
    if requested is not None:
        principal.check_county(requested)
    return principal.county
