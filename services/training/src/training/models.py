"""Every table of the training service (imported by migrations so autogenerate sees them all).

Each domain folder's ``models.py`` is imported here so a new table is seen by autogenerate.
"""

from training.benefits import models as benefits
from training.certificates import models as certificates
from training.courses import models as courses
from training.db import metadata
from training.enrolments import models as enrolments
from training.institutions import models as institutions
from training.platforms import models as platforms
from training.recognitions import models as recognitions
from training.subsidies import models as subsidies
from training.titles import models as titles
from training.vouchers import models as vouchers

__all__ = ["metadata", "benefits", "certificates", "courses", "enrolments", "institutions", "platforms",
           "recognitions", "subsidies", "titles", "vouchers"]
