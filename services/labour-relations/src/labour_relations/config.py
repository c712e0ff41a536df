"""Labour relations service settings (``HRSS_LABOUR_RELATIONS_*`` plus the stack-wide ``HRSS_*``)."""

from pathlib import Path

from hrss_shared.registry import LABOUR_RELATIONS
from hrss_shared.settings import ServiceSettings, settings_config


class LabourRelationsSettings(ServiceSettings):
    model_config = settings_config(LABOUR_RELATIONS)

    service_name: str = LABOUR_RELATIONS.name
    port: int = LABOUR_RELATIONS.port
    # The official holiday calendar (HRSS_LABOUR_RELATIONS_CALENDAR_FILE); unset: the shipped policy/calendar.toml.
    calendar_file: Path | None = None
