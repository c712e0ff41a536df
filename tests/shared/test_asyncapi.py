"""The AsyncAPI 3.0.0 document generated from the event contracts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hrss_contracts import all_contracts, contract_for, contracts_of
from hrss_contracts.asyncapi import document
from hrss_contracts.employment import EMPLOYMENT_REGISTERED, EmploymentRegistered
from hrss_shared.events import new_event
from hrss_shared.registry import TOPICS
from hrss_shared.validators import make_credit_code

DOC_URI = "urn:hrss:asyncapi"
# Keywords of JSON Schema 2020-12 that the AsyncAPI Schema Object (a draft-07 superset) does not know.
NOT_IN_DRAFT_07 = {"$defs", "prefixItems", "unevaluatedProperties", "unevaluatedItems", "dependentRequired",
                   "dependentSchemas", "$dynamicRef", "$dynamicAnchor", "$anchor", "$vocabulary"}


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    generated: dict[str, Any] = document()
    return generated


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            if key not in ("properties", "patternProperties"):
                yield from _keys(value)
            else:
                for schema in value.values():
                    yield from _keys(schema)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not local to the document"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} does not resolve (at {part!r})"
        node = node[part]
    return node


def _payload_validator(doc: dict[str, Any], event_type: str) -> Draft202012Validator:
    resource = Resource.from_contents(doc, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    schema = {"$ref": f"{DOC_URI}#/components/messages/{event_type}/payload"}
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _sample_event() -> dict[str, Any]:
    data = EmploymentRegistered(
        id="er-1", id_number="11010519491231002X", name="张三", credit_code=make_credit_code("330802", 1),
        employer_name="衢州示例有限公司", county_code="330802", start_date=date(2026, 3, 1), occupation="电工",
    )
    contract = EMPLOYMENT_REGISTERED
    event = new_event(source=contract.service.source, type=contract.type, subject=contract.subject_of(data),
                      data=contract.dump(data))
    loaded: dict[str, Any] = json.loads(event.to_json())
    return loaded


def test_document_is_asyncapi_3_with_a_channel_per_registry_topic(doc: dict[str, Any]) -> None:
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == "衢州市人社 HRSS events 事件目录"
    assert doc["info"]["version"]
    assert "servers" not in doc
    assert {channel["address"] for channel in doc["channels"].values()} == set(TOPICS)
    for topic in TOPICS:
        assert doc["channels"][topic]["address"] == topic
        assert doc["channels"][topic]["x-dead-letter"]["address"] == f"{topic}.dlq"
    json.dumps(doc)


def test_one_message_per_contract_with_its_type_and_source(doc: dict[str, Any]) -> None:
    messages = doc["components"]["messages"]
    assert set(messages) == {c.type for c in all_contracts()}
    for event_type, message in messages.items():
        contract = contract_for(event_type)
        payload = message["payload"]
        assert message["name"] == event_type
        assert message["contentType"] == "application/cloudevents+json"
        assert payload["properties"]["type"]["const"] == event_type
        assert payload["properties"]["source"]["const"] == contract.service.source
        assert payload["properties"]["data"] == {"$ref": f"#/components/schemas/{contract.model.__name__}"}
        assert message["x-subject-field"] == contract.subject
        assert message["x-version"] == contract.version


def test_channels_and_send_operations_list_each_topics_contracts(doc: dict[str, Any]) -> None:
    operations = list(doc["operations"].values())
    assert len(operations) == len(TOPICS)
    for topic in TOPICS:
        types = [c.type for c in contracts_of(topic)]
        assert list(doc["channels"][topic]["messages"]) == types  # {} for a topic with no contracts yet
        (operation,) = [op for op in operations if op["channel"] == {"$ref": f"#/channels/{topic}"}]
        assert operation["action"] == "send"
        assert operation["messages"] == [{"$ref": f"#/channels/{topic}/messages/{t}"} for t in types]


def test_every_ref_resolves_inside_the_document(doc: dict[str, Any]) -> None:
    refs = set(_refs(doc))
    assert refs
    for ref in refs:
        _resolve(doc, ref)


def test_component_schemas_are_valid_json_schema_within_asyncapi_schema_keywords(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert {c.model.__name__ for c in all_contracts()} <= set(schemas)
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
        assert not NOT_IN_DRAFT_07 & set(_keys(schema))
    for message in doc["components"]["messages"].values():
        Draft202012Validator.check_schema(message["payload"])
        Draft202012Validator.check_schema(message["headers"])
        Draft202012Validator.check_schema(message["bindings"]["kafka"]["key"])


def _model_names(contracts: list[Any]) -> set[str]:
    """Each contract's payload model and the models nested in it, once each."""
    names = set()
    for contract in contracts:
        names.add(contract.model.__name__)
        names.update(contract.model.model_json_schema().get("$defs", {}))
    return names


def test_a_model_shared_by_two_contracts_appears_once(doc: dict[str, Any]) -> None:
    messages = doc["components"]["messages"]
    repaid = messages["hrss.employment.startup_loan.repaid.v1"]["payload"]["properties"]["data"]
    recorded = messages["hrss.employment.startup_loan.repayment_recorded.v1"]["payload"]["properties"]["data"]
    assert repaid == recorded == {"$ref": "#/components/schemas/StartupLoanRepayment"}
    assert set(doc["components"]["schemas"]) == _model_names(all_contracts())


def test_a_real_event_validates_against_its_message_payload(doc: dict[str, Any]) -> None:
    event = _sample_event()
    validator = _payload_validator(doc, EMPLOYMENT_REGISTERED.type)
    validator.validate(event)

    assert not validator.is_valid({**event, "type": "hrss.employment.employment.terminated.v1"})
    assert not validator.is_valid({**event, "source": "/hrss/training"})
    assert not validator.is_valid({**event, "data": {k: v for k, v in event["data"].items() if k != "id_number"}})
    assert not validator.is_valid({k: v for k, v in event.items() if k != "subject"})
    assert validator.is_valid({**event, "data": {**event["data"], "added_later": 1}})  # additive change


def test_document_of_one_topic_has_only_that_topic() -> None:
    doc = document(["hrss.training"])
    assert list(doc["channels"]) == ["hrss.training"]
    assert len(doc["operations"]) == 1
    assert set(doc["components"]["messages"]) == {c.type for c in contracts_of("hrss.training")}
    assert set(doc["components"]["schemas"]) == _model_names(contracts_of("hrss.training"))
    for ref in _refs(doc):
        _resolve(doc, ref)


def test_document_is_deterministic() -> None:
    first, second = document(), document(list(reversed(TOPICS)))
    assert first == second
    assert json.dumps(first, ensure_ascii=False) == json.dumps(second, ensure_ascii=False)


def test_server_and_unknown_topic() -> None:
    doc = document(server="kafka.hrss.local:9092")
    assert doc["servers"] == {"kafka": {"host": "kafka.hrss.local:9092", "protocol": "kafka",
                                        "description": doc["servers"]["kafka"]["description"]}}
    with pytest.raises(KeyError):
        document(["hrss.nope"])
    with pytest.raises(ValueError):
        document(server="kafka://kafka.hrss.local:9092")
