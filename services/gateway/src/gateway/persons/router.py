"""/v1/persons — the person-centric 一卡通 view."""

from fastapi import APIRouter, Request, Response
from pydantic import TypeAdapter

from gateway.persons import service
from gateway.persons.schemas import PersonView
from hrss_shared.app import PROBLEMS, authorize, runtime_of
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import IdNumber

PERSON_VIEW = TypeAdapter(PersonView)
router = APIRouter(prefix="/v1/persons", tags=["persons 一卡通人员视图"])


@router.get(
    "/{id_number}",
    response_model=PersonView,
    summary="一卡通人员视图 Person view",
    description="按身份证号码查询人员的身份、就业、职业技能、社会保险和劳动关系信息；各部分带截至时间 as_of。"
    " ID and phone numbers are masked without pii:read; unmasked reads are audited (X-Purpose header = why).",
    responses=PROBLEMS,
)
async def get_person(id_number: IdNumber, request: Request) -> Response:
    # The hottest read path, trimmed to what it needs: the credential check called here rather than as a
    # dependency, one key look-up (KeyLookups), and the typed answer serialised once by its own model
    # (masking and audit work as everywhere, from PersonView's field types). tests/gateway/test_security.py
    # checks every route answers 401 without a credential, this one included.
    principal = authorize(request, f"{GATEWAY.scope_domain}:read")
    view = await service.get_person(lookups=runtime_of(request).lookups, id_number=id_number)
    principal.check_county(view.identity.county_code)
    return Response(PERSON_VIEW.dump_json(view), media_type="application/json")
