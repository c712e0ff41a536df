"""/v1/pension-topups — 城乡居民养老保险提档补缴."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.db import fetch_or_404
from hrss_shared.paging import Page, PageDep, fetch_page
from hrss_shared.validators import CountyCode, IdNumber
from social_insurance.deps import Reader, Writer, county_filter
from social_insurance.pension import service
from social_insurance.pension.models import PensionTopup, TopupPublic, TopupQuote, TopupRequest

router = APIRouter(prefix="/v1/pension-topups", tags=["pension top-up 提档补缴"])


def public(topup: PensionTopup) -> TopupPublic:
    return TopupPublic(**topup.quote, id_number=topup.id_number, id=topup.id,
                       contribution_ids=list(topup.contribution_ids), created_at=topup.created_at)


@router.post("/quote", summary="提档补缴测算 Quote a resident-pension top-up", description=service.__doc__ or "")
async def quote_topup(body: TopupRequest, session: SessionDep, principal: Reader) -> TopupQuote:
    answer, _, _ = await service.quote(session=session, principal=principal, data=body)
    return answer


@router.post("", status_code=201, summary="办理提档补缴 Apply a resident-pension top-up",
             description="按测算结果逐年记为提档补缴缴费（kind topup，发布 contribution.posted），并记录本次办理（发布 "
                         "hrss.social-insurance.pension_topup.applied.v1）。规则同测算。")
async def apply_topup(body: TopupRequest, session: SessionDep, outbox: OutboxDep, principal: Writer) -> TopupPublic:
    return public(await service.apply(session=session, outbox=outbox, principal=principal, data=body))


@router.get("", summary="提档补缴记录 List applied top-ups")
async def list_topups(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="参保地县（市、区）代码")] = None,
) -> Page[TopupPublic]:
    query = select(PensionTopup)
    if id_number is not None:
        query = query.where(PensionTopup.id_number == id_number)
    county = county_filter(principal, county_code)
    if county is not None:
        query = query.where(PensionTopup.county_code == county)
    rows, count = await fetch_page(session, query.order_by(col(PensionTopup.created_at).desc(),
                                                          col(PensionTopup.id)), page)
    return Page[TopupPublic](data=[public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/{topup_id}", summary="查询提档补缴 Get an applied top-up")
async def get_topup(topup_id: str, session: SessionDep, principal: Reader) -> TopupPublic:
    topup = await fetch_or_404(session, PensionTopup, topup_id, f"提档补缴 {topup_id} 不存在 (top-up not found)")
    principal.check_county(topup.county_code)
    return public(topup)
