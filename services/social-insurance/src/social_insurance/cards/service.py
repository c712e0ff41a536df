"""Rules of 第三代社会保障卡. "Today" is the bureau's (``hrss_shared.clock``).

- Issue 发卡: one valid (active or lost) card per person (409 naming it: a lost card is replaced, not issued again);
  the card number is the next of the service's sequence ``Q`` + 8 digits, unique; a new card starts with the
  policy's default service scenarios (policy/card_services.toml).
- Report lost 挂失: an active card becomes lost. Replace 补换: an active or lost card is cancelled and a new card with
  a new number and the same scenarios is issued. Cancel 注销: an active or lost card is cancelled, with a reason.
- Service scenarios: the card's set is replaced by the given codes, each one of the policy's catalogue (422 naming
  ``services`` otherwise), on an active card only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_contracts.social_insurance import (
    CARD_CANCELLED,
    CARD_ISSUED,
    CARD_REPLACED,
    CARD_REPORTED_LOST,
    CARD_SERVICES_CHANGED,
    CardCancelled,
    CardIssued,
    CardReplaced,
    CardReportedLost,
    CardServicesChanged,
)
from hrss_shared import clock
from hrss_shared.auth import Principal
from hrss_shared.db import flush_or_conflict, lock_key
from hrss_shared.listing import DateRange, equals, order_by
from hrss_shared.outbox import Outbox
from hrss_shared.paging import PageParams, fetch_page
from hrss_shared.policy import PolicyTable
from hrss_shared.problems import Conflict, InvalidField, NotFound
from social_insurance.cards.models import (
    STATUS_NAMES,
    VALID_STATUSES,
    Card,
    CardCancellation,
    CardCreate,
    CardServicesPolicy,
    CardStatus,
    LossReport,
    Replacement,
    ServicesUpdate,
)
from social_insurance.common import POLICY_DIR

POLICY: PolicyTable[CardServicesPolicy] = PolicyTable.load(POLICY_DIR / "card_services.toml", CardServicesPolicy)
SORTS = ("issued_date", "card_number", "created_at")
NUMBER_LOCK = "social-insurance-card-number"
PREFIX = "Q"


def _fields(card: Card) -> dict[str, Any]:
    return {"id": card.id, "card_number": card.card_number, "id_number": card.id_number,
            "county_code": card.county_code, "status": card.status, "services": list(card.services)}


def card_lock(id_number: str) -> str:
    return f"social-insurance-card:{id_number}"


async def _next_number(session: AsyncSession) -> str:
    await lock_key(session, NUMBER_LOCK)
    latest = await session.scalar(select(func.max(Card.card_number)).where(
        col(Card.card_number).startswith(PREFIX)))
    serial = int(latest[1:]) + 1 if latest else 1
    return f"{PREFIX}{serial:08d}"


async def valid_card(*, session: AsyncSession, id_number: str) -> Card | None:
    """The person's active or lost card, if any."""
    return (await session.exec(select(Card).where(
        Card.id_number == id_number, col(Card.status).in_(VALID_STATUSES)))).first()


async def _new_card(*, session: AsyncSession, id_number: str, name: str, county_code: str, issued: date,
                    services: list[str], replaces: str | None = None) -> Card:
    card = Card(card_number=await _next_number(session), id_number=id_number, name=name, county_code=county_code,
                issued_date=issued, services=services, replaces_card_number=replaces)
    session.add(card)
    await flush_or_conflict(session, Conflict("该人员已有有效的社会保障卡 (a valid card exists)",
                                              field_name="id_number"))
    return card


async def issue(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: CardCreate) -> Card:
    """发卡: one valid card per person."""
    principal.check_county(data.county_code)
    today = clock.today()
    issued = data.issued_date or today
    if issued > today:
        raise InvalidField("issued_date", f"发卡日期 {issued} 晚于今天 {today} (issued_date in the future)")
    services = list(POLICY.in_force(issued, field="issued_date", label="社会保障卡应用").default_enabled)
    await lock_key(session, card_lock(data.id_number))
    existing = await valid_card(session=session, id_number=data.id_number)
    if existing is not None:
        raise Conflict(f"该人员已有{STATUS_NAMES[CardStatus(existing.status)]}的社会保障卡 {existing.card_number}"
                       "（挂失的卡请办理补换） (a valid card exists; a lost card is replaced)", field_name="id_number",
                       existing_id=existing.id, card_number=existing.card_number)
    card = await _new_card(session=session, id_number=data.id_number, name=data.name, county_code=data.county_code,
                           issued=issued, services=services)
    await outbox.add(session, CARD_ISSUED, CardIssued(**_fields(card), name=card.name, issued_date=issued))
    return card


async def by_number(*, session: AsyncSession, card_number: str) -> Card:
    """The card with ``card_number``, or 404."""
    card = (await session.exec(select(Card).where(Card.card_number == card_number))).first()
    if card is None:
        raise NotFound(f"社会保障卡 {card_number} 不存在 (card not found)")
    return card


