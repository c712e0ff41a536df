"""Every table of the gateway (imported by migrations so autogenerate sees them all)."""

from gateway.clients.models import ApiClient
from gateway.db import metadata
from gateway.readmodel.models import EmployerSection, PersonCard, PersonSection

__all__ = ["metadata", "ApiClient", "EmployerSection", "PersonCard", "PersonSection"]
