"""List responses ``{data, count, limit, offset}`` with paging and ordering."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MAX_OFFSET = 1_000_000_000  # far past any real list; keeps the value inside every database's integer range


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    limit: Annotated[int, Query(ge=1, le=500, description="每页条数 page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="偏移 offset")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


def page_of(model: type[M], rows: Iterable[Any], count: int, params: PageParams) -> Page[M]:
    """A typed page of ``model`` built from rows (ORM objects read by attribute)."""
    page_type: Any = Page[model]  # type: ignore[valid-type]
    result: Page[M] = page_type(
        data=[model.model_validate(r, from_attributes=True) for r in rows], count=count, limit=params.limit,
        offset=params.offset,
    )
    return result


async def fetch_page(session: AsyncSession, query: Select[Any], page: PageParams) -> tuple[list[Any], int]:
    """Run ``query`` for one page and count all matching rows."""
    count = (await session.execute(select(func.count()).select_from(query.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(query.limit(page.limit).offset(page.offset))).scalars().all()
    return list(rows), int(count)
