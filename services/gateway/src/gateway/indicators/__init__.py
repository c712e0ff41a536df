"""规划指标 plan indicators: plan targets (data, one TOML per plan) beside actuals from the gateway's own read model.

``CONSUMER`` is the indicator consumer group: every domain topic, the handlers of :mod:`gateway.indicators.facts`.
``TABLES`` names the read-model table it fills (emptied and refilled by ``hrss gateway rebuild``). ``GROUP``
carries the facts' version: a change of what a row means takes a new group id and a migration that empties it.
"""

from __future__ import annotations

from gateway.indicators.facts import ROWS, handlers
from gateway.indicators.router import router
from hrss_shared.app import ConsumerSpec
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING

GROUP = "gateway-indicators-v1"
TOPICS = [str(s.topic) for s in (EMPLOYMENT, TRAINING, SOCIAL_INSURANCE, LABOUR_RELATIONS)]
CONSUMER = ConsumerSpec(group=GROUP, topics=TOPICS, handlers=handlers.by_type, hooks=[ROWS])
TABLES: list[str] = ["indicator_facts"]

__all__ = ["CONSUMER", "GROUP", "TABLES", "router"]
