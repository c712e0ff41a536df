"""``GET /v1/persons/{id}?fresh=true``: each section read live from the service that owns it.

The read model answers from events already applied; a caller about to decide on a person (a benefit, a refund)
may want what the owning services hold this instant. The fresh read asks every domain service in parallel, with one
pooled HTTP client and a short deadline per section: a section whose service answers is its live data (fields the
service's list does not carry, such as a benefit's months paid after its stop, stay as the read model has them); a
section whose service is down, slow or refusing keeps the read model's data and says ``live.status =
"unavailable"`` with the reason, and the rest of the view still answers.

The gateway reads with its own short-lived service credential (the read scope of every domain, not ``pii:read``: the
sections hold no personal field the services would mask), and the ``X-Purpose`` names the client the view is for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx

from hrss_shared import clock
from hrss_shared.auth import issue_token
from hrss_shared.logs import correlation_id, get_logger
from hrss_shared.registry import EMPLOYMENT, LABOUR_RELATIONS, SOCIAL_INSURANCE, TRAINING, Service

log = get_logger(__name__)
TOKEN_TTL = timedelta(minutes=10)
LIST_LIMIT = 500
Doc = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One GET of an owning service: its path (``{id}`` is the ID number) and the list field it fills."""

    service: Service
    path: str
    target: str
    paged: bool = True
    key: str = "id"


# Section → the calls that make it, and what is derived from their answers.
CALLS: dict[str, list[Call]] = {
    "employment": [Call(EMPLOYMENT, "/v1/employment-registrations", "employments"),
                   Call(EMPLOYMENT, "/v1/unemployment-registrations", "unemployment_registrations")],
    "training": [Call(TRAINING, "/v1/certificates", "certificates", key="certificate_number"),
                 Call(TRAINING, "/v1/enrolments", "enrolments"),
                 Call(TRAINING, "/v1/vouchers", "vouchers"),
                 Call(TRAINING, "/v1/subsidies", "subsidies")],
    "talent": [Call(TRAINING, "/v1/talent-recognitions", "recognitions"),
               Call(TRAINING, "/v1/professional-titles", "titles"),
               Call(TRAINING, "/v1/talent-benefits", "benefits")],
    "card": [Call(SOCIAL_INSURANCE, "/v1/cards", "cards", key="card_number")],
    "insurance": [Call(SOCIAL_INSURANCE, "/v1/persons/{id}/insurance", "", paged=False)],
    "labour": [Call(LABOUR_RELATIONS, "/v1/arrears-cases", "arrears_cases")],
}
# The list filter each paged call takes for the person (labour-relations: the complainant).
PERSON_PARAM = {LABOUR_RELATIONS.name: "complainant_id_number"}
HIGH_SKILL_LEVEL = 3
VALID_CARD = {"active", "lost"}


class Unavailable(Exception):
    """The owning service did not answer usably (the message says how)."""


