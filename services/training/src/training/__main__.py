"""``python -m training``: this service's own commands (migrations, event catalogue)."""

from hrss_contracts.asyncapi import document
from hrss_shared.registry import TRAINING
from hrss_shared.service_cli import main
from training.config import TrainingSettings
from training.main import MIGRATIONS

raise SystemExit(main(
    service=TRAINING.name, migrations_dir=MIGRATIONS, settings=TrainingSettings,
    asyncapi=lambda: document([str(TRAINING.topic)]),
))
