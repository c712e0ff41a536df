"""Structured JSON logs (structlog) with a correlation id carried from request to events, and citizen ID
numbers masked in every line."""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
from contextvars import ContextVar
from typing import Any

import structlog

CORRELATION_HEADER = "X-Correlation-ID"
CORRELATION_KEY = CORRELATION_HEADER.lower().encode()  # as ASGI carries header names
SCOPE_KEY = "hrss.correlation_id"
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def _add_correlation(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    cid = correlation_id.get()
    if cid and "correlation_id" not in event_dict:
        event_dict["correlation_id"] = cid
    return event_dict


# A citizen ID number in text: 18 characters (17 digits and a check digit or X) or a 15-digit first-generation
# one (area, YYMMDD, sequence), not part of a longer run of digits; a %XX escape before it (a raw query string)
# is no digit of it.
_ID_IN_TEXT = re.compile(
    r"(?:(?<!\d)|(?<=%[0-9A-Fa-f]{2}))"
    r"(?:\d{17}[\dXx]|[1-8]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})"
    r"(?!\d)"
)
_SHORTEST_ID = 15


def _mask_match(match: re.Match[str]) -> str:
    from hrss_shared.privacy import mask_id  # privacy imports this module; only reached when a line holds an ID

    return mask_id(match.group(0))


def mask_id_numbers_in(text: str) -> str:
    """``text`` with every citizen ID number masked as the API masks it (``3308**********1234``)."""
    return _ID_IN_TEXT.sub(_mask_match, text) if len(text) >= _SHORTEST_ID else text


def _mask_nested(value: Any) -> Any:
    if isinstance(value, str):
        return mask_id_numbers_in(value)
    if isinstance(value, dict):
        return {k: _mask_nested(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_nested(v) for v in value]
    return value


def mask_id_numbers(_: object, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
    """Processor: no citizen ID number leaves in a log line unmasked — in the message, a request path (uvicorn's
    access line), an error or a traceback. Strings only (and the dicts and lists holding them); one regex."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            if len(value) >= _SHORTEST_ID:
                event_dict[key] = _ID_IN_TEXT.sub(_mask_match, value)
        elif isinstance(value, dict | list | tuple):
            event_dict[key] = _mask_nested(value)
    return event_dict


# uvicorn's loggers; its default log configuration gives them handlers of their own, which write access and error
# lines as plain text past the renderer and the masking.
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    """Route stdlib and structlog records through one JSON (or console) renderer, ID numbers masked.

    uvicorn's loggers are handed to that renderer too; uvicorn configures them before it calls the app factory
    (``uvicorn --factory``), which calls this. An access log turned off (``--no-access-log``) stays off.
    """
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_correlation,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if json
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        # Tracebacks become text first, so the masking sees them (and the line carries them).
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.format_exc_info,
                    mask_id_numbers, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    structlog.contextvars.bind_contextvars(service=service)
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for name in SERVER_LOGGERS:
        server = logging.getLogger(name)
        if server.handlers:
            server.handlers.clear()
            server.propagate = True


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)


_ID_PREFIX = os.urandom(8).hex()  # this process's; a counter makes each id unique within it
_ID_COUNTER = itertools.count()


def new_correlation_id() -> str:
    """32 hex digits, unique across processes and requests (random per process, then a counter; no syscall)."""
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"
