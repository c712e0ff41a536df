"""Labour relations settings (``HRSS_LABOUR_RELATIONS_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic_settings import SettingsConfigDict

from hrss_shared.settings import ServiceSettings

TOPIC = "hrss.labour-relations"


class LabourRelationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_LABOUR_RELATIONS_", extra="ignore", populate_by_name=True)

    service_name: str = "labour-relations"
    port: int = 8004
