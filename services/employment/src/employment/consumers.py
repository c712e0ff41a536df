"""Handlers for other services' events (training's skill certificates fill the skill profile)."""

from hrss_shared.consumer import Handler

TOPICS = ["hrss.training"]
HANDLERS: dict[str, Handler] = {}
