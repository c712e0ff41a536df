"""Property-based fuzzing of every service's OpenAPI, on SQLite and on PostgreSQL: no request gets a 5xx.

Schemathesis generates requests from each service's own ``/openapi.json`` (data that fits the schema and
data that does not) and sends each in-process to two instances of the ASGI app, with no broker: one on SQLite
and one on the real PostgreSQL, which is the strict one (it refuses a NUL byte in text, for one). Whatever the
input, the answer must be a 2xx/3xx or a 4xx problem+json; an unhandled exception or a 5xx fails the test,
listing one reproduction (curl) and the raising line per database, operation and cause. Each operation has a fixed
seed of its own: the same requests every run. A case is generated once and sent to both databases (generating
is most of the time this test takes).
"""

from __future__ import annotations

import asyncio
import os
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python import asgi as st_asgi

from employment.config import EmploymentSettings
from employment.main import create_app as create_employment
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from hrss_shared.problems import PROBLEM_JSON
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import create_app as create_labour_relations
from social_insurance.config import SocialInsuranceSettings
from social_insurance.main import create_app as create_social_insurance
from tests.support import DEV_TOKEN, PostgresNode, offline
from training.config import TrainingSettings
from training.main import create_app as create_training

# Examples per operation: data that fits the schema, and data that does not (mostly answered 422 early). Bounded for
# CI's time; HRSS_FUZZ_EXAMPLES=400 pytest tests/shared/test_openapi_fuzz.py fuzzes deeper (a quarter as many negative).
POSITIVE_EXAMPLES = int(os.environ.get("HRSS_FUZZ_EXAMPLES", "10"))
EXAMPLES = {GenerationMode.POSITIVE: POSITIVE_EXAMPLES, GenerationMode.NEGATIVE: max(1, POSITIVE_EXAMPLES // 4)}
AUTH = {"Authorization": f"Bearer {DEV_TOKEN}"}
# Readiness answers 503 by design here: the test runs without a broker.
SKIP = {("GET", "/readyz")}
PROJECT = str(Path(__file__).resolve().parents[2])

SERVICES: dict[str, tuple[type[Any], Callable[[Any], Any]]] = {
    "employment": (EmploymentSettings, create_employment),
    "gateway": (GatewaySettings, create_gateway),
    "training": (TrainingSettings, create_training),
    "social-insurance": (SocialInsuranceSettings, create_social_insurance),
    "labour-relations": (LabourRelationsSettings, create_labour_relations),
}


DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str, dict[str, str | None]], Any]]:
    """A service's schema and its apps by database (SQLite without a URL, or a PostgreSQL database URL), created
    once (Schemathesis starts each app's lifespan in a loop of its own on its first request)."""
    loaded_: dict[str, tuple[Any, dict[str, Any]]] = {}

    def load(name: str, urls: dict[str, str | None]) -> tuple[Any, dict[str, Any]]:
        if name not in loaded_:
            cls, create_app = SERVICES[name]
            apps = {}
            for database, url in urls.items():
                data_dir = tmp_path_factory.mktemp(f"fuzz-{name}-{database}")
                settings_ = offline(cls, db_url=url or f"sqlite+aiosqlite:///{data_dir / 'service.db'}",
                                    data_dir=data_dir)
                apps[database] = create_app(settings_)
            loaded_[name] = (schemathesis.openapi.from_asgi("/openapi.json", apps[DATABASES[0]]), apps)
        return loaded_[name]

    try:
        yield load
    finally:
        st_asgi.shutdown_lifespans()


def _where(exc: BaseException) -> str:
    """The innermost frame of the project's own code in the exception's traceback."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(PROJECT)]
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{Path(frame.filename).relative_to(PROJECT)}:{frame.lineno} ({frame.name})"


def _send(case: Any, database: str, app: Any, label: str, failures: dict[tuple[str, str], str]) -> None:
    """Send ``case`` to ``app``; note a server error or a 4xx that is not problem+json under ``failures``."""
    where = f"[{database}] {label}"
    try:
        response = case.call(headers=AUTH, app=app)
    except Exception as exc:  # in-process, the app re-raises what it answered 500 for
        key = (where, f"{type(exc).__name__} at {_where(exc)}")
        first_line = (str(exc).splitlines() or [""])[0]
        failures.setdefault(key, f"{key[1]}: {first_line}\n    {case.as_curl_command(headers=AUTH)}")
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    if response.status_code >= 500:
        key = (where, f"HTTP {response.status_code}")
        body = response.content[:300].decode(errors="replace")
        failures.setdefault(key, f"{key[1]}: {body}\n    {case.as_curl_command(headers=AUTH)}")
    elif response.status_code >= 400 and not content_type.startswith(PROBLEM_JSON):
        key = (where, f"HTTP {response.status_code} not problem+json")
        failures.setdefault(key, f"{key[1]}: {content_type}\n    {case.as_curl_command(headers=AUTH)}")


def _fuzz(operation: Any, mode: GenerationMode, apps: dict[str, Any], failures: dict[tuple[str, str], str]) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    # A fixed seed of each operation's own: the same requests every run, but not the same draws everywhere.
    @seed(zlib.crc32(f"{label} {mode.value}".encode()))
    @settings(max_examples=EXAMPLES[mode], derandomize=False, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        for database, app in apps.items():  # the same request to each database, in the same order
            _send(case, database, app, label, failures)

    try:
        run()
    except Unsatisfiable:  # nothing to break: an operation without parameters has no negative data
        assert mode is GenerationMode.NEGATIVE, label


@pytest.mark.parametrize("service", list(SERVICES))
def test_no_request_gets_a_server_error(
    loaded: Callable[[str, dict[str, str | None]], Any], service: str, postgres: PostgresNode,
) -> None:
    pg_url = asyncio.run(postgres.create_database(f"fuzz_{service.replace('-', '_')}_{uuid.uuid4().hex[:6]}"))
    schema, apps = loaded(service, {"sqlite": None, "postgresql": pg_url})
    failures: dict[tuple[str, str], str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIP:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, apps, failures)
    report = "\n".join(f"{label}: {text}" for (label, _), text in sorted(failures.items()))
    assert not failures, f"{len(failures)} server error(s) in {service}:\n{report}"
