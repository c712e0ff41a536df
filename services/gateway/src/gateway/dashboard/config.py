"""Dashboard settings (``HRSS_DASHBOARD_*``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DashboardSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_DASHBOARD_", extra="ignore")

    session_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60,
                                 description="登录会话有效期 (a session never outlives the credential it came from)")
    token_seconds: int = Field(default=300, ge=30, le=3600,
                               description="页面调用 API 的短期令牌有效期 (the page's short-lived API token)")
    # Browsers keep Secure cookies over plain HTTP only for localhost; behind TLS this stays True.
    cookie_secure: bool = True
    # OpenID Connect 统一身份认证 (authorization code flow with PKCE): on when issuer and client id are set.
    oidc_issuer: str | None = Field(default=None, description="e.g. https://sso.example.gov.cn/realms/hrss")
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None  # none: a public client (PKCE only)
    oidc_scope: str = "openid profile"
    # The ID token's claims that carry the staff member's HRSS scopes (a list, or space-separated) and county.
    oidc_scopes_claim: str = "hrss_scopes"
    oidc_county_claim: str = "hrss_county"
    # The callback URL registered with the provider; by default this gateway's own /dashboard/oidc/callback.
    oidc_redirect_url: str | None = None
    oidc_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)


@lru_cache(maxsize=1)
def dashboard_settings() -> DashboardSettings:
    return DashboardSettings()
