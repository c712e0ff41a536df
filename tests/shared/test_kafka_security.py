"""HRSS_KAFKA_*: one principal's credentials for every Kafka client of a process, refused when incomplete."""

from __future__ import annotations

import ssl

import pytest
from pydantic import ValidationError

from hrss_shared import kafka_security
from hrss_shared.kafka_security import KafkaSecurity


async def test_plaintext_adds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD", "SSL_CAFILE"):
        monkeypatch.delenv(f"HRSS_KAFKA_{name}", raising=False)
    kafka_security.reload()
    assert kafka_security.options() == {}
    assert kafka_security.admin_client("127.0.0.1:1", "probe")._client._security_protocol == "PLAINTEXT"


async def test_sasl_ssl_gives_every_client_the_principal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HRSS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("HRSS_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("HRSS_KAFKA_SASL_USERNAME", "hrss-employment")
    monkeypatch.setenv("HRSS_KAFKA_SASL_PASSWORD", "s3cret")
    kafka_security.reload()
    try:
        found = kafka_security.options()
        assert {k: v for k, v in found.items() if k != "ssl_context"} == {
            "security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": "hrss-employment", "sasl_plain_password": "s3cret"}
        assert isinstance(found["ssl_context"], ssl.SSLContext)
        client = kafka_security.admin_client("127.0.0.1:1", "probe")._client
        assert (client._security_protocol, client._sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
        assert "s3cret" not in repr(KafkaSecurity())
    finally:
        monkeypatch.undo()
        kafka_security.reload()


@pytest.mark.parametrize(("env", "message"), [
    ({"SECURITY_PROTOCOL": "SASL_PLAINTEXT", "SASL_MECHANISM": "PLAIN", "SASL_USERNAME": "u"}, "needs"),
    ({"SASL_USERNAME": "u"}, "is not SASL_PLAINTEXT"),
    ({"SECURITY_PROTOCOL": "KERBEROS"}, "security_protocol"),
    ({"SECURITY_PROTOCOL": "SASL_SSL", "SASL_MECHANISM": "GSSAPI", "SASL_USERNAME": "u", "SASL_PASSWORD": "p"},
     "sasl_mechanism"),
])
def test_incomplete_or_unknown_settings_are_refused(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                     message: str) -> None:
    for name in ("SECURITY_PROTOCOL", "SASL_MECHANISM", "SASL_USERNAME", "SASL_PASSWORD", "SSL_CAFILE"):
        monkeypatch.delenv(f"HRSS_KAFKA_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"HRSS_KAFKA_{name}", value)
    with pytest.raises(ValidationError, match=message):
        KafkaSecurity()
