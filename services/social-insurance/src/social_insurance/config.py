"""Social insurance service settings (``HRSS_SOCIAL_INSURANCE_*`` plus the stack-wide ``HRSS_*``)."""

from hrss_shared.registry import SOCIAL_INSURANCE
from hrss_shared.settings import ServiceSettings, settings_config


class SocialInsuranceSettings(ServiceSettings):
    model_config = settings_config(SOCIAL_INSURANCE)

    service_name: str = SOCIAL_INSURANCE.name
    port: int = SOCIAL_INSURANCE.port
