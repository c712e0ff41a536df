"""Every route of every service, except health and documentation, answers 401 without a credential.

The routes are enumerated from the apps themselves, so a new endpoint that forgets its credential check
(``require`` or ``authorize``) fails here whatever its path.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi.routing import APIRoute

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app as create_labour_relations
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests.support import InProcessService, alone
from training.config import TrainingSettings
from training.main import create_app as create_training

# Health, documentation (the event catalogue is the published contracts), and the dashboard's sign-in page and its
# OpenID Connect start (a browser without a session must reach them; the rest of the dashboard answers 401).
PUBLIC = {"/healthz", "/readyz", "/asyncapi.json", "/asyncapi", "/openapi.json", "/docs", "/docs/oauth2-redirect",
          "/redoc", "/dashboard/signin", "/dashboard/oidc/login"}
SERVICES: dict[str, tuple[type[Any], Any]] = {
    "employment": (EmploymentSettings, create_employment),
    "gateway": (GatewaySettings, create_gateway),
    "training": (TrainingSettings, create_training),
    "social-insurance": (SocialInsuranceSettings, create_social_insurance),
    "labour-relations": (LabourRelationsSettings, create_labour_relations),
}
SAMPLE = {"id_number": "11010519491231002X", "credit_code": "91350100M000100Y43", "group": "veteran"}


def concrete(path: str) -> str:
    """A path with its parameters filled with valid values (so only the credential can refuse it)."""
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "x1"), path)


@pytest.fixture(params=list(SERVICES))
async def service(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[InProcessService]:
    settings_cls, create_app = SERVICES[request.param]
    async with InProcessService(create_app, alone(settings_cls, tmp_path, scheduler_enabled=False)) as svc:
        yield svc


def api_routes(app: Any) -> list[tuple[str, set[str]]]:
    """Every API route's path and methods, those of included routers too (FastAPI 0.165 keeps an included router
    as one entry of ``app.routes``; ``iter_route_contexts`` walks into it)."""
    if hasattr(fastapi.routing, "iter_route_contexts"):
        contexts = fastapi.routing.iter_route_contexts(app.routes)
        return [(c.path, set(c.methods or ())) for c in contexts if isinstance(c.original_route, APIRoute)]
    return [(r.path, set(r.methods or ())) for r in app.routes if isinstance(r, APIRoute)]


async def test_every_route_but_health_and_docs_needs_a_credential(service: InProcessService) -> None:
    routes = [(path, methods) for path, methods in api_routes(service.app) if path not in PUBLIC]
    assert len(routes) >= 10  # the enumeration sees the domain's routers, not only the app's own routes
    for path, methods in routes:
        for method in sorted(methods):
            r = await service.client.request(method, concrete(path), headers={"Authorization": ""}, json={})
            assert r.status_code == 401, f"{method} {path} answered {r.status_code} without a credential"
            assert r.headers["content-type"].startswith("application/problem+json")


async def test_health_and_docs_are_public(service: InProcessService) -> None:
    for path in ("/healthz", "/openapi.json", "/asyncapi.json"):
        r = await service.client.get(path, headers={"Authorization": ""})
        assert r.status_code == 200, path
