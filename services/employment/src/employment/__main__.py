"""``python -m employment``: this service's own commands (migrations, event catalogue)."""

from employment.config import EmploymentSettings
from employment.main import MIGRATIONS
from hrss_contracts.asyncapi import document
from hrss_shared.registry import EMPLOYMENT
from hrss_shared.service_cli import main

raise SystemExit(main(
    service=EMPLOYMENT.name, migrations_dir=MIGRATIONS, settings=EmploymentSettings,
    asyncapi=lambda: document([str(EMPLOYMENT.topic)]),
))
