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


def test_every_kafka_client_in_the_code_takes_the_security_options() -> None:
    """A client built without them would reach a PLAINTEXT broker in tests and fail on the bureau's cluster."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing, seen = [], 0
    for path in [*root.glob("shared/src/**/*.py"), *root.glob("services/*/src/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in {
                    "AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient"}:
                seen += 1
                if not any(k.arg is None and ast.unparse(k.value).endswith("options()") for k in node.keywords):
                    missing.append(f"{path.relative_to(root)}:{node.lineno}")
    assert seen >= 10 and missing == []
