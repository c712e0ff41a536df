"""/v1/imports — bulk imports 批量导入."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1/imports", tags=["bulk imports 批量导入"])
