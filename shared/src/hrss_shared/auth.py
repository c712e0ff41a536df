"""Client credentials (signed bearer tokens with scopes and an optional county), masking and audit.

Tokens are HS256 JWTs signed with ``HRSS_AUTH_SECRET`` and carry ``sub`` (client id), ``name``,
``scopes`` and ``county``; every service verifies them without a shared table. In development
the stack's dev token (``HRSS_DEV_TOKEN``) also stands for the built-in admin client.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import jwt
from fastapi import Request
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from hrss_shared.logs import correlation_id
from hrss_shared.problems import Forbidden, Unauthorized

ADMIN = "admin"
PII_READ = "pii:read"
DOMAINS = ("employment", "training", "social-insurance", "labour-relations", "gateway")
ALL_SCOPES = frozenset([ADMIN, PII_READ, *(f"{d}:{a}" for d in DOMAINS for a in ("read", "write"))])
ISSUER = "hrss"
DEV_CLIENT_ID = "dev-admin"
PURPOSE_HEADER = "X-Purpose"


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

    def check_county(self, county_code: str | None) -> None:
        """County bureaus' clients see and change only their own county's records."""
        if self.county is not None and county_code != self.county:
            raise Forbidden(
                f"该客户端仅限 {self.county} 县（市、区）数据 (client is limited to county {self.county})"
            )


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
    revoked: set[str] = field(default_factory=set)

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("缺少访问凭证 (missing Authorization: Bearer <token>)")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("访问凭证格式错误 (expected Authorization: Bearer <token>)")
        if self.dev_token and hmac.compare_digest(token, self.dev_token):
            return Principal(DEV_CLIENT_ID, "开发管理员 development admin", frozenset({ADMIN}))
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], issuer=ISSUER,
                                options={"require": ["sub", "iss"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("访问凭证已过期 (token expired)") from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"访问凭证无效 (invalid token: {exc})") from None
        if claims["sub"] in self.revoked:
            raise Unauthorized("访问凭证已吊销 (client revoked)")
        return Principal(
            client_id=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            scopes=frozenset(claims.get("scopes", [])),
            county=claims.get("county"),
        )


# ---- masking -------------------------------------------------------------------------------

PII_KEYS = {"id_number": "id", "phone": "phone", "bank_account": "bank", "birth_date": "birth"}


def mask_id(value: str) -> str:
    """``330802199001011234`` → ``3308**********1234``."""
    return value[:4] + "*" * max(len(value) - 8, 0) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 7, 0) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_bank(value: str) -> str:
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_birth(value: str) -> str:
    """The birth date inside an ID number is masked with it: ``1990-05-17`` → ``1990-**-**``."""
    return value[:4] + "-**-**" if len(value) >= 4 else "*" * len(value)


_MASKERS = {"id": mask_id, "phone": mask_phone, "bank": mask_bank, "birth": mask_birth}


def _kind(key: str) -> str | None:
    return PII_KEYS.get(key) or ("id" if key.endswith("_id_number") else None)


def mask(payload: Any) -> Any:
    """Mask every ID, phone and bank number in a JSON-like payload (by field name)."""
    if isinstance(payload, Mapping):
        out: dict[str, Any] = {}
        for key, value in payload.items():
            kind = _kind(key)
            if kind and isinstance(value, str):
                out[key] = _MASKERS[kind](value)
            else:
                out[key] = mask(value)
        return out
    if isinstance(payload, list):
        return [mask(v) for v in payload]
    return payload


def pii_fields(payload: Any, found: set[str] | None = None) -> set[str]:
    """Names of the PII fields present in a payload (recorded in the audit entry)."""
    found = set() if found is None else found
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            if _kind(key):
                found.add(key)
            pii_fields(value, found)
    elif isinstance(payload, list):
        for v in payload:
            pii_fields(v, found)
    return found


def _purpose(request: Request) -> str | None:
    """``X-Purpose``: why the data is read; non-ASCII text arrives percent-encoded UTF-8."""
    raw = request.headers.get(PURPOSE_HEADER)
    return unquote(raw)[:500] if raw else None


async def present(
    payload: Any,
    *,
    principal: Principal,
    request: Request,
    session: AsyncSession,
    audit_table: Table,
    subjects: Iterable[str] = (),
) -> Any:
    """Mask ``payload`` for clients without ``pii:read``; otherwise record the unmasked read.

    The audit row commits with ``session``; callers commit after calling this.
    """
    if not principal.sees_pii:
        return mask(payload)
    fields = sorted(pii_fields(payload))
    if fields:
        rows = [
            {
                "at": datetime.now(UTC),
                "client_id": principal.client_id,
                "client_name": principal.name,
                "action": f"{request.method} {request.url.path}"[:300],
                "subject": subject,
                "purpose": _purpose(request),
                "correlation_id": correlation_id.get(),
                "fields": fields,
            }
            for subject in (list[str | None](subjects) or [None])
        ]
        await session.execute(insert(audit_table), rows)
    return payload
