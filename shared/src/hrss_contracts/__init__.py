"""Event contracts of every topic, one module per topic: payload models, CloudEvent types and versions.

Producers and consumers import these, never each other. ``contracts_of(topic)`` lists a topic's
contracts; :mod:`hrss_contracts.asyncapi` turns them into the AsyncAPI document.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hrss_contracts import employment, gateway, labour_relations, social_insurance, training
from hrss_shared.events import Contract
from hrss_shared.registry import EMPLOYMENT, GATEWAY, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING

MODULES: dict[str, ModuleType] = {
    str(GATEWAY.topic): gateway,
    str(EMPLOYMENT.topic): employment,
    str(TRAINING.topic): training,
    str(SOCIAL_INSURANCE.topic): social_insurance,
    str(LABOUR_RELATIONS.topic): labour_relations,
}


def _declared(module: ModuleType) -> list[Contract[Any]]:
    found = [value for value in vars(module).values() if isinstance(value, Contract)]
    return sorted(found, key=lambda c: c.type)


_BY_TOPIC: dict[str, list[Contract[Any]]] = {topic: _declared(module) for topic, module in MODULES.items()}
_BY_TYPE: dict[str, Contract[Any]] = {c.type: c for contracts in _BY_TOPIC.values() for c in contracts}

for _topic, _contracts in _BY_TOPIC.items():
    for _contract in _contracts:
        if _contract.topic != _topic:
            raise RuntimeError(f"{_contract.type} is declared in the module of {_topic}, not of {_contract.topic}")


def contracts_of(topic: str) -> list[Contract[Any]]:
    """The contracts of one topic (without a deployment prefix), sorted by type."""
    try:
        return list(_BY_TOPIC[topic])
    except KeyError:
        raise KeyError(f"no contracts for topic {topic!r}; topics: {', '.join(_BY_TOPIC)}") from None


def all_contracts() -> list[Contract[Any]]:
    """Every contract of every topic."""
    return [c for contracts in _BY_TOPIC.values() for c in contracts]


def contract_for(event_type: str) -> Contract[Any]:
    """The contract of a CloudEvent ``type``."""
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise KeyError(f"no contract for event type {event_type!r}") from None


__all__ = ["Contract", "all_contracts", "contract_for", "contracts_of", "MODULES"]
