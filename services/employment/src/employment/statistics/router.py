"""/v1/statistics — statistics 就业统计."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/statistics", tags=["statistics 就业统计"])
