"""/v1/persons — the person-centric 一卡通 view."""

from fastapi import APIRouter, Request

from gateway.persons import service
from gateway.persons.schemas import PersonView
from hrss_shared.app import PROBLEMS, DirectRoute, authorize, runtime_of
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import IdNumber

# The hottest read of the platform: a DirectRoute (see hrss_shared.app) calls the endpoint without FastAPI's
# dependency machinery; the endpoint checks its credential itself, and tests/shared/
# test_every_route_needs_a_credential.py checks every route, this one included, refuses a request without one.
router = APIRouter(prefix="/v1/persons", tags=["persons 一卡通人员视图"], route_class=DirectRoute)


@router.get(
    "/{id_number}",
    summary="一卡通人员视图 Person view",
    description="按身份证号码查询人员的身份、就业、职业技能、社会保险和劳动关系信息；各部分带截至时间 as_of。"
    " ID and phone numbers are masked without pii:read; unmasked reads are audited (X-Purpose header = why).",
    responses=PROBLEMS,
)
async def get_person(id_number: IdNumber, request: Request) -> PersonView:
    principal = authorize(request, f"{GATEWAY.scope_domain}:read")
    view = await service.get_person(lookups=runtime_of(request).lookups, id_number=id_number)
    principal.check_county(view.identity.county_code)
    return view
