"""Gateway settings (``HRSS_GATEWAY_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic import Field

from hrss_shared.registry import GATEWAY, SERVICES
from hrss_shared.settings import ServiceSettings, settings_config


def _local_services() -> dict[str, str]:
    return {s.name: f"http://127.0.0.1:{s.port}" for s in SERVICES.values() if s is not GATEWAY}


class GatewaySettings(ServiceSettings):
    model_config = settings_config(GATEWAY)

    service_name: str = GATEWAY.name
    port: int = GATEWAY.port
    revocation_refresh_seconds: float = 30.0
    # Where the domain services answer, for the person view's ?fresh=true (HRSS_GATEWAY_SERVICE_URLS, JSON).
    service_urls: dict[str, str] = Field(default_factory=_local_services)
    # The deadline of one section's live read: a slower service's section is "unavailable".
    fresh_timeout_seconds: float = Field(0.8, gt=0, le=10)
