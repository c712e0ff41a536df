"""Social insurance service app: ``uvicorn --factory social_insurance.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from hrss_contracts.asyncapi import document
from hrss_shared.app import ConsumerSpec, OutboxRef, create_service_app
from hrss_shared.registry import SOCIAL_INSURANCE
from social_insurance import consumers
from social_insurance.arrears import service as arrears
from social_insurance.arrears.router import router as arrears_router
from social_insurance.benefits import service as benefits
from social_insurance.benefits.router import router as benefits_router
from social_insurance.bulk.router import router as bulk_router
from social_insurance.cards.router import router as cards_router
from social_insurance.cards.router import services_router as card_services_router
from social_insurance.config import SocialInsuranceSettings
from social_insurance.contributions.router import router as contributions_router
from social_insurance.db import infra
from social_insurance.enrolments.router import router as enrolments_router
from social_insurance.onestop import service as onestop
from social_insurance.pension.router import router as pension_router
from social_insurance.persons.router import router as persons_router
from social_insurance.statistics.router import router as statistics_router

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: SocialInsuranceSettings | None = None) -> FastAPI:
    outbox = OutboxRef("the social-insurance service")  # consumers and jobs publish through it
    return create_service_app(
        settings=settings or SocialInsuranceSettings(),
        title="衢州市人社 社会保险 Social insurance service",
        description=(
            "社保扩面提待：参保登记、缴费（缴费基数上下限、单位月度批量缴费）、单位欠缴、参保“一件事”"
            "（就业登记开立企业职工养老、失业、工伤参保并申请医保参保，宽限期后未缴费的为参保空档）、个人参保缴费信息、失业保险金（失业登记时核定，重新就业、达到法定退休年龄或领取养老金时停发，按月发放台账）、第三代社会保障卡（发卡、挂失、补换、注销）及一卡通应用场景、城乡居民养老保险提档补缴测算与办理、更正与撤销、年度统计。"
            "Every state change is a CloudEvent on hrss.social-insurance."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        asyncapi=lambda: document([str(SOCIAL_INSURANCE.topic)]),
        consumers=[ConsumerSpec(group=consumers.GROUP, topics=consumers.TOPICS, handlers=consumers.handlers(outbox))],
        jobs=[onestop.gap_job(outbox), arrears.arrears_job(outbox), benefits.retirement_job(outbox)],
        on_startup=[outbox.bind],
        routers=[enrolments_router, contributions_router, arrears_router, persons_router, cards_router,
                 card_services_router, benefits_router, pension_router,
                 statistics_router, bulk_router],
    )
