"""``python -m gateway``: the gateway's own commands (migrations, event catalogue, API clients, rebuild).

A command imports what it runs when it runs: ``clients list`` does not load the read models."""

import argparse
from typing import Any

from gateway.clients import cli as clients
from gateway.config import GatewaySettings
from hrss_shared.registry import GATEWAY
from hrss_shared.service_cli import main


def rebuild(args: argparse.Namespace) -> int:
    from gateway import rebuild

    return rebuild.run(args)


def asyncapi() -> dict[str, Any]:
    """The gateway's AsyncAPI document: every topic its read models consume."""
    from gateway.readmodel import MODULES
    from hrss_contracts.asyncapi import document

    return document(list(MODULES))


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    clients.add_commands(sub)
    cmd = sub.add_parser("rebuild", help="rebuild every read-model table from the domain topics (gateway stopped)")
    cmd.add_argument("--force", action="store_true",
                     help="rebuild even if the topics no longer keep every event (from what they still hold)")
    cmd.add_argument("--no-progress", action="store_true", help="no progress bar")
    cmd.set_defaults(func=rebuild)


raise SystemExit(main(service=GATEWAY.name, settings=GatewaySettings, asyncapi=asyncapi, extend=add_commands))
