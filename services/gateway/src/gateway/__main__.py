"""``python -m gateway``: the gateway's own commands (migrations, event catalogue, API clients)."""

from gateway.clients.cli import add_commands
from gateway.config import GatewaySettings
from gateway.main import MIGRATIONS
from gateway.readmodel import MODULES
from hrss_contracts.asyncapi import document
from hrss_shared.registry import GATEWAY
from hrss_shared.service_cli import main

raise SystemExit(main(
    service=GATEWAY.name, migrations_dir=MIGRATIONS, settings=GatewaySettings,
    asyncapi=lambda: document(list(MODULES)), extend=add_commands,
))
