"""Employment service settings (``HRSS_EMPLOYMENT_*`` plus the stack-wide ``HRSS_*``)."""

from hrss_shared.registry import EMPLOYMENT
from hrss_shared.settings import ServiceSettings, settings_config


class EmploymentSettings(ServiceSettings):
    model_config = settings_config(EMPLOYMENT)

    service_name: str = EMPLOYMENT.name
    port: int = EMPLOYMENT.port
