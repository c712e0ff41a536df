"""Route dependencies of the employment service."""

from typing import Annotated

from fastapi import Depends

from hrss_shared.app import require
from hrss_shared.auth import Principal
from hrss_shared.registry import EMPLOYMENT

Reader = Annotated[Principal, Depends(require(f"{EMPLOYMENT.scope_domain}:read"))]
Writer = Annotated[Principal, Depends(require(f"{EMPLOYMENT.scope_domain}:write"))]


def county_filter(principal: Principal, requested: str | None) -> str | None:
    """A county client lists only its own county; asking for another is a 403."""
    if principal.county is None:
        return requested
    if requested is not None:
        principal.check_county(requested)
    return principal.county
