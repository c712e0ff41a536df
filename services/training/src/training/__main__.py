"""``python -m training``: this service's own commands (migrations, event catalogue)."""

from typing import Any

from hrss_shared.registry import TRAINING
from hrss_shared.service_cli import main
from training.config import TrainingSettings


def asyncapi() -> dict[str, Any]:
    from hrss_contracts.asyncapi import document  # every contract: only this command needs them

    return document([str(TRAINING.topic)])


raise SystemExit(main(
    service=TRAINING.name, settings=TrainingSettings,
    asyncapi=asyncapi,
))
