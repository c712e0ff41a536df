"""Every table of the social-insurance service (imported by migrations so autogenerate sees them all).

Each domain folder's ``models.py`` is imported here so a new table is seen by autogenerate.
"""

from social_insurance.arrears import models as arrears
from social_insurance.benefits import models as benefits
from social_insurance.cards import models as cards
from social_insurance.contributions import models as contributions
from social_insurance.db import metadata
from social_insurance.enrolments import models as enrolments
from social_insurance.onestop import models as onestop
from social_insurance.pension import models as pension

__all__ = ["metadata", "arrears", "benefits", "cards", "contributions", "enrolments", "onestop", "pension"]
