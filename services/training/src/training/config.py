"""Training and talent service settings (``HRSS_TRAINING_*`` plus the stack-wide ``HRSS_*``)."""

from hrss_shared.registry import TRAINING
from hrss_shared.settings import ServiceSettings, settings_config


class TrainingSettings(ServiceSettings):
    model_config = settings_config(TRAINING)

    service_name: str = TRAINING.name
    port: int = TRAINING.port
