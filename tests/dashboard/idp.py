"""A test OpenID Connect provider: discovery, an authorization endpoint that signs in ``next_user`` at once,
a token endpoint that checks the code, client, redirect URI and PKCE verifier, and the JWKS of its RSA key.
``tamper`` makes it misbehave in one named way (the gateway must refuse each)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

CLIENT_ID = "hrss-dashboard"
CLIENT_SECRET = "test-oidc-client-secret"


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str
    challenge: str
    redirect_uri: str


@dataclass
class LocalProvider:
    issuer: str = ""
    next_user: dict[str, Any] = field(default_factory=dict)
    tamper: str | None = None  # "nonce" | "audience" | "issuer" | "key" | "expired" | "deny"
    grants: dict[str, Grant] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": grant.nonce,
                  **grant.claims}
        if self.tamper == "nonce":
            claims["nonce"] = "another-nonce"
        if self.tamper == "audience":
            claims["aud"] = "another-client"
        if self.tamper == "issuer":
            claims["iss"] = "https://evil.example"
        if self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 1200, now - 600
        key = self.other_key if self.tamper == "key" else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})

    def app(self) -> FastAPI:
        api = FastAPI()

        @api.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                    "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                    "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"]}

        @api.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            q = request.query_params
            assert q["response_type"] == "code" and q["client_id"] == CLIENT_ID and q["code_challenge_method"] == "S256"
            assert "openid" in q["scope"].split()
            if self.tamper == "deny":
                return RedirectResponse(q["redirect_uri"] + "?" + urlencode({"error": "access_denied",
                                                                             "state": q["state"]}), status_code=302)
            code = secrets.token_urlsafe(16)
            self.grants[code] = Grant(dict(self.next_user), q["nonce"], q["code_challenge"], q["redirect_uri"])
            state = "forged-state" if self.tamper == "state" else q["state"]
            return RedirectResponse(q["redirect_uri"] + "?" + urlencode({"code": code, "state": state}),
                                    status_code=302)

        @api.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            self.token_requests.append(form)
            grant = self.grants.pop(form.get("code", ""), None)
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if (grant is None or form.get("grant_type") != "authorization_code" or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET or form.get("redirect_uri") != grant.redirect_uri
                    or challenge != grant.challenge):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                 "expires_in": 600, "id_token": self.id_token(grant)})

        @api.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return self.jwks()

        return api
