"""Training settings (``HRSS_TRAINING_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic_settings import SettingsConfigDict

from hrss_shared.settings import ServiceSettings

TOPIC = "hrss.training"


class TrainingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_TRAINING_", extra="ignore", populate_by_name=True)

    service_name: str = "training"
    port: int = 8002
