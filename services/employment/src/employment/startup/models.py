"""Every table of the start-up domain (imported by ``employment.models`` so autogenerate sees them)."""

from employment.startup.bases.models import StartupBase
from employment.startup.loans.models import StartupLoan
from employment.startup.subsidies.models import StartupSubsidy, StartupSubsidyRefusal

__all__ = ["StartupBase", "StartupLoan", "StartupSubsidy", "StartupSubsidyRefusal"]
