"""Route dependencies of the social-insurance service."""

from typing import Annotated

from fastapi import Depends

from hrss_shared.app import require
from hrss_shared.auth import Principal
from hrss_shared.auth import county_filter as county_filter  # one rule for every service's lists
from hrss_shared.registry import SOCIAL_INSURANCE

Reader = Annotated[Principal, Depends(require(f"{SOCIAL_INSURANCE.scope_domain}:read"))]
Writer = Annotated[Principal, Depends(require(f"{SOCIAL_INSURANCE.scope_domain}:write"))]
