"""政策监管 policy-supervision alerts: cross-domain rules over facts kept from the four domain topics.

What the gateway wires in (gateway/main.py): ``router``; ``CONSUMER`` (merged into the gateway's one consumer
group with hrss_shared.app.merge_consumers); ``JOBS`` (the daily coverage-gap check); ``TABLES``, the read-model
tables a rebuild empties and refills (``alert_actions``, the staff's acknowledgements and resolutions, is not one);
and :func:`alerts_for_person` for the person view.
"""

from __future__ import annotations

from gateway.alerts.facts import HOOK, handlers
from gateway.alerts.router import router
from gateway.alerts.service import alerts_for_person, coverage_job
from hrss_shared.app import ConsumerSpec
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING

GROUP = "gateway-alerts-v1"
CONSUMER = ConsumerSpec(
    group=GROUP,
    topics=[str(t.topic) for t in (EMPLOYMENT, TRAINING, SOCIAL_INSURANCE, LABOUR_RELATIONS)],
    handlers=dict(handlers.by_type),
    hooks=[HOOK],
)
TABLES: list[str] = ["alert_facts", "alerts"]
JOBS = [coverage_job()]

__all__ = ["CONSUMER", "GROUP", "JOBS", "TABLES", "alerts_for_person", "router"]
