"""Gateway settings (``HRSS_GATEWAY_*`` plus the stack-wide ``HRSS_*``)."""

from hrss_shared.registry import GATEWAY
from hrss_shared.settings import ServiceSettings, settings_config


class GatewaySettings(ServiceSettings):
    model_config = settings_config(GATEWAY)

    service_name: str = GATEWAY.name
    port: int = GATEWAY.port
    revocation_refresh_seconds: float = 30.0
