"""Training service app: ``uvicorn --factory training.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import ConsumerSpec, OutboxRef, create_service_app
from hrss_shared.imports import BODY_LIMITS
from hrss_shared.registry import TRAINING
from training import consumers
from training.benefits import service as benefits
from training.benefits.router import router as talent_benefits_router
from training.bulk.router import router as bulk_router
from training.certificates.router import router as certificates_router
from training.certificates.router import special_router as special_certificates_router
from training.config import TrainingSettings
from training.courses.router import router as courses_router
from training.db import infra
from training.enrolments.router import router as enrolments_router
from training.imports.kinds import router as imports_router
from training.institutions.router import router as institutions_router
from training.platforms.router import bases as training_bases_router
from training.platforms.router import studios as master_studios_router
from training.recognitions.router import router as talent_recognitions_router
from training.statistics.router import router as statistics_router
from training.subsidies.router import router as subsidies_router
from training.titles.router import router as professional_titles_router
from training.vouchers import service as vouchers
from training.vouchers.router import router as vouchers_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    outbox = OutboxRef("the training service")  # consumers and the voucher-expiry job publish through it
    return create_service_app(
        settings=settings or TrainingSettings(),
        title="衢州市人社 职业技能 Training service",
        description=(
            "智慧技能（衢州工匠提技领富行动 培训—评价—补贴）：培训机构与培训资质认定、培训课程、培训报名、考勤与结业、"
            "电子培训券、职业技能等级认定与专项职业能力证书、职业技能培训补贴与技能提升补贴（免申即享）、"
            "技能大师工作室与培训基地；人才服务：职称、人才认定、人才政策兑现；统计。"
            "Every state change is a CloudEvent on hrss.training."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(TRAINING.topic)]),
        consumers=[ConsumerSpec(group=consumers.GROUP, topics=consumers.TOPICS, handlers=consumers.handlers(outbox))],
        jobs=[vouchers.expiry_job(outbox), benefits.stop_job(outbox)],
        on_startup=[outbox.bind],
        routers=[institutions_router, courses_router, enrolments_router, vouchers_router, certificates_router,
                 special_certificates_router, subsidies_router, master_studios_router, training_bases_router,
                 professional_titles_router, talent_recognitions_router, talent_benefits_router, statistics_router,
                 imports_router, bulk_router],
        body_limits=BODY_LIMITS,
    )
