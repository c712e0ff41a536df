"""The AsyncAPI 3.0.0 document of the event contracts: one channel per topic, one message per contract.

``document()`` is plain JSON (``json.dumps`` works) and deterministic: the same contracts give the same
document. Data schemas are the contract models' JSON Schemas in serialization mode, i.e. the JSON the
producers put on the wire (money as ``"5000.00"`` strings, dates as ISO strings).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from hrss_contracts import MODULES, contracts_of
from hrss_shared.events import CloudEvent, Contract
from hrss_shared.registry import DLQ_SUFFIX, TOPICS, owner_of_topic

ASYNCAPI_VERSION = "3.0.0"
TITLE = "衢州市人社 HRSS events 事件目录"
CONTENT_TYPE = "application/cloudevents+json"
SCHEMA_REF = "#/components/schemas/{model}"
KAFKA_BINDING_VERSION = "0.5.0"
DLQ_HEADERS = {
    "hrss-dlq-reason": "为何转入死信 Why the event was dead-lettered",
    "hrss-original-topic": "原主题 The topic the event was read from",
    "hrss-original-partition": "原分区（十进制）The partition it was read from, in decimal",
    "hrss-original-offset": "原位移（十进制）The offset it was read from, in decimal",
    "hrss-consumer-group": "放弃处理的消费组 The consumer group that gave up on it",
}
SUBJECT_LABELS = {"id_number": "公民身份号码 citizen ID number", "credit_code": "统一社会信用代码 credit code",
                  "client_id": "接入系统 id API client id"}

DESCRIPTION = f"""\
衢州市人力资源和社会保障局平台各服务发布的领域事件，由 `hrss_contracts` 的契约生成。
The domain events the services of the Quzhou HRSS platform publish, generated from the `hrss_contracts` contracts.

- **主题 Topics**: one per publishing service ({", ".join(f"`{t}`" for t in TOPICS)}); \
a deployment may prefix the names (the tests do).
- **消息键 Key**: 事件主体 the event's subject, used for per-person/per-employer ordering.
- **消息头 Header**: `content-type: {CONTENT_TYPE}`.
- **消息体 Value**: a CloudEvents 1.0 event in structured JSON mode whose `data` is the contract's model.
- **投递 Delivery**: at-least-once; consumers dedupe on (`source`, `id`).
- **版本 Versioning**: within a `.v1` type only additive changes (consumers ignore unknown fields); \
a breaking change is a new `.v2` type.
- **死信 Dead letters**: a consumer that gives up on an event publishes its original key and value to \
`<topic>{DLQ_SUFFIX}` with the headers {", ".join(f"`{h}`" for h in DLQ_HEADERS)}.
"""


def document(topics: Sequence[str] | None = None, *, server: str | None = None) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of ``topics`` (default: every registry topic), with ``server`` as Kafka host."""
    selected = sorted(set(TOPICS if topics is None else topics))
    by_topic = {topic: contracts_of(topic) for topic in selected}  # KeyError for an unknown topic
    contracts = [c for topic in selected for c in by_topic[topic]]
    schemas, data_refs = _schemas([c.model for c in contracts])

    doc: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": TITLE, "version": _version(), "description": DESCRIPTION},
        "defaultContentType": CONTENT_TYPE,
    }
    if server is not None:
        if "://" in server:
            raise ValueError(f"server {server!r} is a host[:port], without a scheme")
        doc["servers"] = {
            "kafka": {"host": server, "protocol": "kafka", "description": "Kafka 集群 The Kafka cluster (bootstrap)"}
        }
    doc["channels"] = {topic: _channel(topic, by_topic[topic]) for topic in selected}
    doc["operations"] = {_operation_id(topic): _operation(topic, by_topic[topic]) for topic in selected}
    doc["components"] = {
        "messages": {c.type: _message(c, data_refs[c.model]) for c in sorted(contracts, key=lambda c: c.type)},
        "schemas": schemas,
    }
    doc["x-delivery"] = {"guarantee": "at-least-once", "dedupe-on": ["source", "id"]}
    return doc


def _version() -> str:
    try:
        return importlib.metadata.version("hrss-platform")
    except importlib.metadata.PackageNotFoundError:
        return "0.0.0"


def _operation_id(topic: str) -> str:
    return f"{owner_of_topic(topic).name}.publish"


