"""No citizen ID number leaves in a log line unmasked: messages, fields, uvicorn's access line, tracebacks."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from hrss_shared.logs import configure_logging, get_logger, mask_id_numbers_in
from hrss_shared.privacy import mask_id
from tests import factories

PERSON = factories.id_number()
MASKED = mask_id(PERSON)


def test_ids_in_text_are_masked_and_other_numbers_are_not() -> None:
    assert mask_id_numbers_in(f"GET /v1/persons/{PERSON} HTTP/1.1") == f"GET /v1/persons/{MASKED} HTTP/1.1"
    assert mask_id_numbers_in(f"id_number={PERSON.lower()}&x=1") == f"id_number={mask_id(PERSON.lower())}&x=1"
    assert mask_id_numbers_in(f"q=%22{PERSON}%22") == f"q=%22{MASKED}%22"  # after a %XX escape
    legacy = "330802750517123"  # 15-digit first-generation number
    assert mask_id_numbers_in(f"old {legacy}") == f"old {mask_id(legacy)}"
    for untouched in ("order 1234567890123456789012", "phone 13857012345", "credit 91330802MA2ABCDE1X",
                      "ts 1764300000000", "short"):
        assert mask_id_numbers_in(untouched) == untouched


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """configure_logging's handler, writing into a buffer; the root logger restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(service="test", level="INFO", json=True)
    buffer = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    structlog.reset_defaults()


def lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_structlog_fields_and_nested_values_are_masked(captured: io.StringIO) -> None:
    get_logger("t").info(f"looked up {PERSON}", id_number=PERSON, rows=[{"id": PERSON}], count=3)
    [line] = lines(captured)
    assert PERSON not in captured.getvalue()
    assert line["event"] == f"looked up {MASKED}" and line["id_number"] == MASKED
    assert line["rows"] == [{"id": MASKED}] and line["count"] == 3


def test_uvicorn_access_line_is_masked(captured: io.StringIO) -> None:
    access = logging.getLogger("uvicorn.access")
    access.handlers.append(logging.StreamHandler(io.StringIO()))  # uvicorn's own handler, as its config adds it
    # uvicorn's default config sets INFO; a server another test ran in this process may have left it at CRITICAL
    # (tests/shared/test_connections.py runs one with log_level="critical").
    access.setLevel(logging.INFO)
    configure_logging(service="test", level="INFO", json=True)  # the app factory runs after uvicorn's config
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(captured)
    assert access.handlers == [] and access.propagate
    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/v1/persons/{PERSON}?purpose=x", "1.1", 200)
    assert PERSON not in captured.getvalue()
    assert MASKED in captured.getvalue()


def test_tracebacks_are_masked(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"no person {PERSON}")
    except ValueError:
        logging.getLogger("app").exception("lookup failed")
    text = captured.getvalue()
    assert "ValueError" in text and MASKED in text
    assert PERSON not in text

