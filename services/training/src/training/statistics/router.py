"""/v1/statistics — 培训统计."""

from hrss_shared.registry import TRAINING
from hrss_shared.statistics_router import statistics_router
from training.statistics import service
from training.statistics.models import Statistics

router = statistics_router(
    scope=f"{TRAINING.scope_domain}:read", tag="statistics 培训统计",
    summary="年度培训统计（培训人次、技能等级认定、新增高技能人才、电子培训券、培训补贴、技能大师工作室与培训基地、人才服务）",
    definitions=service.__doc__ or "", yearly=service.yearly, response=Statistics,
)
