"""``GET /v1/statistics?year=&county_code=``, the same for every domain service: the year, an optional county
(a county client sees its own county only, with no city total), and the service's figures with their
definitions (the service module's docstring) in the OpenAPI description."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from hrss_shared.app import SessionDep, require
from hrss_shared.auth import Principal, county_filter
from hrss_shared.validators import CountyCode

Yearly = Callable[..., Awaitable[Any]]


def statistics_router(
    *, scope: str, tag: str, summary: str, definitions: str, yearly: Yearly, response: type[Any]
) -> APIRouter:
    """The router of a service's yearly statistics: ``yearly(session=, year=, county=)`` answers ``response``."""
    router = APIRouter(prefix="/v1/statistics", tags=[tag])
    reader = require(scope)

    @router.get("", summary=summary, response_model=response,
                description=definitions + "\nA county bureau's client sees its own county only (no city total).")
    async def get_statistics(
        session: SessionDep,
        principal: Annotated[Principal, Depends(reader)],
        year: Annotated[int, Query(ge=1990, le=2100, description="统计年度 year")],
        county_code: Annotated[
            CountyCode | None, Query(description="县（市、区）代码; omitted: every county and the city total")
        ] = None,
    ) -> Any:
        return await yearly(session=session, year=year, county=county_filter(principal, county_code))

    return router
