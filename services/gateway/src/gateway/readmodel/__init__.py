"""Read models per source topic: one module per domain, each with its own handlers and sections.

``CONSUMER`` is the gateway's consumer group: every domain topic, every module's handlers, and the document
stores as batch hooks. ``GROUP`` carries the read model's version: a change of document shapes takes a new
group id (and a migration that empties the read-model tables), so the new read model is rebuilt by replay.
"""

from __future__ import annotations

from gateway.readmodel import employment, labour_relations, social_insurance, training
from gateway.readmodel.store import EMPLOYERS, PERSONS
from hrss_shared.app import ConsumerSpec
from hrss_shared.consumer import Handler
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING

GROUP = "gateway-readmodel-v3"
MODULES = {
    str(EMPLOYMENT.topic): employment.HANDLERS,
    str(TRAINING.topic): training.HANDLERS,
    str(SOCIAL_INSURANCE.topic): social_insurance.HANDLERS,
    str(LABOUR_RELATIONS.topic): labour_relations.HANDLERS,
}
HANDLERS: dict[str, Handler] = {t: h for handlers in MODULES.values() for t, h in handlers.items()}
CONSUMER = ConsumerSpec(group=GROUP, topics=list(MODULES), handlers=HANDLERS, hooks=[PERSONS, EMPLOYERS])
