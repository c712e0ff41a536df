"""The read model of ``hrss.labour-relations``: each person's and employer's labour section (records, for now)."""

from __future__ import annotations

from gateway.readmodel.records import record_handlers
from hrss_contracts import contracts_of
from hrss_shared.registry import LABOUR_RELATIONS

SECTION = "labour"
HANDLERS = record_handlers(contracts_of(str(LABOUR_RELATIONS.topic)), SECTION)
