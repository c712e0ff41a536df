"""OpenID Connect sign-in 统一身份认证登录, when ``HRSS_DASHBOARD_OIDC_ISSUER`` and ``_CLIENT_ID`` are set.

The authorization code flow with PKCE (S256), ``state`` and ``nonce``: the provider's endpoints come from its
discovery document (whose ``issuer`` must be the configured one), the ID token is checked against the
provider's published keys (RS256/ES256 and the like, never HS256 or ``none``), its issuer, audience, expiry
and nonce. The staff member's HRSS scopes and county are read from two claims of the ID token
(``hrss_scopes``, ``hrss_county`` by default), so the identity provider decides who may see what; a county
that is not a Quzhou county is refused, unknown scopes are dropped. The session is then the same as with a
client credential, for the client id ``oidc:<sub>``.

The flow's own values (state, nonce, PKCE verifier) travel in a short-lived signed cookie limited to
``/dashboard/oidc`` with ``SameSite=Lax`` (the provider's redirect back is a cross-site navigation, which
would not carry a Strict cookie).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from gateway.dashboard.config import DashboardSettings
from hrss_shared.auth import ALL_SCOPES, Principal
from hrss_shared.logs import get_logger
from hrss_shared.problems import Forbidden, ProblemError
from hrss_shared.validators import QUZHOU_COUNTIES

log = get_logger(__name__)
FLOW_COOKIE = "hrss_dashboard_oidc"
FLOW_PATH = "/dashboard/oidc"
FLOW_SECONDS = 600
FLOW_PURPOSE = b"hrss-dashboard-oidc-flow-v1"
# Asymmetric algorithms only: the provider's public keys verify, nothing shared with it signs.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
DISCOVERY_SECONDS = 3600


class OidcFailed(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=401, title="未认证 Unauthorized", slug="unauthorized")


@dataclass
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass
class Flow:
    state: str
    nonce: str
    verifier: str

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def new_flow() -> Flow:
    return Flow(state=secrets.token_urlsafe(24), nonce=secrets.token_urlsafe(24), verifier=secrets.token_urlsafe(48))


def seal(flow: Flow, key: str) -> str:
    claims = {"aud": "hrss-dashboard-oidc", "state": flow.state, "nonce": flow.nonce, "verifier": flow.verifier,
              "exp": int(time.time()) + FLOW_SECONDS}
    return jwt.encode(claims, key, algorithm="HS256")


def unseal(cookie: str | None, key: str) -> Flow:
    if not cookie:
        raise OidcFailed("登录流程已失效，请重新登录 (no sign-in in progress)")
    try:
        claims = jwt.decode(cookie, key, algorithms=["HS256"], audience="hrss-dashboard-oidc")
    except jwt.InvalidTokenError:
        raise OidcFailed("登录流程已失效，请重新登录 (sign-in flow expired or invalid)") from None
    return Flow(state=str(claims["state"]), nonce=str(claims["nonce"]), verifier=str(claims["verifier"]))


@dataclass
class OidcClient:
    """The configured provider: discovery and keys cached, fetched again when a token names an unknown key."""

    settings: DashboardSettings
    _provider: Provider | None = None
    _provider_at: float = 0.0
    _keys: dict[str, jwt.PyJWK] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        assert self.settings.oidc_issuer is not None
        return self.settings.oidc_issuer.rstrip("/")

    def _http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.settings.oidc_timeout_seconds, follow_redirects=False)

    async def provider(self) -> Provider:
        if self._provider is not None and time.monotonic() - self._provider_at < DISCOVERY_SECONDS:
            return self._provider
        async with self._http() as http:
            doc = await _json(http.get(self.issuer + "/.well-known/openid-configuration"), "discovery")
        if str(doc.get("issuer", "")).rstrip("/") != self.issuer:
            raise OidcFailed(f"身份认证服务配置不符 (discovery issuer {doc.get('issuer')!r} is not {self.issuer!r})")
        try:
            self._provider = Provider(issuer=str(doc["issuer"]), authorization_endpoint=doc["authorization_endpoint"],
                                      token_endpoint=doc["token_endpoint"], jwks_uri=doc["jwks_uri"])
        except KeyError as exc:
            raise OidcFailed(f"身份认证服务配置不全 (discovery lacks {exc.args[0]})") from None
        self._provider_at = time.monotonic()
        return self._provider

    def authorization_url(self, provider: Provider, flow: Flow, redirect_uri: str) -> str:
        query = {"response_type": "code", "client_id": self.settings.oidc_client_id, "redirect_uri": redirect_uri,
                 "scope": self.settings.oidc_scope, "state": flow.state, "nonce": flow.nonce,
                 "code_challenge": flow.challenge, "code_challenge_method": "S256"}
        separator = "&" if "?" in provider.authorization_endpoint else "?"
        return provider.authorization_endpoint + separator + urlencode(query)

    async def id_token(self, provider: Provider, code: str, flow: Flow, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code for the ID token and check it (signature, issuer, audience, expiry, nonce)."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": self.settings.oidc_client_id or "", "code_verifier": flow.verifier}
        if self.settings.oidc_client_secret is not None:
            form["client_secret"] = self.settings.oidc_client_secret.get_secret_value()
        async with self._http() as http:
            answer = await _json(http.post(provider.token_endpoint, data=form,
                                           headers={"Accept": "application/json"}), "token")
            token = answer.get("id_token")
            if not isinstance(token, str):
                raise OidcFailed("身份认证服务未返回 ID 令牌 (no id_token)")
            try:
                header = jwt.get_unverified_header(token)
            except jwt.InvalidTokenError:
                raise OidcFailed("ID 令牌格式错误 (malformed id_token)") from None
            key = await self._key(http, provider, header.get("kid"))
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=ALGORITHMS, audience=self.settings.oidc_client_id,
                issuer=provider.issuer, options={"require": ["iss", "aud", "sub", "exp", "iat"]}, leeway=30)
        except jwt.InvalidTokenError as exc:
            raise OidcFailed(f"ID 令牌无效 (invalid id_token: {exc})") from None
        if claims.get("nonce") != flow.nonce:
            raise OidcFailed("ID 令牌不属于本次登录 (nonce mismatch)")
        return claims

    async def _key(self, http: httpx.AsyncClient, provider: Provider, kid: Any) -> jwt.PyJWK:
        if kid not in self._keys:
            jwks = await _json(http.get(provider.jwks_uri), "jwks")
            keys: dict[str, jwt.PyJWK] = {}
            for data in jwks.get("keys", []):
                try:
                    keys[str(data.get("kid"))] = jwt.PyJWK(data)
                except (jwt.PyJWKError, jwt.InvalidKeyError):
                    continue  # a key of a kind this gateway cannot use
            self._keys = keys
        key = self._keys.get(str(kid))
        if key is None:
            raise OidcFailed("ID 令牌的签名密钥未知 (unknown signing key)")
        return key

    def principal(self, claims: dict[str, Any]) -> Principal:
        """The staff member of verified ID-token claims (403 for a county outside Quzhou)."""
        raw = claims.get(self.settings.oidc_scopes_claim) or []
        values = raw.split() if isinstance(raw, str) else [str(v) for v in raw] if isinstance(raw, list) else []
        scopes = frozenset(v for v in values if v in ALL_SCOPES)
        county = claims.get(self.settings.oidc_county_claim)
        if county is not None and str(county) not in QUZHOU_COUNTIES:
            raise Forbidden(f"县（市、区）代码 {county} 不属于衢州市 (county claim is not a Quzhou county)")
        name = claims.get("name") or claims.get("preferred_username") or claims["sub"]
        return Principal(client_id=f"oidc:{claims['sub']}"[:64], name=str(name)[:200], scopes=scopes,
                         county=str(county) if county is not None else None)


def expiry(claims: dict[str, Any]) -> datetime | None:
    exp = claims.get("exp")
    return datetime.fromtimestamp(float(exp), UTC) if exp is not None else None


async def _json(call: Any, what: str) -> dict[str, Any]:
    try:
        response: httpx.Response = await call
    except httpx.HTTPError as exc:
        log.warning("oidc_unreachable", step=what, error=repr(exc))
        raise OidcFailed(f"身份认证服务暂不可用 ({what}: {type(exc).__name__})") from None
    if response.status_code != 200:
        log.warning("oidc_refused", step=what, status=response.status_code, body=response.text[:200])
        raise OidcFailed(f"身份认证服务拒绝请求 ({what} answered {response.status_code})")
    try:
        body = response.json()
    except ValueError:
        raise OidcFailed(f"身份认证服务答复格式错误 ({what})") from None
    if not isinstance(body, dict):
        raise OidcFailed(f"身份认证服务答复格式错误 ({what})")
    return body


_clients: dict[tuple[Any, ...], OidcClient] = {}


def client_for(settings: DashboardSettings) -> OidcClient:
    """One client (with its caches) per configuration."""
    key = (settings.oidc_issuer, settings.oidc_client_id, settings.oidc_scope)
    if key not in _clients:
        _clients[key] = OidcClient(settings)
    return _clients[key]
