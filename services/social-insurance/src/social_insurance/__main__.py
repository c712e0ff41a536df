"""``python -m social_insurance``: this service's own commands (migrations, event catalogue)."""

from hrss_contracts.asyncapi import document
from hrss_shared.registry import SOCIAL_INSURANCE
from hrss_shared.service_cli import main
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import MIGRATIONS

raise SystemExit(main(
    service=SOCIAL_INSURANCE.name, migrations_dir=MIGRATIONS, settings=SocialInsuranceSettings,
    asyncapi=lambda: document([str(SOCIAL_INSURANCE.topic)]),
))
