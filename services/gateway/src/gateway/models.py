"""Every table of the gateway (imported by migrations so autogenerate sees them all)."""

from gateway.alerts import models as alert_models  # noqa: F401 - 政策监管 facts, alerts and staff actions
from gateway.clients.models import ApiClient
from gateway.db import metadata
from gateway.employers import models as employer_models  # noqa: F401 - the employer view's index tables
from gateway.indicators import models as indicator_models  # noqa: F401 - the plan indicators' fact table
from gateway.readmodel.models import EmployerSection, PersonCard, PersonSection, PersonViewPending, PersonViewRendered

__all__ = ["metadata", "ApiClient", "EmployerSection", "PersonCard", "PersonSection", "PersonViewPending",
           "PersonViewRendered"]
