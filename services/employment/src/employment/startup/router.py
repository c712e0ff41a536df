"""/v1/startup-loans, /v1/startup-subsidies, /v1/startup-bases — start-up support 创业担保贷款、创业补贴与创业基地."""

from fastapi import APIRouter

from employment.startup.bases.router import router as bases_router
from employment.startup.loans.router import router as loans_router
from employment.startup.subsidies.router import router as subsidies_router

router = APIRouter()
router.include_router(loans_router)
router.include_router(subsidies_router)
router.include_router(bases_router)
