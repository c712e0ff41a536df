"""Every table of the labour-relations service (imported by migrations so autogenerate sees them all).

Each domain folder's ``models.py`` is imported here so a new table is seen by autogenerate.
"""

from labour_relations.cases import models as cases
from labour_relations.db import metadata
from labour_relations.dishonesty import models as dishonesty
from labour_relations.disputes import models as disputes
from labour_relations.projects import models as projects
from labour_relations.warnings import models as warnings

__all__ = ["metadata", "cases", "dishonesty", "disputes", "projects", "warnings"]
