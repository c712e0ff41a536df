"""/v1/persons/{id_number}/insurance — 个人参保缴费信息."""

from fastapi import APIRouter

from hrss_shared.app import SessionDep
from hrss_shared.validators import IdNumber
from social_insurance.deps import Reader
from social_insurance.persons import service
from social_insurance.persons.models import PersonInsurance, PersonLookup

router = APIRouter(prefix="/v1/persons", tags=["persons 个人参保信息"])

DESCRIPTION = ("参保登记（各险种、状态、参保单位），各险种累计缴费月数与已缴月份，失业保险金核定，"
               "以及参保期间内截至上月未缴费的月份（断缴；"
               "待生效的参保登记不计，暂停缴费期间不计）。县（市、区）客户端只看到本县的记录。")


@router.get("/{id_number}/insurance", summary="个人参保缴费信息 A person's insurance", description=DESCRIPTION)
async def person_insurance(
    id_number: IdNumber, session: SessionDep, principal: Reader,
) -> PersonInsurance:
    return await service.insurance_of(session=session, principal=principal, id_number=id_number)


@router.post("/insurance/lookup", summary="个人参保缴费信息（按请求体查询）A person's insurance, ID in the body",
             description=DESCRIPTION + " 与 GET 相同，身份证号码放在请求体中，供会记录 URL 的调用方使用。")
async def person_insurance_lookup(body: PersonLookup, session: SessionDep, principal: Reader) -> PersonInsurance:
    return await service.insurance_of(session=session, principal=principal, id_number=body.id_number)