@dataclass
class FreshReader:
    """The pooled client and the gateway's service credential (renewed before it expires)."""

    urls: dict[str, str]
    secret: str
    timeout: float
    _client: httpx.AsyncClient | None = None
    _token: tuple[str, float] | None = None

    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 0.5)),
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def token(self) -> str:
        now = time.monotonic()
        if self._token is None or self._token[1] < now:
            scopes = [f"{s.scope_domain}:read" for s in (EMPLOYMENT, TRAINING, SOCIAL_INSURANCE, LABOUR_RELATIONS)]
            token = issue_token(secret=self.secret, client_id="gateway", name="一卡通网关实时查询 gateway fresh read",
                                scopes=scopes, ttl=TOKEN_TTL)
            self._token = (token, now + TOKEN_TTL.total_seconds() / 2)
        return self._token[0]

    async def _get(self, call: Call, id_number: str, purpose: str) -> Any:
        base = self.urls.get(call.service.name)
        if not base:
            raise Unavailable(f"no address configured for {call.service.name}")
        params: dict[str, Any] = {}
        if call.paged:
            params = {PERSON_PARAM.get(call.service.name, "id_number"): id_number, "limit": LIST_LIMIT}
        headers = {"Authorization": f"Bearer {self.token()}", "X-Purpose": purpose,
                   "X-Correlation-ID": correlation_id.get() or ""}
        try:
            r = await self.client().get(base.rstrip("/") + call.path.replace("{id}", id_number), params=params,
                                        headers=headers)
        except httpx.HTTPError as exc:
            raise Unavailable(f"{call.service.name}: {type(exc).__name__}") from exc
        if r.status_code != 200:
            raise Unavailable(f"{call.service.name} answered {r.status_code}")
        body = r.json()
        return body["data"] if call.paged else body

    async def refresh(self, doc: Doc, *, client_name: str) -> Doc:
        """The view's document (as the read model holds it) with each section replaced by its owner's live answer,
        or marked unavailable."""
        id_number: str = doc["id_number"]
        # X-Purpose travels percent-encoded UTF-8 (hrss_shared.privacy.purpose decodes it).
        purpose = quote(f"一卡通人员视图实时查询 fresh person view for {client_name}"[:200])
        names = list(CALLS)
        results = await asyncio.gather(*(self._section(name, id_number, purpose) for name in names),
                                       return_exceptions=True)
        read_at = clock.now().isoformat()
        for name, result in zip(names, results, strict=True):
            section: Doc = doc[name]
            if isinstance(result, BaseException):
                reason = str(result) if isinstance(result, Unavailable) else (
                    "timed out 超时" if isinstance(result, TimeoutError) else type(result).__name__)
                section["live"] = {"status": "unavailable", "read_at": read_at, "reason": reason}
                log.info("fresh_section_unavailable", section=name, reason=reason)
                continue
            APPLY[name](section, result)
            section["live"] = {"status": "live", "read_at": read_at, "reason": None}
        return doc

    async def _section(self, name: str, id_number: str, purpose: str) -> list[Any]:
        calls = CALLS[name]
        return await asyncio.wait_for(
            asyncio.gather(*(self._get(call, id_number, purpose) for call in calls)), self.timeout)


def _merge(current: list[Doc], live: list[Doc], key: str) -> list[Doc]:
    """The live items, each over the read model's item of the same key (fields the service's list lacks stay)."""
    known = {str(item.get(key)): item for item in current}
    return [{**known.get(str(item.get(key)), {}), **item} for item in live]


def _lists(section: Doc, answers: list[Any], name: str) -> None:
    for call, answer in zip(CALLS[name], answers, strict=True):
        section[call.target] = _merge(section.get(call.target) or [], answer, call.key)


def _employment(section: Doc, answers: list[Any]) -> None:
    _lists(section, answers, "employment")
    if any(i.get("status") == "active" for i in section["employments"]):
        section["status"] = "employed"
    elif any(i.get("status") == "open" for i in section["unemployment_registrations"]):
        section["status"] = "registered_unemployed"
    else:
        section["status"] = "not_employed"


def _training(section: Doc, answers: list[Any]) -> None:
    _lists(section, answers, "training")
    section["high_skill"] = any((i.get("level") or 9) <= HIGH_SKILL_LEVEL and i.get("status", "valid") == "valid"
                                for i in section["certificates"])


def _card(section: Doc, answers: list[Any]) -> None:
    _lists(section, answers, "card")
    section["card"] = next((c for c in section["cards"] if c.get("status") in VALID_CARD), None)


def _insurance(section: Doc, answers: list[Any]) -> None:
    (summary,) = answers
    section["enrolments"] = _merge(section.get("enrolments") or [], summary["enrolments"], "id")
    section["benefits"] = _merge(section.get("benefits") or [], summary["benefits"], "id")
    section["contribution_months"] = {t["insurance_type"]: t["paid_months"] for t in summary["types"]
                                      if t["paid_months"]}


APPLY: dict[str, Callable[[Doc, list[Any]], None]] = {
    "employment": _employment,
    "training": _training,
    "talent": lambda section, answers: _lists(section, answers, "talent"),
    "card": _card,
    "insurance": _insurance,
    "labour": lambda section, answers: _lists(section, answers, "labour"),
}


async def hold_open(reader: FreshReader) -> None:
    """A background task of the app: closes the pooled client when the app stops (the task is cancelled)."""
    try:
        await asyncio.Event().wait()
    finally:
        await reader.close()
