"""LabourRelations service app: ``uvicorn --factory labour_relations.main:create_app``.

Its domain arrives in its own issue; for now it runs migrations, its relay and health checks.
"""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import create_service_app
from hrss_shared.registry import LABOUR_RELATIONS
from labour_relations.config import LabourRelationsSettings
from labour_relations.db import infra

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: LabourRelationsSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or LabourRelationsSettings(),
        title="衢州市人社 劳动关系 Labour relations service",
        description=(
            "劳动关系：欠薪案件、在线发薪、劳动纠纷调解、欠薪预警。"
            "Events on hrss.labour-relations."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(LABOUR_RELATIONS.topic)]),
    )