def _channel(topic: str, contracts: list[Contract[Any]]) -> dict[str, Any]:
    owner = owner_of_topic(topic)
    return {
        "address": topic,
        "title": owner.title,
        "description": (
            f"{owner.title} 服务发布的事件 Events the {owner.name} service publishes. "
            "部署可为主题名加前缀 A deployment may prefix the address."
        ),
        "messages": {c.type: {"$ref": f"#/components/messages/{c.type}"} for c in contracts},
        "x-service": owner.name,
        "x-contracts-module": MODULES[topic].__name__,
        "x-dead-letter": {
            "address": f"{topic}{DLQ_SUFFIX}",
            "description": (
                "消费者放弃处理的事件：原键、原值，另加以下消息头 Events a consumer gave up on: "
                "the original key and value, plus these headers."
            ),
            "headers": _object({name: {"type": "string", "description": text} for name, text in DLQ_HEADERS.items()}),
        },
    }


def _operation(topic: str, contracts: list[Contract[Any]]) -> dict[str, Any]:
    owner = owner_of_topic(topic)
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{topic}"},
        "title": f"{owner.title}：发布事件 Publishes its events",
        "summary": f"The {owner.name} service publishes its events to {topic}.",
        "messages": [{"$ref": f"#/channels/{topic}/messages/{c.type}"} for c in contracts],
        "x-service": owner.name,
    }


def _message(contract: Contract[Any], data_ref: dict[str, Any]) -> dict[str, Any]:
    field = contract.subject
    model: type[BaseModel] = contract.model
    label = SUBJECT_LABELS.get(field, field)
    subject = f"事件主体：data.{field}（{label}）The value of the data's `{field}` field."
    return {
        "name": contract.type,
        "title": contract.summary,
        "summary": contract.summary,
        "description": (
            f"{contract.summary}. Subject: the data's `{field}`; data: `{model.__name__}`; "
            f"contract version {contract.version}."
        ),
        "contentType": CONTENT_TYPE,
        "headers": _object({"content-type": {"type": "string", "const": CONTENT_TYPE}}),
        "payload": _envelope(contract, data_ref, subject),
        "correlationId": {
            "description": "请求关联号 The correlation id of the request that caused the event",
            "location": "$message.payload#/correlationid",
        },
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{64}$",
                    "description": "事件主体的密钥哈希 HMAC-SHA256 (hex) of the subject under the stack's event-key "
                    "secret (HRSS_EVENT_KEY_SECRET): the same subject always has the same key, so one person's or "
                    "employer's events stay in order on one partition, and no ID number travels in the key. "
                    "Read the subject from the CloudEvent's `subject`.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-service": contract.service.name,
        "x-entity": contract.entity,
        "x-verb": contract.verb,
        "x-version": contract.version,
        "x-subject-field": field,
    }


def _envelope(contract: Contract[Any], data_ref: dict[str, Any], subject: str) -> dict[str, Any]:
    """The CloudEvent schema of one contract: ``CloudEvent``'s own constraints plus the contract's constants."""
    base = CloudEvent.model_json_schema(mode="serialization")
    properties: dict[str, Any] = {
        name: {k: v for k, v in schema.items() if k not in ("title", "default")}
        for name, schema in base["properties"].items()
    }
    properties["type"] = {"type": "string", "const": contract.type}
    properties["source"] = {"type": "string", "const": contract.service.source}
    properties["subject"] = {**properties["subject"], "description": subject}
    properties["id"]["description"] = "事件 id, unique per source; consumers dedupe on (source, id)"
    properties["time"]["description"] = "发生时间 When it happened, with a UTC offset"
    properties["data"] = data_ref
    properties["correlationid"] = {"type": "string", "description": "请求关联号 CloudEvents extension: correlation id"}
    required = [name for name in properties if name != "correlationid"]
    return {
        "type": "object",
        "description": f"CloudEvents 1.0 structured JSON event: {contract.summary}",
        "required": required,
        "properties": properties,
        "additionalProperties": True,
    }


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": sorted(properties), "properties": properties}


def _schemas(models: list[type[BaseModel]]) -> tuple[dict[str, Any], dict[type[BaseModel], dict[str, Any]]]:
    """Every model's schema with nested definitions hoisted, keyed by name; and each model's ``$ref``."""
    unique = sorted(set(models), key=lambda m: (m.__module__, m.__qualname__))
    mode: JsonSchemaMode = "serialization"
    refs, top = models_json_schema([(m, mode) for m in unique], ref_template=SCHEMA_REF)
    schemas: dict[str, Any] = {}
    for name, schema in top.get("$defs", {}).items():
        _hoist(name, schema, schemas)
    return dict(sorted(schemas.items())), {m: refs[(m, mode)] for m in unique}


def _hoist(name: str, schema: dict[str, Any], into: dict[str, Any]) -> None:
    nested = schema.pop("$defs", {})
    for inner_name, inner in nested.items():
        _hoist(inner_name, inner, into)
    if name in into and into[name] != schema:
        raise ValueError(f"two different schemas are named {name!r}")
    into[name] = schema
