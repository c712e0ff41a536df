"""``python -m employment``: this service's own commands (migrations, event catalogue)."""

from typing import Any

from employment.config import EmploymentSettings
from hrss_shared.registry import EMPLOYMENT
from hrss_shared.service_cli import main


def asyncapi() -> dict[str, Any]:
    from hrss_contracts.asyncapi import document  # every contract: only this command needs them

    return document([str(EMPLOYMENT.topic)])


raise SystemExit(main(
    service=EMPLOYMENT.name, settings=EmploymentSettings,
    asyncapi=asyncapi,
))
