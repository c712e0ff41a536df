"""SocialInsurance service app: ``uvicorn --factory social_insurance.main:create_app``.

Its domain arrives in its own issue; for now it runs migrations, its relay and health checks.
"""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import create_service_app
from hrss_shared.registry import SOCIAL_INSURANCE
from social_insurance.config import SocialInsuranceSettings
from social_insurance.db import infra

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: SocialInsuranceSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or SocialInsuranceSettings(),
        title="衢州市人社 社会保险 Social insurance service",
        description=(
            "社保：参保登记、缴费、待遇（失业保险金、养老金）、提档补缴、社会保障卡。"
            "Events on hrss.social-insurance."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(SOCIAL_INSURANCE.topic)]),
    )
