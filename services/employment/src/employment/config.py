"""Employment service settings (``HRSS_EMPLOYMENT_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic_settings import SettingsConfigDict

from hrss_shared.settings import ServiceSettings

TOPIC = "hrss.employment"


class EmploymentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_EMPLOYMENT_", extra="ignore", populate_by_name=True)

    service_name: str = "employment"
    port: int = 8001
