"""The service registry: each service's name, import package, port, topic and scope domain, written once.

The CLI, the gateway, auth scopes, settings, docker-compose's test and the contracts all read it; nothing
else repeats these facts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """One service of the stack."""

    name: str
    package: str
    port: int
    topic: str | None
    title: str

    @property
    def scope_domain(self) -> str:
        """Scopes are ``<scope_domain>:read`` and ``<scope_domain>:write``."""
        return self.name

    @property
    def env_prefix(self) -> str:
        """``HRSS_SOCIAL_INSURANCE_`` for ``social-insurance``."""
        return f"HRSS_{self.name.upper().replace('-', '_')}_"

    @property
    def app(self) -> str:
        """The uvicorn factory of the service, by module path."""
        return f"{self.package}.main:create_app"

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of the events the service publishes."""
        return f"/hrss/{self.name}"

    @property
    def database(self) -> str:
        """The service's database name on a shared PostgreSQL server."""
        return self.package


# The gateway's own topic carries what it owns: API clients' revocations (every service follows it).
GATEWAY = Service("gateway", "gateway", 8000, "hrss.gateway", "一卡通网关 Gateway")
EMPLOYMENT = Service("employment", "employment", 8001, "hrss.employment", "就业 Employment")
TRAINING = Service("training", "training", 8002, "hrss.training", "职业技能与人才 Training and talent")
SOCIAL_INSURANCE = Service(
    "social-insurance", "social_insurance", 8003, "hrss.social-insurance", "社会保险 Social insurance"
)
LABOUR_RELATIONS = Service(
    "labour-relations", "labour_relations", 8004, "hrss.labour-relations", "劳动关系 Labour relations"
)

SERVICES: dict[str, Service] = {s.name: s for s in (GATEWAY, EMPLOYMENT, TRAINING, SOCIAL_INSURANCE, LABOUR_RELATIONS)}
# Every service's topic, in registry order; each keeps every event (replay rebuilds read models and the set of
# revoked clients).
TOPICS: list[str] = [s.topic for s in SERVICES.values() if s.topic is not None]
# The domain topics: events about persons and employers, which the gateway's read models consume.
DOMAIN_TOPICS: list[str] = [s.topic for s in SERVICES.values() if s.topic is not None and s is not GATEWAY]
# API clients' revocations, published by the gateway and followed by every service (hrss_shared.revocations).
REVOCATIONS_TOPIC: str = str(GATEWAY.topic)
SCOPE_DOMAINS: tuple[str, ...] = tuple(s.scope_domain for s in SERVICES.values())
# A topic's dead-letter topic is ``<topic>.dlq`` (hrss_shared.consumer writes it, ``hrss up`` creates it, ``hrss dlq``
# reads it, the AsyncAPI document lists it).
DLQ_SUFFIX = ".dlq"


def service(name: str) -> Service:
    """The registry entry of ``name``; ``KeyError`` naming the known services otherwise."""
    try:
        return SERVICES[name]
    except KeyError:
        raise KeyError(f"unknown service {name!r}; known: {', '.join(SERVICES)}") from None


def owner_of_topic(topic: str) -> Service:
    """The service that publishes ``topic``."""
    for entry in SERVICES.values():
        if entry.topic == topic:
            return entry
    raise KeyError(f"no service publishes {topic!r}; topics: {', '.join(TOPICS)}")
