"""/v1/service-records — 131 service 失业人员131服务."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/service-records", tags=["131 service 失业人员131服务"])
