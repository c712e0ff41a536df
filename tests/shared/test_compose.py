"""docker-compose.yml, deploy/docker/Dockerfile and init-databases.sql agree with the service registry.

The container of a service is chosen by its command (``uvicorn --factory <package>.main:create_app --port
<port>``, see the Dockerfile); ``UVICORN_PORT`` tells the health check which port to probe. Every ``HRSS_*``
variable handed to a container must be one that ``hrss_shared.settings.ServiceSettings`` really reads.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from pydantic import AliasChoices

from hrss_shared.registry import DLQ_SUFFIX, SERVICES, TOPICS, Service
from hrss_shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
INIT_SQL = REPO / "deploy" / "docker" / "init-databases.sql"
INFRASTRUCTURE = {"kafka", "postgres"}

# What `docker compose` substitutes when the operator exports nothing but the required variables.
REQUIRED_PLACEHOLDER = "<required>"

_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, env: Mapping[str, str] | None = None) -> str:
    """Compose's variable substitution (``${X}``, ``${X:-default}``, ``${X-default}``, ``${X:?err}``, ``$$``)."""
    env = env or {}

    def substitute(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        op, arg = match["op"], match["arg"] or ""
        current = env.get(name)
        if op in (":-", ":?", ":+"):
            present = bool(current)
        else:
            present = current is not None
        if op in (":-", "-"):
            return current if present else arg  # type: ignore[return-value]
        if op in (":?", "?"):
            return current if present else REQUIRED_PLACEHOLDER  # type: ignore[return-value]
        if op in (":+", "+"):
            return arg if present else ""
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    # safe_load resolves the anchors and `<<` merge keys the file uses for the shared service block
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


def environment(block: Mapping[str, Any]) -> dict[str, str]:
    """A compose ``environment`` (mapping or ``KEY=value`` list form) as a dict of strings."""
    env = block.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) if "=" in item else (item, "") for item in env)
        return dict(pairs)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def published_ports(block: Mapping[str, Any]) -> list[tuple[str | None, int, int]]:
    """``(host_ip, published, target)`` of every port mapping, short or long syntax."""
    result: list[tuple[str | None, int, int]] = []
    for entry in block.get("ports") or []:
        if isinstance(entry, dict):
            result.append((entry.get("host_ip"), int(entry["published"]), int(entry["target"])))
            continue
        text = str(entry).split("/")[0]
        parts = text.rsplit(":", 2)
        if len(parts) == 3:
            result.append((parts[0].strip("[]"), int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            result.append((None, int(parts[0]), int(parts[1])))
        else:
            result.append((None, int(parts[0]), int(parts[0])))
    return result


def command_args(block: Mapping[str, Any]) -> list[str]:
    command = block.get("command")
    assert command is not None, "no command: the image's default command would run the gateway"
    return [str(c) for c in command] if isinstance(command, list) else str(command).split()


def option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def stack_wide_variables() -> set[str]:
    """``HRSS_<NAME>`` read by every service: the ``validation_alias`` choices of ServiceSettings' fields."""
    names: set[str] = set()
    for field in ServiceSettings.model_fields.values():
        alias = field.validation_alias
        choices = alias.choices if isinstance(alias, AliasChoices) else [alias] if alias else []
        names.update(c for c in choices if isinstance(c, str) and c.startswith("HRSS_"))
    return names


def service_variables(service: Service) -> set[str]:
    """``<env_prefix><FIELD>`` for every field of the service's own settings class (ServiceSettings and what the
    service adds, e.g. the gateway's SERVICE_URLS), read by the service of that prefix only."""
    module = importlib.import_module(f"{service.package}.config")
    own = next(v for v in vars(module).values()
               if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings)
    return {f"{service.env_prefix}{name.upper()}" for name in own.model_fields}


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


# --- the registry's services --------------------------------------------------------------------------------


def test_compose_runs_exactly_the_registry_services(compose: dict[str, Any]) -> None:
    services = set(compose["services"])
    missing = sorted(set(SERVICES) - services)
    extra = sorted(services - set(SERVICES) - INFRASTRUCTURE)
    assert not missing, f"registry services without a compose service: {missing}"
    assert not extra, f"compose services the registry does not know: {extra}"
    assert INFRASTRUCTURE <= services


@pytest.mark.parametrize("name", list(SERVICES))
def test_service_publishes_its_registry_port(compose: dict[str, Any], name: str) -> None:
    entry = SERVICES[name]
    ports = published_ports(compose["services"][name])
    assert ports == [("127.0.0.1", entry.port, entry.port)], (
        f"{name}: expected only 127.0.0.1:{entry.port}:{entry.port}, compose publishes {ports}"
    )


@pytest.mark.parametrize("name", list(SERVICES))
def test_service_runs_its_app_on_its_port(compose: dict[str, Any], name: str) -> None:
    entry = SERVICES[name]
    block = compose["services"][name]
    args = command_args(block)
    assert args[0] == "uvicorn", f"{name}: {args}"
    assert "--factory" in args and entry.app in args, f"{name}: command {args} does not run {entry.app}"
    assert args[args.index("--factory") + 1] == entry.app or option(args, "--factory") == entry.app
    assert option(args, "--port") == str(entry.port), f"{name}: command {args} does not listen on {entry.port}"
    assert option(args, "--host") == "0.0.0.0", f"{name}: a published port needs --host 0.0.0.0, got {args}"
    # the health check probes UVICORN_PORT, so it must be the port the command listens on
    env = environment(block)
    assert env.get("UVICORN_PORT") == str(entry.port), f"{name}: UVICORN_PORT={env.get('UVICORN_PORT')!r}"
    assert "UVICORN_PORT" in " ".join(block["healthcheck"]["test"]), f"{name}: health check ignores UVICORN_PORT"


@pytest.mark.parametrize("name", list(SERVICES))
def test_service_uses_the_one_image(compose: dict[str, Any], name: str) -> None:
    block = compose["services"][name]
    build = block.get("build")
    assert isinstance(build, dict), f"{name}: no build section"
    assert (REPO / build.get("context", ".") / build["dockerfile"]).resolve() == DOCKERFILE
    images = {str(compose["services"][other].get("image")) for other in SERVICES}
    assert len(images) == 1, f"the services run different images: {sorted(images)}"
    depends = block.get("depends_on") or {}
    for infra in sorted(INFRASTRUCTURE):
        assert depends.get(infra, {}).get("condition") == "service_healthy", f"{name} does not wait for {infra}"


@pytest.mark.parametrize("name", list(SERVICES))
def test_service_database_url_points_at_its_database(compose: dict[str, Any], name: str) -> None:
    entry = SERVICES[name]
    assert "database_url" in ServiceSettings.model_fields
    variable = f"{entry.env_prefix}DATABASE_URL"
    env = environment(compose["services"][name])
    assert variable in env, f"{name}: {variable} not set; HRSS_* set: {sorted(k for k in env if k.startswith('HRSS_'))}"
    url = urlsplit(interpolate(env[variable]))
    assert url.scheme == "postgresql+asyncpg", f"{name}: {variable} uses {url.scheme!r}"
    assert url.hostname == "postgres" and url.hostname in compose["services"], f"{name}: host {url.hostname!r}"
    assert (url.port or 5432) == 5432
    assert url.path == f"/{entry.database}", f"{name}: {variable} names database {url.path[1:]!r}"
    postgres = environment(compose["services"]["postgres"])
    assert unquote(url.username or "") == postgres["POSTGRES_USER"]
    # with and without the optional password override, the URL carries the server's password
    for host_env in ({}, {"HRSS_POSTGRES_PASSWORD": "s3cret"}):
        url = urlsplit(interpolate(env[variable], host_env))
        assert unquote(url.password or "") == interpolate(postgres["POSTGRES_PASSWORD"], host_env)


# --- settings ------------------------------------------------------------------------------------------------


def test_every_hrss_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    stack_wide = stack_wide_variables()
    assert {"HRSS_BOOTSTRAP_SERVERS", "HRSS_AUTH_SECRET", "HRSS_ENVIRONMENT"} <= stack_wide  # the model is read
    problems: list[str] = []
    for name, block in compose["services"].items():
        own = service_variables(SERVICES[name]) if name in SERVICES else set()
        others = set().union(*(service_variables(s) for s in SERVICES.values() if s.name != name))
        for variable in sorted(k for k in environment(block) if k.startswith("HRSS_")):
            if variable in stack_wide or variable in own:
                continue
            if variable in others:
                problems.append(f"{name}: {variable} belongs to another service's prefix")
            else:
                problems.append(f"{name}: {variable} is no setting of ServiceSettings")
    assert not problems, "\n".join(problems)


class _GivenValuesOnly(ServiceSettings):
    """ServiceSettings fed only what the test passes (not the environment of the test run)."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: Any, init_settings: Any, *args: Any, **kwargs: Any) -> Any:
        return (init_settings,)


def test_settings_values_are_valid(compose: dict[str, Any]) -> None:
    """The stack-wide values the containers get are accepted by the settings model."""
    host_env = {"HRSS_AUTH_SECRET": "x" * 40}
    for name in SERVICES:
        env = {k: interpolate(v, host_env) for k, v in environment(compose["services"][name]).items()}
        stack = {k: v for k, v in env.items() if k in stack_wide_variables()}
        settings = _GivenValuesOnly(**stack)
        assert settings.environment == "production", f"{name} does not run in production mode"
        assert settings.topic_prefix == "", f"{name}: HRSS_TOPIC_PREFIX would rename the registry topics"
        assert settings.dev_token is None


def test_auth_secret_is_required_in_compose(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        value = environment(compose["services"][name]).get("HRSS_AUTH_SECRET", "")
        assert interpolate(value) == REQUIRED_PLACEHOLDER, f"{name}: HRSS_AUTH_SECRET must be required, got {value!r}"


# --- Kafka and topics ----------------------------------------------------------------------------------------


def test_kafka_has_a_healthcheck_and_the_services_reach_its_listener(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    test = kafka.get("healthcheck", {}).get("test")
    assert test and "kafka:9092" in " ".join(test if isinstance(test, list) else [test])
    assert compose["services"]["postgres"].get("healthcheck", {}).get("test")
    advertised = environment(kafka)["KAFKA_ADVERTISED_LISTENERS"].split(",")
    for name in SERVICES:
        servers = environment(compose["services"][name])["HRSS_BOOTSTRAP_SERVERS"]
        for server in servers.split(","):
            host = server.split(":")[0]
            assert host in compose["services"], f"{name}: bootstrap host {host!r} is no compose service"
            assert any(listener.endswith(f"//{server}") for listener in advertised), (
                f"{name}: bootstrap {server} is not an advertised listener {advertised}"
            )


def test_nothing_in_compose_contradicts_the_registry_topics(compose: dict[str, Any]) -> None:
    assert TOPICS == [s.topic for s in SERVICES.values() if s.topic]
    allowed = set(TOPICS) | {t + DLQ_SUFFIX for t in TOPICS}
    named = {
        m.group(0).rstrip(".")
        for text in strings(compose)
        for m in re.finditer(r"(?<![\w/.-])hrss\.[a-z0-9][a-z0-9._-]*", text)
    }
    assert named <= allowed, f"compose names topics the registry does not publish: {sorted(named - allowed)}"
    kafka = environment(compose["services"]["kafka"])
    # the services create their topics with replication factor 1 (hrss_shared.kafka.ensure_topics)
    assert int(kafka.get("KAFKA_DEFAULT_REPLICATION_FACTOR", "1")) == 1
    assert int(kafka.get("KAFKA_MIN_INSYNC_REPLICAS", "1")) <= 1


# --- databases and image ------------------------------------------------------------------------------------


def test_init_sql_creates_exactly_the_registry_databases(compose: dict[str, Any]) -> None:
    text = re.sub(r"--[^\n]*", "", INIT_SQL.read_text(encoding="utf-8"))
    created = re.findall(r"\bCREATE\s+DATABASE\s+\"?(\w+)\"?", text, flags=re.IGNORECASE)
    expected = [s.database for s in SERVICES.values()]
    assert len(created) == len(set(created)), f"databases created twice: {created}"
    assert sorted(created) == sorted(expected)
    volumes = compose["services"]["postgres"].get("volumes") or []
    mounted = [v for v in volumes if isinstance(v, str) and v.split(":")[1].startswith("/docker-entrypoint-initdb.d/")]
    assert [(REPO / v.split(":")[0]).resolve() for v in mounted] == [INIT_SQL]


def test_dockerfile_default_command_and_exposed_ports() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    exposed = {int(p) for line in re.findall(r"^EXPOSE\s+(.+)$", text, flags=re.MULTILINE) for p in line.split()}
    assert exposed == {s.port for s in SERVICES.values()}
    cmd = json.loads(re.findall(r"^CMD\s+(\[.*\])\s*$", text, flags=re.MULTILINE)[-1])
    gateway = SERVICES["gateway"]
    assert option(cmd, "--factory") == gateway.app
    assert option(cmd, "--port") == str(gateway.port)
    assert re.search(rf"^\s+UVICORN_PORT={gateway.port}\s*$", text, flags=re.MULTILINE)


# --- the helpers themselves ----------------------------------------------------------------------------------


def test_helpers() -> None:
    assert interpolate("a${X:-d}b$${Y}", {}) == "ad" + "b${Y}"
    assert interpolate("${X:-d}", {"X": "v"}) == "v"
    assert interpolate("${X:?set X}", {}) == REQUIRED_PLACEHOLDER
    assert interpolate("${X-d}", {"X": ""}) == ""
    assert published_ports({"ports": ["127.0.0.1:1:2", "3:4", "5", {"published": 6, "target": 7}]}) == [
        ("127.0.0.1", 1, 2),
        (None, 3, 4),
        (None, 5, 5),
        (None, 6, 7),
    ]
    assert environment({"environment": ["A=1", "B"]}) == {"A": "1", "B": ""}
    employment = SERVICES["employment"]
    assert "HRSS_EMPLOYMENT_DATABASE_URL" in service_variables(employment)
    assert "HRSS_DATABASE_URL" not in stack_wide_variables()
