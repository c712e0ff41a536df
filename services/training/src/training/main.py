"""Training service app: ``uvicorn --factory training.main:create_app``.

Its domain arrives in its own issue; for now it runs migrations, its relay and health checks.
"""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import create_service_app
from hrss_shared.registry import TRAINING
from training.config import TrainingSettings
from training.db import infra

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or TrainingSettings(),
        title="衢州市人社 职业技能 Training service",
        description=(
            "智慧技能：培训机构、课程、电子培训券、技能等级认定、培训补贴、技能大师工作室。"
            "Events on hrss.training."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(TRAINING.topic)]),
    )
