"""/v1/persons — the person-centric 一卡通 view."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from gateway.persons import rendered, service
from gateway.persons.fresh import FreshReader
from gateway.persons.schemas import PersonKey, PersonLookup, PersonView
from gateway.readmodel.store import PERSON_CHANGES
from hrss_shared.app import PROBLEMS, DirectRoute, Serialized, authorize, require, runtime_of
from hrss_shared.auth import Principal
from hrss_shared.registry import GATEWAY

# The hottest read of the platform: a DirectRoute (see hrss_shared.app) calls the endpoint without FastAPI's
# dependency machinery; the endpoint checks its credential itself, and tests/shared/
# test_every_route_needs_a_credential.py checks every route, this one included, refuses a request without one.
# Its readers may wait for a person's change (Prefer: wait=N), woken by the read model's commits of that person.
router = APIRouter(prefix="/v1/persons", tags=["persons 一卡通人员视图"],
                   route_class=DirectRoute.waiting(PERSON_CHANGES, "id_number"))
READ_SCOPE = f"{GATEWAY.scope_domain}:read"


@router.get(
    "/{id_number}",
    response_model=PersonView,
    summary="一卡通人员视图 Person view",
    description="按身份证号码或社会保障卡卡号查询人员的身份、社会保障卡、就业、职业技能、社会保险和劳动关系信息；"
    "各部分带截至时间 as_of。The path takes an ID number (18 characters) or a social security card number "
    "(Q + 8 digits): only a valid card (active 正常 or lost 挂失) finds its holder — a replaced or cancelled card's "
    "number answers 404. ID and phone numbers are masked without pii:read; unmasked reads are audited "
    "(X-Purpose header = why). `?fresh=true` 实时查询: each section is read live from the service that owns it, "
    "in parallel with a short deadline; a section whose service is down or slow keeps the read model's data and "
    "says `live.status = \"unavailable\"` with the reason, and the view still answers 200. "
    "等待变更 Waiting for a change: every answer has an `ETag`; `If-None-Match` with it answers 304 while the view is "
    "unchanged. With `Prefer: wait=N` (seconds, at most 10) the gateway waits until the view differs from the one the "
    "client holds (its `If-None-Match`) — or, without one, until the person is known — and answers then, or after N "
    "seconds with what it has (304, or 404); the answer says `Preference-Applied: wait=N`. A system that has just "
    "registered something in a business service reads the result this way instead of polling.",
    responses={**PROBLEMS, 304: {"description": "未变更 Not modified: the view is the one named by If-None-Match"}},
    openapi_extra={"parameters": [
        {"name": "fresh", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
         "description": "实时查询：向各业务服务实时读取 (read every section live from its owning service)"},
        {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "已持有的版本 The ETag of the view the client holds: 304 while it is current"},
        {"name": "Prefer", "in": "header", "required": False, "schema": {"type": "string"},
         "description": "等待变更 `wait=N`: wait up to N seconds (at most 10) for the view to change (RFC 7240)"},
    ]},
)
async def get_person(id_number: PersonKey, request: Request) -> PersonView | Serialized:
    principal = authorize(request, READ_SCOPE)
    fresh = _fresh(request)
    lookups = runtime_of(request).lookups
    if len(id_number) != 18:  # a card number (an ID number is always 18 characters once validated)
        id_number = await service.holder_of(lookups=lookups, card_number=id_number)
    if not fresh:
        found = await rendered.stored(lookups, id_number, full=principal.sees_pii)
        if found is not None:
            principal.check_county(found.county_code)
            request.state.disclosure.record(found.kinds, found.subjects)  # started by authorize
            return Serialized(found.body)
    view = await service.get_person(lookups=lookups, id_number=id_number)
    principal.check_county(view.identity.county_code)
    if fresh:
        reader: FreshReader = request.app.state.fresh
        docs = await service.get_documents(lookups=lookups, id_number=id_number)
        alerts = view.alerts
        view = PersonView.model_validate(await reader.refresh(docs, client_name=principal.name))
        view.alerts = alerts  # the gateway's own: read, not fetched
    return view


def _fresh(request: Request) -> bool:
    """``?fresh=true|false`` (a DirectRoute takes no query parameters: read here, refused like FastAPI would)."""
    if not request.scope["query_string"]:  # the usual read: no query to parse
        return False
    value = request.query_params.get("fresh")
    if value is None or value.lower() in ("false", "0"):
        return False
    if value.lower() in ("true", "1"):
        return True
    raise RequestValidationError([{"type": "bool_parsing", "loc": ("query", "fresh"), "input": value,
                                   "msg": "fresh 须为 true 或 false (Input should be a valid boolean)"}])


async def lookup_person(
    body: PersonLookup, request: Request, principal: Annotated[Principal, Depends(require(READ_SCOPE))]
) -> PersonView:
    """The person view of ``GET /{id_number}``, for callers whose proxies log URLs. A read although a POST: it
    takes no session (so no write transaction) and reads through the same key look-up; its audit row, for a
    ``pii:read`` client, is written by the request middleware as for the GET."""
    view = await service.get_person(lookups=runtime_of(request).lookups, id_number=body.id_number)
    principal.check_county(view.identity.county_code)
    return view


# FastAPI's general route (a DirectRoute takes no body), after the GET so the hot path is matched first.
router.add_api_route(
    "/lookup", lookup_person, methods=["POST"], route_class_override=APIRoute,
    summary="按身份证号查询人员（请求体）Person view by ID number in the body",
    description="与 GET /v1/persons/{id_number} 相同的一卡通人员视图，身份证号码放在请求体中而不在网址中"
    "（网址会被代理记入日志）。Same answer, scope, masking and audit as the GET; the ID number travels in the body "
    "(`{\"id_number\": \"…\"}`), not in a URL that proxies log.",
    responses=PROBLEMS,
)
