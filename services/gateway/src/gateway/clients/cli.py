"""``python -m gateway clients create|list|revoke``: manage API clients in the gateway's own database."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TYPE_CHECKING

from gateway.config import GatewaySettings

if TYPE_CHECKING:
    from hrss_shared.outbox import Outbox


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``clients create|list|revoke`` to the gateway's command line."""
    clients = sub.add_parser("clients", help="manage API clients (stored in the gateway database)")
    csub = clients.add_subparsers(dest="clients_command", required=True)
    create = csub.add_parser("create", help="create a client and print its bearer token")
    create.add_argument("--name", required=True)
    create.add_argument("--scopes", required=True, help="comma-separated, e.g. gateway:read,pii:read")
    create.add_argument("--county", help="limit the client to one county code")
    create.add_argument("--ttl-days", type=int, default=365)
    csub.add_parser("list", help="list clients")
    revoke = csub.add_parser("revoke", help="revoke a client (every service refuses it once a gateway has "
                                            "published the revocation)")
    revoke.add_argument("client_id")
    clients.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_run(args))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def outbox_of(settings: GatewaySettings) -> Outbox:
    """The gateway's outbox for code outside the app (``revoke``): the app's relay publishes what it stages."""
    from gateway.db import infra
    from hrss_shared.outbox import Outbox
    from hrss_shared.registry import GATEWAY, REVOCATIONS_TOPIC

    return Outbox(infra.outbox, topic=settings.topic(REVOCATIONS_TOPIC), source=GATEWAY.source,
                  publishes=REVOCATIONS_TOPIC, key_secret=settings.event_key_secret.get_secret_value())


async def _run(args: argparse.Namespace) -> int:
    # Imported here: the command line is built before any of them is needed (``python -m gateway`` starts quickly).
    from gateway.clients import service
    from gateway.clients.models import ClientCreate, ClientPublic
    from hrss_shared import db, migrations
    from hrss_shared.problems import ProblemError

    settings = GatewaySettings()
    engine = db.make_engine(settings.resolved_database_url)
    try:
        await migrations.upgrade(engine, migrations.folder("gateway"))
        async with db.make_sessionmaker(engine)() as session, session.begin():
            if args.clients_command == "create":
                data = ClientCreate(name=args.name, scopes=args.scopes.split(","), county_code=args.county,
                                    ttl_days=args.ttl_days)
                client, token = await service.create(
                    session=session, secret=settings.auth_secret.get_secret_value(), data=data
                )
                public = ClientPublic.model_validate(client).model_dump(mode="json")
                print(json.dumps({**public, "token": token}, ensure_ascii=False, indent=2))
            elif args.clients_command == "list":
                for client in await service.list_clients(session=session):
                    print(json.dumps(ClientPublic.model_validate(client).model_dump(mode="json"), ensure_ascii=False))
            else:
                try:
                    client = await service.revoke(session=session, outbox=outbox_of(settings),
                                                  client_id=args.client_id)
                except ProblemError as exc:
                    print(exc.detail, file=sys.stderr)
                    return 1
                print(f"revoked {client.id}")
    finally:
        await engine.dispose()
    return 0
