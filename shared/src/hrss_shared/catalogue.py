"""The event catalogue of a service: every ``hrss.*`` type constant in its ``events`` modules.

By convention a domain's ``events.py`` declares ``EMPLOYER_REGISTERED = "hrss.employment.employer
.registered.v1"`` beside the data model ``EmployerRegistered``; the catalogue pairs them, so the
gateway can subscribe to every type and documentation can be generated from the models.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from pydantic import BaseModel

from hrss_shared.events import TYPE_PATTERN


@dataclass(frozen=True)
class EventEntry:
    event_type: str
    module: str
    model: type[BaseModel] | None


def _camel(constant: str) -> str:
    return "".join(part.capitalize() for part in constant.lower().split("_"))


def event_catalogue(package: str) -> dict[str, EventEntry]:
    """Every event type declared in ``<package>.**.events`` with its data model, sorted by type."""
    root = importlib.import_module(package)
    found: dict[str, EventEntry] = {}
    modules = [m.name for m in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")
               if m.name.rsplit(".", 1)[-1] == "events"]
    for name in modules:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.isupper() and isinstance(value, str) and TYPE_PATTERN.match(value):
                model = getattr(module, _camel(attr), None)
                is_model = isinstance(model, type) and issubclass(model, BaseModel)
                found[value] = EventEntry(event_type=value, module=name, model=model if is_model else None)
    return dict(sorted(found.items()))
