"""/v1/statistics — statistics 就业统计."""

from employment.statistics import service
from employment.statistics.models import Statistics
from hrss_shared.registry import EMPLOYMENT
from hrss_shared.statistics_router import statistics_router

router = statistics_router(
    scope=f"{EMPLOYMENT.scope_domain}:read", tag="statistics 就业统计",
    summary="年度就业统计（城镇新增就业、登记失业、重点群体就业、公益性岗位安置、创业担保贷款与创业补贴）",
    definitions=service.__doc__ or "", yearly=service.yearly, response=Statistics,
)
