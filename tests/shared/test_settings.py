"""Service settings: environment names, data folder default, refusal of development secrets in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from employment.config import EmploymentSettings
from gateway.config import GatewaySettings
from hrss_shared.settings import DEV_AUTH_SECRET

STRONG = "a-real-production-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HRSS_ENVIRONMENT", "HRSS_AUTH_SECRET", "HRSS_EVENT_KEY_SECRET", "HRSS_DEV_TOKEN", "HRSS_DATA_DIR",
                 "HRSS_EMPLOYMENT_DATABASE_URL", "HRSS_EMPLOYMENT_PORT", "HRSS_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="HRSS_AUTH_SECRET"):
        EmploymentSettings(environment="production")
    with pytest.raises(ValidationError, match="HRSS_AUTH_SECRET"):
        EmploymentSettings(environment="production", auth_secret=DEV_AUTH_SECRET)


def test_production_refuses_the_dev_token() -> None:
    with pytest.raises(ValidationError, match="HRSS_DEV_TOKEN"):
        EmploymentSettings(environment="production", auth_secret=STRONG, event_key_secret=STRONG, dev_token="dev")
    assert EmploymentSettings(environment="production", auth_secret=STRONG, event_key_secret=STRONG).dev_token is None


def test_development_accepts_the_defaults() -> None:
    settings = EmploymentSettings()
    assert settings.environment == "development"
    assert settings.auth_secret.get_secret_value() == DEV_AUTH_SECRET


def test_environment_is_read_from_stack_wide_and_service_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HRSS_ENVIRONMENT", "production")
    monkeypatch.setenv("HRSS_AUTH_SECRET", STRONG)
    monkeypatch.setenv("HRSS_EVENT_KEY_SECRET", STRONG)
    monkeypatch.setenv("HRSS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HRSS_BOOTSTRAP_SERVERS", "kafka-1:9092")
    monkeypatch.setenv("HRSS_EMPLOYMENT_PORT", "18001")
    settings = EmploymentSettings()
    assert settings.environment == "production"
    assert settings.auth_secret.get_secret_value() == STRONG
    assert settings.bootstrap_servers == "kafka-1:9092"
    assert settings.port == 18001
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{(tmp_path / 'employment.db').resolve()}"
    monkeypatch.setenv("HRSS_AUTH_SECRET", DEV_AUTH_SECRET)
    with pytest.raises(ValidationError):
        EmploymentSettings()


def test_each_service_has_its_own_database_file_and_url_override(tmp_path: Path) -> None:
    emp = EmploymentSettings(data_dir=tmp_path)
    gw = GatewaySettings(data_dir=tmp_path)
    assert emp.resolved_database_url != gw.resolved_database_url
    assert gw.resolved_database_url.endswith("/gateway.db")
    url = "postgresql+asyncpg://u@h/employment"
    assert EmploymentSettings(database_url=url).resolved_database_url == url


def test_topic_prefix_isolates_deployments() -> None:
    assert EmploymentSettings(topic_prefix="t1.").topic("hrss.employment") == "t1.hrss.employment"
    assert EmploymentSettings().topic("hrss.employment") == "hrss.employment"
