"""The person view, read from the person's section documents in one key look-up."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table

from gateway.alerts import alerts_for_person
from gateway.persons.schemas import PersonView
from gateway.readmodel.identity import empty
from gateway.readmodel.models import PersonCard, PersonSection
from gateway.readmodel.social_insurance import VALID_CARD_STATUSES
from hrss_shared.db import KeyLookups
from hrss_shared.problems import NotFound

SECTIONS = ("identity", "employment", "training", "talent", "card", "insurance", "labour")
_EMPTY = {"employment": '{"status":"not_employed"}', "training": "{}", "talent": "{}", "card": "{}",
          "insurance": "{}", "labour": "{}"}
_table: Table = PersonSection.__table__  # type: ignore[attr-defined]
_cards: Table = PersonCard.__table__  # type: ignore[attr-defined]
_COLUMNS = ("section", "doc")
_CARD_COLUMNS = ("id_number", "status")


async def get_person(*, lookups: KeyLookups, id_number: str) -> PersonView:
    """The person's view (one key look-up of its section documents); 404 when no event has mentioned them."""
    rows = await lookups.rows(_table.name, "id_number", id_number, _COLUMNS)
    if not rows:
        raise NotFound("暂无该人员信息 (no record of this person in the 一卡通 view)")
    view = compose(id_number, dict(rows))
    view.alerts = await alerts_for_person(lookups, id_number)
    return view


def compose(id_number: str, docs: dict[str, str]) -> PersonView:
    """The person's view from its section documents (JSON text by section), without its alerts."""
    identity = docs.get("identity") or json.dumps(empty(id_number))
    parts = [f'"id_number":"{id_number}"', f'"identity":{identity}']
    parts += [f'"{name}":{docs.get(name) or _EMPTY[name]}' for name in SECTIONS[1:]]
    return PersonView.model_validate_json("{" + ",".join(parts) + "}")


async def get_documents(*, lookups: KeyLookups, id_number: str) -> dict[str, Any]:
    """The person's section documents parsed (for the fresh read, which replaces sections before validation)."""
    rows = await lookups.rows(_table.name, "id_number", id_number, _COLUMNS)
    if not rows:
        raise NotFound("暂无该人员信息 (no record of this person in the 一卡通 view)")
    docs: dict[str, str] = dict(rows)
    found: dict[str, Any] = {"id_number": id_number,
                             "identity": json.loads(docs["identity"]) if "identity" in docs else empty(id_number)}
    for name in SECTIONS[1:]:
        found[name] = json.loads(docs.get(name) or _EMPTY[name])
    return found


async def holder_of(*, lookups: KeyLookups, card_number: str) -> str:
    """The ID number of the holder of the valid (active or lost) card ``card_number``; 404 for a number never
    seen and for a replaced or cancelled card's number (it no longer identifies anyone)."""
    rows = await lookups.rows(_cards.name, "card_number", card_number, _CARD_COLUMNS)
    if not rows or rows[0][1] not in VALID_CARD_STATUSES:
        raise NotFound(f"暂无有效的社会保障卡 {card_number} (no valid card with this number: never issued, "
                       "replaced or cancelled)")
    holder: str = rows[0][0]
    return holder
