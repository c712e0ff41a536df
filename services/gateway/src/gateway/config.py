"""Gateway settings (``HRSS_GATEWAY_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic_settings import SettingsConfigDict

from hrss_shared.settings import ServiceSettings

CONSUMED_TOPICS = ["hrss.employment", "hrss.training", "hrss.social-insurance", "hrss.labour-relations"]


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    port: int = 8000
    revocation_refresh_seconds: float = 30.0
