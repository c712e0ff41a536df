"""/v1/statistics — 社保统计."""

from hrss_shared.registry import SOCIAL_INSURANCE
from hrss_shared.statistics_router import statistics_router
from social_insurance.statistics import service
from social_insurance.statistics.models import Statistics

router = statistics_router(
    scope=f"{SOCIAL_INSURANCE.scope_domain}:read", tag="statistics 社保统计",
    summary="年度社保统计（参保人数、社会保障卡、失业保险金、单位欠缴、参保空档）",
    definitions=service.__doc__ or "", yearly=service.yearly, response=Statistics,
)
