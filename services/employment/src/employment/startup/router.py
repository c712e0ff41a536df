"""/v1 — start-up support 创业担保贷款、创业补贴与创业基地."""

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["start-up support 创业担保贷款、创业补贴与创业基地"])