async def _locked(*, session: AsyncSession, principal: Principal, card_number: str, action: str,
                  allowed: tuple[CardStatus, ...]) -> Card:
    card = await by_number(session=session, card_number=card_number)
    principal.check_county(card.county_code)
    await lock_key(session, card_lock(card.id_number))
    await session.refresh(card)
    if card.status not in allowed:
        names = "、".join(STATUS_NAMES[s] for s in allowed)
        raise Conflict(f"社会保障卡 {card.card_number} 状态为{STATUS_NAMES[CardStatus(card.status)]}，只有{names}的卡"
                       f"才能{action} (status {card.status} does not allow this)", field_name="status",
                       current_status=card.status)
    return card


async def _touch(session: AsyncSession, card: Card) -> None:
    card.updated_at = clock.now()
    session.add(card)
    await session.flush()


async def report_lost(*, session: AsyncSession, outbox: Outbox, principal: Principal, card_number: str,
                      data: LossReport) -> Card:
    """挂失 an active card."""
    today = clock.today()
    lost = data.lost_date or today
    card = await _locked(session=session, principal=principal, card_number=card_number, action="挂失",
                         allowed=(CardStatus.active,))
    if lost > today or lost < card.issued_date:
        raise InvalidField("lost_date", f"挂失日期应在发卡日期 {card.issued_date} 与今天 {today} 之间 "
                                        "(lost_date between the issue date and today)")
    card.status, card.lost_date = CardStatus.lost, lost
    await _touch(session, card)
    await outbox.add(session, CARD_REPORTED_LOST, CardReportedLost(**_fields(card), lost_date=lost))
    return card


async def replace(*, session: AsyncSession, outbox: Outbox, principal: Principal, card_number: str,
                  data: Replacement) -> tuple[Card, Card]:
    """补换: the old card (active or lost) is cancelled and a new number issued; (old, new)."""
    today = clock.today()
    old = await _locked(session=session, principal=principal, card_number=card_number, action="补换",
                        allowed=VALID_STATUSES)
    old.status, old.cancelled_date, old.cancel_reason = CardStatus.cancelled, today, f"补换：{data.reason}"[:200]
    await _touch(session, old)
    new = await _new_card(session=session, id_number=old.id_number, name=old.name, county_code=old.county_code,
                          issued=today, services=list(old.services), replaces=old.card_number)
    old.replaced_by_card_number = new.card_number
    await _touch(session, old)
    await outbox.add(session, CARD_REPLACED, CardReplaced(
        **_fields(old), new_card_number=new.card_number, new_card_id=new.id, replaced_date=today, reason=data.reason))
    await outbox.add(session, CARD_ISSUED, CardIssued(**_fields(new), name=new.name, issued_date=today,
                                                      replaces_card_number=old.card_number))
    return old, new


async def cancel(*, session: AsyncSession, outbox: Outbox, principal: Principal, card_number: str,
                 data: CardCancellation) -> Card:
    """注销 an active or lost card."""
    today = clock.today()
    card = await _locked(session=session, principal=principal, card_number=card_number, action="注销",
                         allowed=VALID_STATUSES)
    card.status, card.cancelled_date, card.cancel_reason = CardStatus.cancelled, today, data.reason
    await _touch(session, card)
    await outbox.add(session, CARD_CANCELLED, CardCancelled(**_fields(card), cancelled_date=today, reason=data.reason))
    return card


async def set_services(*, session: AsyncSession, outbox: Outbox, principal: Principal, card_number: str,
                       data: ServicesUpdate) -> Card:
    """开通/关闭应用场景 of an active card (the set given replaces the card's)."""
    rules = POLICY.at(clock.today())
    known = [s.code for s in rules.service]
    unknown = [c for c in data.services if c not in known]
    if unknown:
        raise InvalidField("services", f"未知的应用场景 {', '.join(unknown)}（可选：{', '.join(known)}） "
                                       f"(unknown service scenarios)")
    card = await _locked(session=session, principal=principal, card_number=card_number, action="变更应用场景",
                         allowed=(CardStatus.active,))
    wanted = [c for c in known if c in set(data.services)]  # catalogue order, no repeats
    enabled = [c for c in wanted if c not in card.services]
    disabled = [c for c in card.services if c not in wanted]
    if enabled or disabled:
        card.services = wanted
        await _touch(session, card)
        await outbox.add(session, CARD_SERVICES_CHANGED, CardServicesChanged(
            **_fields(card), enabled=enabled, disabled=disabled))
    return card


async def list_cards(
    *, session: AsyncSession, page: PageParams, id_number: str | None, county_code: str | None,
    status: CardStatus | None, service: str | None, issued: DateRange, sort: str,
) -> tuple[list[Card], int]:
    """Cards filtered by holder, county, status, an enabled scenario and issue date range."""
    query = select(Card).where(*equals(
        (Card.id_number, id_number), (Card.county_code, county_code), (Card.status, status),
    ), *issued.clauses(col(Card.issued_date)))
    if service is not None:
        ids = [c.id for c in (await session.exec(query)).all() if service in c.services]
        query = select(Card).where(col(Card.id).in_(ids))
    columns = {key: col(getattr(Card, key)) for key in SORTS}
    return await fetch_page(session, query.order_by(*order_by(sort, columns, col(Card.id))), page)
