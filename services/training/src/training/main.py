"""Training service app: ``uvicorn --factory training.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import ConsumerSpec, OutboxRef, create_service_app
from hrss_shared.registry import TRAINING
from training import consumers
from training.config import TrainingSettings
from training.courses.router import router as courses_router
from training.db import infra
from training.enrolments.router import router as enrolments_router
from training.institutions.router import router as institutions_router
from training.vouchers import service as vouchers
from training.vouchers.router import router as vouchers_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    outbox = OutboxRef("the training service")  # consumers and the voucher-expiry job publish through it
    return create_service_app(
        settings=settings or TrainingSettings(),
        title="衢州市人社 职业技能 Training service",
        description=(
            "智慧技能：培训机构与培训资质认定、培训课程、培训报名、考勤与结业、电子培训券"
            "（技能等级认定、培训补贴、技能大师工作室随后续需求加入）。"
            "Every state change is a CloudEvent on hrss.training."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(TRAINING.topic)]),
        consumers=[ConsumerSpec(group=consumers.GROUP, topics=consumers.TOPICS, handlers=consumers.handlers(outbox))],
        jobs=[vouchers.expiry_job(outbox)],
        on_startup=[outbox.bind],
        routers=[institutions_router, courses_router, enrolments_router, vouchers_router],
    )
