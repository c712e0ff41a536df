"""How every Kafka client of the platform authenticates: PLAINTEXT on one machine, SASL and/or TLS on a cluster.

Read once from the environment (``HRSS_KAFKA_SECURITY_PROTOCOL``, ``HRSS_KAFKA_SASL_MECHANISM``,
``HRSS_KAFKA_SASL_USERNAME``, ``HRSS_KAFKA_SASL_PASSWORD``, ``HRSS_KAFKA_SSL_CAFILE``) and handed to each producer,
consumer and admin client as keyword arguments (:func:`options`), so a service, the CLI and the gateway's rebuild
reach a secured cluster with the same settings. deploy/README.md shows a cluster's principals and ACLs.
"""

from __future__ import annotations

import functools
import ssl
from typing import Any, Literal

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.helpers import create_ssl_context
from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Protocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
Mechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


class KafkaSecurity(BaseSettings):
    """``HRSS_KAFKA_*``: the credentials of this process's principal on the cluster."""

    model_config = SettingsConfigDict(env_prefix="HRSS_KAFKA_", extra="ignore")

    security_protocol: Protocol = "PLAINTEXT"
    sasl_mechanism: Mechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None  # CA bundle of the brokers' certificates (SSL, SASL_SSL); system CAs otherwise

    @model_validator(mode="after")
    def _complete(self) -> KafkaSecurity:
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and not (self.sasl_mechanism and self.sasl_username and self.sasl_password):
            raise ValueError(f"HRSS_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs HRSS_KAFKA_SASL_MECHANISM, "
                             "HRSS_KAFKA_SASL_USERNAME and HRSS_KAFKA_SASL_PASSWORD")
        if not sasl and (self.sasl_mechanism or self.sasl_username):
            raise ValueError("HRSS_KAFKA_SASL_* is set but HRSS_KAFKA_SECURITY_PROTOCOL is not SASL_PLAINTEXT or "
                             "SASL_SSL")
        return self

    def options(self) -> dict[str, Any]:
        """Keyword arguments for ``AIOKafkaProducer`` / ``AIOKafkaConsumer`` / ``AIOKafkaAdminClient``."""
        if self.security_protocol == "PLAINTEXT":
            return {}
        found: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.security_protocol.endswith("SSL"):
            context: ssl.SSLContext = create_ssl_context(cafile=self.ssl_cafile)
            found["ssl_context"] = context
        if self.security_protocol.startswith("SASL_"):
            assert self.sasl_password is not None
            found.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                         sasl_plain_password=self.sasl_password.get_secret_value())
        return found


@functools.cache
def _options() -> dict[str, Any]:
    return KafkaSecurity().options()  # one TLS context for every client of the process


def options() -> dict[str, Any]:
    """This process's Kafka security options (from ``HRSS_KAFKA_*``; empty on a PLAINTEXT broker)."""
    return dict(_options())


def reload() -> None:
    """Read ``HRSS_KAFKA_*`` again (tests that change the environment)."""
    _options.cache_clear()


def admin_client(bootstrap: str, client_id: str, *, request_timeout_ms: int = 10000) -> AIOKafkaAdminClient:
    """An admin client of this process's principal (not started)."""
    return AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id=client_id,
                               request_timeout_ms=request_timeout_ms, **options())
