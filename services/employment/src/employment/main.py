"""Employment service app: ``uvicorn --factory employment.main:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from employment.config import TOPIC, EmploymentSettings
from employment.db import infra
from employment.employers.router import router as employers_router
from employment.job_seekers.router import router as job_seekers_router
from employment.registrations.router import employment_router, unemployment_router
from hrss_shared.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: EmploymentSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or EmploymentSettings(),
        title="衢州市人社 就业服务 Employment service",
        description=(
            "数字就业：用人单位、求职登记、就业登记与失业登记。"
            "Every state change is a CloudEvent on hrss.employment."
        ),
        infra=infra,
        migrations_dir=MIGRATIONS,
        topic=TOPIC,
        routers=[employers_router, job_seekers_router, employment_router, unemployment_router],
    )
