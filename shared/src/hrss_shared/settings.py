"""Settings read from the environment with the ``HRSS_`` prefix (one class per service)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hrss_shared.registry import Service

DEV_AUTH_SECRET = "hrss-development-secret-do-not-use-in-production"
DEV_EVENT_KEY_SECRET = "hrss-development-event-key-secret-do-not-use-in-production"


def settings_config(service: Service) -> SettingsConfigDict:
    """The settings configuration of a registered service: its own ``HRSS_<SERVICE>_`` prefix."""
    return SettingsConfigDict(env_prefix=service.env_prefix, extra="ignore", populate_by_name=True)


class ServiceSettings(BaseSettings):
    """Common settings; each service subclasses it with ``env_prefix = "HRSS_<SERVICE>_"``.

    Fields shared by the whole stack (broker, data folder, auth and event-key secrets) are read from
    ``HRSS_<NAME>`` whatever the service prefix; service fields (port, database URL) from
    ``HRSS_<SERVICE>_<NAME>``.
    """

    model_config = SettingsConfigDict(env_prefix="HRSS_", extra="ignore", populate_by_name=True)

    service_name: str = "service"
    port: int = 8000
    database_url: str | None = None
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias=AliasChoices("environment", "HRSS_ENVIRONMENT")
    )
    data_dir: Path = Field(Path(".hrss"), validation_alias=AliasChoices("data_dir", "HRSS_DATA_DIR"))
    bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=AliasChoices("bootstrap_servers", "HRSS_BOOTSTRAP_SERVERS")
    )
    topic_prefix: str = Field("", validation_alias=AliasChoices("topic_prefix", "HRSS_TOPIC_PREFIX"))
    topic_partitions: int = Field(3, validation_alias=AliasChoices("topic_partitions", "HRSS_TOPIC_PARTITIONS"))
    # Replicas of the topics a service creates: 1 on one machine, 3 on a bureau's cluster (deploy/README.md).
    topic_replication_factor: int = Field(
        1, ge=1, validation_alias=AliasChoices("topic_replication_factor", "HRSS_TOPIC_REPLICATION_FACTOR"))
    auth_secret: SecretStr = Field(
        SecretStr(DEV_AUTH_SECRET), validation_alias=AliasChoices("auth_secret", "HRSS_AUTH_SECRET")
    )
    # Kafka message keys are HMAC-SHA256 of the event's subject under this secret (hrss_shared.outbox). Every
    # service must hold the same one; changing it changes every key, so a subject's events from before and after
    # the change may sit on different partitions.
    event_key_secret: SecretStr = Field(
        SecretStr(DEV_EVENT_KEY_SECRET), validation_alias=AliasChoices("event_key_secret", "HRSS_EVENT_KEY_SECRET")
    )
    dev_token: SecretStr | None = Field(None, validation_alias=AliasChoices("dev_token", "HRSS_DEV_TOKEN"))
    relay_enabled: bool = True
    consumers_enabled: bool = True
    consumer_max_retries: int = Field(
        3, validation_alias=AliasChoices("consumer_max_retries", "HRSS_CONSUMER_MAX_RETRIES")
    )
    outbox_retention_days: int = Field(
        7, ge=1, validation_alias=AliasChoices("outbox_retention_days", "HRSS_OUTBOX_RETENTION_DAYS")
    )
    idempotency_retention_hours: int = Field(
        24, ge=1, validation_alias=AliasChoices("idempotency_retention_hours", "HRSS_IDEMPOTENCY_RETENTION_HOURS"),
        description="how long a write's answer is kept for a retry with the same Idempotency-Key",
    )
    scheduler_enabled: bool = True
    max_body_bytes: int = Field(
        1024 * 1024, ge=1024, validation_alias=AliasChoices("max_body_bytes", "HRSS_MAX_BODY_BYTES"),
        description="request bodies larger than this are refused with 413 before they are read (imports: their own)",
    )
    rate_limit_policy: Path | None = Field(
        None, validation_alias=AliasChoices("rate_limit_policy", "HRSS_RATE_LIMIT_POLICY"),
        description="the per-client rate-limit policy (TOML, see hrss_shared.ratelimit); empty: the platform's own",
    )
    rate_limit_flush_seconds: float = Field(
        1.0, gt=0, le=60, validation_alias=AliasChoices("rate_limit_flush_seconds", "HRSS_RATE_LIMIT_FLUSH_SECONDS"),
        description="how often each instance shares its request counts with the others through the database",
    )
    gc_young_threshold: int = Field(
        5_000, ge=700, validation_alias=AliasChoices("gc_young_threshold", "HRSS_GC_YOUNG_THRESHOLD"),
        description="container allocations between two young-generation passes of Python's cyclic garbage "
                    "collector (CPython's default is 700). A bulk request or a consumer's batch makes hundreds of "
                    "thousands of short-lived objects that reference counting frees anyway; at 700 the collector "
                    "re-scanned the survivors so often that the bulk path ran at 25-29 % of raw COPY against 33-38 % "
                    "at 5,000 (HRSS_GC_YOUNG_THRESHOLD=700 python benchmarks/bulk_load.py). Higher values make each "
                    "pass of the older generation longer: at 50,000 the person view's p99 under load doubled "
                    "(HRSS_GC_YOUNG_THRESHOLD=50000 python benchmarks/person_view.py)",
    )
    log_level: str = Field("INFO", validation_alias=AliasChoices("log_level", "HRSS_LOG_LEVEL"))
    log_json: bool = Field(True, validation_alias=AliasChoices("log_json", "HRSS_LOG_JSON"))

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            if self.auth_secret.get_secret_value() == DEV_AUTH_SECRET:
                raise ValueError("HRSS_AUTH_SECRET still holds the development default; set a real secret")
            if self.event_key_secret.get_secret_value().strip() in ("", DEV_EVENT_KEY_SECRET):
                raise ValueError("HRSS_EVENT_KEY_SECRET is unset or holds the development default; set a real "
                                 "secret, the same for every service")
            if self.dev_token is not None:
                raise ValueError("HRSS_DEV_TOKEN is a development convenience and is refused in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file for this service under the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    def topic(self, name: str) -> str:
        """Full topic name with the optional deployment prefix (used to isolate test runs)."""
        return f"{self.topic_prefix}{name}"
