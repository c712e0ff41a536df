"""``python -m gateway``: the gateway's own commands (migrations, event catalogue, API clients, rebuild)."""

import argparse

from gateway import rebuild
from gateway.clients import cli as clients
from gateway.config import GatewaySettings
from gateway.main import MIGRATIONS
from gateway.readmodel import MODULES
from hrss_contracts.asyncapi import document
from hrss_shared.registry import GATEWAY
from hrss_shared.service_cli import main


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    clients.add_commands(sub)
    rebuild.add_commands(sub)


raise SystemExit(main(
    service=GATEWAY.name, migrations_dir=MIGRATIONS, settings=GatewaySettings,
    asyncapi=lambda: document(list(MODULES)), extend=add_commands,
))
