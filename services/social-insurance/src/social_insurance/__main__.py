"""``python -m social_insurance``: this service's own commands (migrations, event catalogue)."""

from typing import Any

from hrss_shared.registry import SOCIAL_INSURANCE
from hrss_shared.service_cli import main
from social_insurance.config import SocialInsuranceSettings


def asyncapi() -> dict[str, Any]:
    from hrss_contracts.asyncapi import document  # every contract: only this command needs them

    return document([str(SOCIAL_INSURANCE.topic)])


raise SystemExit(main(
    service=SOCIAL_INSURANCE.name, settings=SocialInsuranceSettings,
    asyncapi=asyncapi,
))
