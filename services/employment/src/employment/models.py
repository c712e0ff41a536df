"""Every table of the employment service (imported by migrations so autogenerate sees them all)."""

from employment.db import metadata
from employment.employers.models import Employer
from employment.job_seekers.models import JobSeeker
from employment.registrations.models import EmploymentRegistration, UnemploymentRegistration

__all__ = ["metadata", "Employer", "JobSeeker", "EmploymentRegistration", "UnemploymentRegistration"]
