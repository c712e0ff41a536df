"""/v1/cards and /v1/card-services — 第三代社会保障卡与一卡通应用场景."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode, IdNumber
from social_insurance.cards import service
from social_insurance.cards.models import (
    CardCancellation,
    CardCreate,
    CardNumber,
    CardPublic,
    CardServicePublic,
    CardServicesCatalogue,
    CardStatus,
    LossReport,
    Replacement,
    ServiceCode,
    ServicesUpdate,
)
from social_insurance.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/cards", tags=["cards 社会保障卡"])
services_router = APIRouter(prefix="/v1/card-services", tags=["cards 社会保障卡"])


@services_router.get("", summary="一卡通应用场景 The card's service scenarios",
                     description="社会保障卡可开通的应用场景（交通出行、文化旅游、医疗结算及人社业务场景）与新卡默认开通的场景，"
                                 "来自 policy/card_services.toml（场景清单为平台示例时 illustrative = true）。")
async def card_services(principal: Reader) -> CardServicesCatalogue:
    rules = service.POLICY.at(clock.today())
    return CardServicesCatalogue(
        data=[CardServicePublic(**s.model_dump(), default_enabled=s.code in rules.default_enabled)
              for s in rules.service], policy_source=rules.source, illustrative=rules.illustrative)


@router.post("", status_code=201, summary="发放社会保障卡 Issue a card",
             description="每人只有一张有效（正常或挂失）的社会保障卡，已有的为 409 并指明（挂失的卡请补换）；"
                         "卡号由本服务"
                         "按序生成（Q + 8位数字），新卡开通默认应用场景。发布 hrss.social-insurance.card.issued.v1。")
async def issue_card(body: CardCreate, session: SessionDep, outbox: OutboxDep, principal: Writer) -> CardPublic:
    card = await service.issue(session=session, outbox=outbox, principal=principal, data=body)
    return CardPublic.model_validate(card)


@router.get("", summary="社会保障卡列表 List cards (look-up by ID number)",
            description="按持卡人公民身份号码、县（市、区）、状态、已开通的应用场景和发卡日期区间筛选，可排序。")
async def list_cards(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="持卡人公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="发卡地县（市、区）代码")] = None,
    status: Annotated[CardStatus | None, Query(description="active 正常 / lost 挂失 / cancelled 注销")] = None,
    service_code: Annotated[ServiceCode | None, Query(alias="service", description="已开通的应用场景代码")] = None,
    issued: DateRange = date_range_param("issued_date 发卡日期"),
    sort: str = sort_param(*service.SORTS, default="-issued_date"),
) -> Page[CardPublic]:
    rows, count = await service.list_cards(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        status=status, service=service_code, issued=issued, sort=sort)
    return page_of(CardPublic, rows, count, page)


@router.get("/{card_number}", summary="按卡号查询社会保障卡 Look up a card by its number")
async def get_card(card_number: CardNumber, session: SessionDep, principal: Reader) -> CardPublic:
    card = await service.by_number(session=session, card_number=card_number)
    principal.check_county(card.county_code)
    return CardPublic.model_validate(card)


@router.post("/{card_number}/report-lost", summary="挂失 Report a card lost",
             description="只有正常状态的卡可挂失；挂失日期不早于发卡日期、不晚于今天。"
                         "发布 hrss.social-insurance.card.reported_lost.v1。")
async def report_lost(
    card_number: CardNumber, body: LossReport, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CardPublic:
    return CardPublic.model_validate(await service.report_lost(
        session=session, outbox=outbox, principal=principal, card_number=card_number, data=body))


@router.post("/{card_number}/replace", status_code=201, summary="补换卡 Replace a card (new number)",
             description="正常或挂失的卡注销，发新卡号的新卡（沿用原卡的应用场景）；答复为新卡。"
                         "发布 card.replaced（原卡）"
                         "与 card.issued（新卡）。")
async def replace_card(
    card_number: CardNumber, body: Replacement, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CardPublic:
    _, new = await service.replace(session=session, outbox=outbox, principal=principal, card_number=card_number,
                                   data=body)
    return CardPublic.model_validate(new)


@router.post("/{card_number}/cancel", summary="注销 Cancel a card",
             description="正常或挂失的卡可注销，须填原因。发布 hrss.social-insurance.card.cancelled.v1。")
async def cancel_card(
    card_number: CardNumber, body: CardCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CardPublic:
    return CardPublic.model_validate(await service.cancel(
        session=session, outbox=outbox, principal=principal, card_number=card_number, data=body))


@router.put("/{card_number}/services", summary="开通/关闭应用场景 Set the card's service scenarios",
            description="以给定的场景代码整体替换该卡已开通的场景（见 /v1/card-services，未知代码 422 指明 services）；"
                        "只有正常状态的卡可变更。有变化时发布 hrss.social-insurance.card.services_changed.v1。")
async def set_services(
    card_number: CardNumber, body: ServicesUpdate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CardPublic:
    return CardPublic.model_validate(await service.set_services(
        session=session, outbox=outbox, principal=principal, card_number=card_number, data=body))
