"""Employment service app: ``uvicorn --factory employment.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from employment import consumers
from employment.bulk.router import router as bulk_router
from employment.config import EmploymentSettings
from employment.db import infra
from employment.employers.router import router as employers_router
from employment.imports import service as imports_service
from employment.imports.router import router as imports_router
from employment.job_postings.router import router as job_postings_router
from employment.job_seekers.router import router as job_seekers_router
from employment.key_groups import service as key_groups
from employment.key_groups.router import group_router, person_router
from employment.public_welfare.router import router as public_welfare_router
from employment.registrations import service as registrations
from employment.registrations.router import employment_router, unemployment_router
from employment.service_records.router import router as service_records_router
from employment.startup.router import router as startup_router
from employment.statistics.router import router as statistics_router
from hrss_contracts.asyncapi import document
from hrss_shared.app import ConsumerSpec, OutboxRef, create_service_app
from hrss_shared.registry import EMPLOYMENT

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: EmploymentSettings | None = None) -> FastAPI:
    outbox = OutboxRef("the employment service")  # the scheduled jobs publish through it
    return create_service_app(
        settings=settings or EmploymentSettings(),
        title="衢州市人社 就业服务 Employment service",
        description=(
            "数字就业：用人单位、求职登记、重点群体实名制、就业登记与失业登记、131服务、岗位匹配、"
            "公益性岗位、创业担保贷款与创业补贴、批量导入与就业统计。"
            "Every state change is a CloudEvent on hrss.employment."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(EMPLOYMENT.topic)]),
        # An import's file streams in under its own limit (imports.service.MAX_BODY_BYTES, 20 MB).
        body_limits={"/v1/imports": imports_service.MAX_BODY_BYTES},
        consumers=[ConsumerSpec(group="employment", topics=consumers.TOPICS, handlers=consumers.HANDLERS)],
        jobs=[key_groups.certification_job(outbox), registrations.closure_job(outbox)],
        on_startup=[outbox.bind],
        routers=[
            employers_router, job_seekers_router, person_router, group_router, employment_router,
            unemployment_router, service_records_router, job_postings_router, public_welfare_router,
            startup_router, imports_router, statistics_router, bulk_router,
        ],
    )
