"""Route dependencies of the training service."""

from typing import Annotated

from fastapi import Depends

from hrss_shared.app import require
from hrss_shared.auth import Principal
from hrss_shared.auth import county_filter as county_filter  # one rule for every service's lists
from hrss_shared.registry import TRAINING

Reader = Annotated[Principal, Depends(require(f"{TRAINING.scope_domain}:read"))]
Writer = Annotated[Principal, Depends(require(f"{TRAINING.scope_domain}:write"))]

