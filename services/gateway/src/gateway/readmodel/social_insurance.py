"""The read model of ``hrss.social-insurance``: each person's insurance section (records by kind, for now)."""

from __future__ import annotations

from gateway.readmodel.records import record_handlers
from hrss_contracts import contracts_of
from hrss_shared.registry import SOCIAL_INSURANCE

SECTION = "insurance"
HANDLERS = record_handlers(contracts_of(str(SOCIAL_INSURANCE.topic)), SECTION)
