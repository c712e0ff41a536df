"""``python -m labour_relations``: this service's own commands (migrations, event catalogue)."""

from hrss_contracts.asyncapi import document
from hrss_shared.registry import LABOUR_RELATIONS
from hrss_shared.service_cli import main
from labour_relations.config import LabourRelationsSettings
from labour_relations.main import MIGRATIONS

raise SystemExit(main(
    service=LABOUR_RELATIONS.name, migrations_dir=MIGRATIONS, settings=LabourRelationsSettings,
    asyncapi=lambda: document([str(LABOUR_RELATIONS.topic)]),
))
