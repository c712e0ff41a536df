"""Read models per source topic: one module per domain, each with its own handlers and sections.

``CONSUMER`` is the gateway's consumer group: every domain topic, every module's handlers, and the document
stores as batch hooks. ``GROUP`` carries the read model's version: a change of document shapes or of the read-model
tables takes a new group id (and a migration that empties the read-model tables), so the new read model is rebuilt
by replay. ``TABLES`` names every table the group fills (what a rebuild empties and refills).

Besides one module per topic, :mod:`gateway.readmodel.employers` keeps the employer view's index tables from events
of every topic: for an event type both handle, the topic module's handler runs first and the employers handler
after it, in the same transaction (:func:`hrss_shared.app.merge_consumers`).
"""

from __future__ import annotations

from gateway.readmodel import employers, employment, labour_relations, social_insurance, training
from gateway.readmodel.store import EMPLOYERS, PERSONS
from hrss_shared.app import ConsumerSpec, merge_consumers
from hrss_shared.consumer import Handler
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING

GROUP = "gateway-readmodel-v4"
MODULES = {
    str(EMPLOYMENT.topic): employment.HANDLERS,
    str(TRAINING.topic): training.HANDLERS,
    str(SOCIAL_INSURANCE.topic): social_insurance.HANDLERS,
    str(LABOUR_RELATIONS.topic): labour_relations.HANDLERS,
}
TABLES: list[str] = ["person_sections", "person_views", "person_views_pending", "employer_sections", "person_cards",
                     *employers.TABLES]


_TOPIC_HANDLERS: dict[str, Handler] = {t: h for handlers in MODULES.values() for t, h in handlers.items()}
CONSUMER = merge_consumers(
    GROUP,
    ConsumerSpec(group=GROUP, topics=list(MODULES), handlers=_TOPIC_HANDLERS,
                 hooks=[PERSONS, EMPLOYERS, social_insurance.CARDS]),
    ConsumerSpec(group=GROUP, topics=list(MODULES), handlers=employers.HANDLERS, hooks=[employers.ROWS]),
)
HANDLERS: dict[str, Handler] = dict(CONSUMER.handlers)
