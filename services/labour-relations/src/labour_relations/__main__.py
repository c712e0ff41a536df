"""``python -m labour_relations``: this service's own commands (migrations, event catalogue)."""

from typing import Any

from hrss_shared.registry import LABOUR_RELATIONS
from hrss_shared.service_cli import main
from labour_relations.config import LabourRelationsSettings


def asyncapi() -> dict[str, Any]:
    from hrss_contracts.asyncapi import document  # every contract: only this command needs them

    return document([str(LABOUR_RELATIONS.topic)])


raise SystemExit(main(
    service=LABOUR_RELATIONS.name, settings=LabourRelationsSettings,
    asyncapi=asyncapi,
))
