"""Labour relations service app: ``uvicorn --factory labour_relations.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import ConsumerSpec, OutboxRef, create_service_app
from hrss_shared.registry import LABOUR_RELATIONS
from labour_relations import consumers, workdays
from labour_relations.bulk.router import router as bulk_router
from labour_relations.cases import service as cases
from labour_relations.cases.router import router as cases_router
from labour_relations.config import LabourRelationsSettings
from labour_relations.db import infra
from labour_relations.dishonesty.router import router as dishonesty_router
from labour_relations.disputes.router import router as disputes_router
from labour_relations.projects import service as projects
from labour_relations.projects.router import router as projects_router
from labour_relations.statistics.router import router as statistics_router
from labour_relations.warnings import service as warnings
from labour_relations.warnings.router import router as warnings_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: LabourRelationsSettings | None = None) -> FastAPI:
    settings = settings or LabourRelationsSettings()
    workdays.install(workdays.Calendar.load(settings.calendar_file or workdays.CALENDAR_FILE))
    outbox = OutboxRef("the labour-relations service")  # consumers and scheduled jobs publish through it
    return create_service_app(
        settings=settings,
        title="衢州市人社 劳动关系 Labour relations service",
        description=(
            "劳动关系提升护富行动：欠薪处置“一件事”（欠薪案件按法定工作日期限办理）、在建工程项目在线发薪、劳动纠纷调解、"
            "欠薪联合预警与拖欠农民工工资失信联合惩戒名单。Every state change is a CloudEvent on hrss.labour-relations."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(LABOUR_RELATIONS.topic)]),
        consumers=[ConsumerSpec(group=consumers.GROUP, topics=consumers.TOPICS, handlers=consumers.handlers(outbox))],
        jobs=[*cases.jobs(outbox), projects.missed_job(outbox), warnings.review_job(outbox)],
        on_startup=[outbox.bind],
        routers=[cases_router, projects_router, disputes_router, dishonesty_router, warnings_router,
                 statistics_router, bulk_router],
    )
