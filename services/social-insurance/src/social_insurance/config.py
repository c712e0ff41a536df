"""Social insurance settings (``HRSS_SOCIAL_INSURANCE_*`` plus the stack-wide ``HRSS_*``)."""

from pydantic_settings import SettingsConfigDict

from hrss_shared.settings import ServiceSettings

TOPIC = "hrss.social-insurance"


class SocialInsuranceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HRSS_SOCIAL_INSURANCE_", extra="ignore", populate_by_name=True)

    service_name: str = "social-insurance"
    port: int = 8003
