"""/v1/persons — the person-centric 一卡通 view."""

from typing import Annotated

from fastapi import APIRouter, Depends

from gateway.persons import service
from gateway.persons.schemas import PersonView
from hrss_shared.app import SessionDep, require
from hrss_shared.auth import Principal
from hrss_shared.registry import GATEWAY
from hrss_shared.validators import IdNumber

router = APIRouter(prefix="/v1/persons", tags=["persons 一卡通人员视图"])
Reader = Annotated[Principal, Depends(require(f"{GATEWAY.scope_domain}:read"), scope="function")]


@router.get(
    "/{id_number}",
    summary="一卡通人员视图 Person view",
    description="按身份证号码查询人员的身份、就业、职业技能、社会保险和劳动关系信息；各部分带截至时间 as_of。"
    " ID and phone numbers are masked without pii:read; unmasked reads are audited (X-Purpose header = why).",
)
async def get_person(id_number: IdNumber, session: SessionDep, principal: Reader) -> PersonView:
    view = await service.get_person(session=session, id_number=id_number)
    principal.check_county(view.identity.county_code)
    return view
