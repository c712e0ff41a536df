"""/v1/institutions — training institutions 培训机构 and their accreditations 培训资质认定."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, SupportedDate, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode
from training.common import OccupationCode
from training.deps import Reader, Writer, county_filter
from training.institutions import service
from training.institutions.models import (
    Accreditation,
    AccreditationCreate,
    AccreditationPublic,
    Institution,
    InstitutionCreate,
    InstitutionKind,
    InstitutionPublic,
    InstitutionStatus,
    InstitutionUpdate,
)

router = APIRouter(prefix="/v1/institutions", tags=["institutions 培训机构"])


def _public(institution: Institution, accreditations: list[Accreditation]) -> InstitutionPublic:
    return InstitutionPublic(**institution.model_dump(),
                             accreditations=[AccreditationPublic.model_validate(a) for a in accreditations])


async def _answer(session: AsyncSession, institution: Institution) -> InstitutionPublic:
    found = await service.accreditations_of(session=session, institution_ids=[institution.id])
    return _public(institution, found.get(institution.id, []))


@router.post("", status_code=201, summary="培训机构登记 Register a training institution",
             description="登记技工院校、职业院校、社会培训机构或企业（培训主体）；统一社会信用代码只能登记一次，"
                         "重复登记为 409 并指明已登记的机构。发布 hrss.training.institution.registered.v1。")
async def create_institution(
    body: InstitutionCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> InstitutionPublic:
    institution = await service.create(session=session, outbox=outbox, principal=principal, data=body)
    return _public(institution, [])


@router.get("", summary="培训机构列表 List training institutions",
            description="按县（市、区）、机构类型、状态、认定职业（及其有效日期）和登记日期筛选，可排序。")
async def list_institutions(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="县（市、区）代码")] = None,
    kind: Annotated[InstitutionKind | None, Query(description="机构类型")] = None,
    status: Annotated[InstitutionStatus | None, Query(description="状态 active 正常 / suspended 暂停 / "
                                                                    "closed 关闭")] = None,
    occupation_code: Annotated[OccupationCode | None, Query(description="认定职业编码，如 6-29-03-01")] = None,
    accredited_on: Annotated[SupportedDate | None, Query(
        description="资质在该日有效 accredited on this day (with occupation_code: for that occupation)")] = None,
    created: DateRange = date_range_param("the date the institution was registered 登记日期"),
    sort: str = sort_param(*service.SORTS, default="-created_at"),
) -> Page[InstitutionPublic]:
    rows, count = await service.list_institutions(
        session=session, page=page, county_code=county_filter(principal, county_code), kind=kind, status=status,
        occupation_code=occupation_code, accredited_on=accredited_on, created=created, sort=sort,
    )
    found = await service.accreditations_of(session=session, institution_ids=[r.id for r in rows])
    data = [_public(r, found.get(r.id, [])) for r in rows]
    return Page[InstitutionPublic](data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{institution_id}", summary="查询培训机构 Get a training institution")
async def get_institution(institution_id: str, session: SessionDep, principal: Reader) -> InstitutionPublic:
    institution = await service.get_or_404(session=session, institution_id=institution_id)
    principal.check_county(institution.county_code)
    return await _answer(session, institution)


@router.patch("/{institution_id}", summary="培训机构信息变更 Update a training institution",
              description="变更机构名称或状态（active 正常 / suspended 暂停 / closed 关闭；关闭后不能再变更）。"
                          "未发生变化时不发布事件；否则发布 hrss.training.institution.updated.v1。")
async def update_institution(
    institution_id: str, body: InstitutionUpdate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> InstitutionPublic:
    institution = await service.update(
        session=session, outbox=outbox, principal=principal, institution_id=institution_id, data=body
    )
    return await _answer(session, institution)


@router.post("/{institution_id}/accreditations", status_code=201,
             summary="培训资质认定 Accredit an institution for an occupation",
             description="为正常状态的培训机构认定一个职业（国家职业分类大典编码及名称）的培训资质及有效期；"
                         "同一职业的有效期不得重叠。发布 hrss.training.institution.accredited.v1。")
async def accredit_institution(
    institution_id: str, body: AccreditationCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> InstitutionPublic:
    institution = await service.accredit(
        session=session, outbox=outbox, principal=principal, institution_id=institution_id, data=body
    )
    return await _answer(session, institution)

