"""The event catalogue: every declared type has its data model, so consumers and docs can rely on it."""

from __future__ import annotations

import pytest

from hrss_shared.catalogue import event_catalogue
from hrss_shared.events import TYPE_PATTERN


@pytest.mark.parametrize("package", ["employment", "training"])
def test_every_event_type_has_a_data_model(package: str) -> None:
    catalogue = event_catalogue(package)
    assert catalogue, f"{package} declares no events"
    for event_type, entry in catalogue.items():
        assert TYPE_PATTERN.match(event_type)
        assert event_type.startswith(f"hrss.{package.replace('_', '-')}.")
        assert entry.model is not None, f"{event_type} in {entry.module} has no model named after its constant"


def test_gateway_handles_every_employment_event_type() -> None:
    from gateway.readmodel.employment import HANDLERS

    assert set(event_catalogue("employment")) <= set(HANDLERS)
