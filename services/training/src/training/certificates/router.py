"""/v1/certificates 职业技能等级证书 and /v1/special-certificates 专项职业能力证书."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber
from training.certificates import service
from training.certificates.models import (
    CertificateCancellation,
    CertificateCorrection,
    CertificateCreate,
    CertificatePublic,
    CertificateStatus,
    SkillLevel,
    SpecialCertificateCreate,
    SpecialCertificatePublic,
)
from training.common import OccupationCode
from training.deps import Reader, Writer, county_filter

router = APIRouter(prefix="/v1/certificates", tags=["certificates 职业技能等级认定"])
special_router = APIRouter(prefix="/v1/special-certificates", tags=["special certificates 专项职业能力"])


@router.post("", status_code=201, summary="职业技能等级认定发证 Record a skill-level certificate",
             description="证书编号全国唯一（重复为 409，指明已登记的证书记录）；职业编码按《国家职业分类大典》；等级 "
                         "5 五级/初级工、4 四级/中级工、3 三级/高级工、2 二级/技师、1 一级/高级技师，三级及以上为高技能"
                         "人才；发证日期不晚于今天；填写 enrolment_id 时须为持证人本人、同一职业、合格结业的报名记录。"
                         "发布 hrss.training.certificate.issued.v1（就业服务据此更新技能档案；符合政策的技能提升补贴"
                         "据此免申即享）。")
async def issue_certificate(
    body: CertificateCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CertificatePublic:
    certificate = await service.issue(session=session, outbox=outbox, principal=principal, data=body)
    return CertificatePublic.model_validate(certificate)


@router.get("", summary="职业技能等级证书列表 List skill-level certificates",
            description="按持证人公民身份号码、县（市、区）、职业编码、等级、状态和发证日期区间筛选，可排序。")
async def list_certificates(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="持证人公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="认定地县（市、区）代码")] = None,
    occupation_code: Annotated[OccupationCode | None, Query(description="职业编码")] = None,
    level: Annotated[SkillLevel | None, Query(description="技能等级 1-5")] = None,
    status: Annotated[CertificateStatus | None, Query(description="valid 有效 / cancelled 已撤销")] = None,
    issued: DateRange = date_range_param("issued_date 发证日期"),
    sort: str = sort_param(*service.SORTS, default="-issued_date"),
) -> Page[CertificatePublic]:
    rows, count = await service.list_certificates(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        occupation_code=occupation_code, level=int(level) if level is not None else None, status=status,
        issued=issued, sort=sort,
    )
    return Page[CertificatePublic](data=[CertificatePublic.model_validate(r) for r in rows], count=count,
                                   limit=page.limit, offset=page.offset)


@router.get("/{certificate_id}", summary="查询职业技能等级证书 Get a certificate")
async def get_certificate(certificate_id: str, session: SessionDep, principal: Reader) -> CertificatePublic:
    certificate = await service.get_or_404(session=session, certificate_id=certificate_id)
    principal.check_county(certificate.county_code)
    return CertificatePublic.model_validate(certificate)


@router.post("/{certificate_id}/correct", summary="更正职业技能等级证书 Correct a certificate",
             description="登记有误时更正所填字段（须填写原因）；已撤销的证书不能更正（409）。发布 "
                         "hrss.training.certificate.corrected.v1；技能档案与据此核发的补贴随之调整"
                         "（等级或职业变更时原补贴撤销并按更正后的证书重新核定）。")
async def correct_certificate(
    certificate_id: str, body: CertificateCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CertificatePublic:
    certificate = await service.correct(session=session, outbox=outbox, principal=principal,
                                        certificate_id=certificate_id, data=body)
    return CertificatePublic.model_validate(certificate)


@router.post("/{certificate_id}/cancel", summary="撤销职业技能等级证书 Cancel a certificate",
             description="撤销（须填写原因），不可恢复；已撤销的为 409。发布 hrss.training.certificate.cancelled.v1；"
                         "技能档案中的该证书删除，据此核发的补贴撤销（hrss.training.subsidy.revoked.v1）。")
async def cancel_certificate(
    certificate_id: str, body: CertificateCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> CertificatePublic:
    certificate = await service.cancel(session=session, outbox=outbox, principal=principal,
                                       certificate_id=certificate_id, data=body)
    return CertificatePublic.model_validate(certificate)


@special_router.post("", status_code=201, summary="专项职业能力证书发证 Record a special ability certificate",
                     description="专项职业能力证书无等级，单独记录与统计；证书编号全国唯一（重复为 409）；发证日期"
                                 "不晚于今天。发布 hrss.training.special_certificate.issued.v1。")
async def issue_special_certificate(
    body: SpecialCertificateCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> SpecialCertificatePublic:
    certificate = await service.issue_special(session=session, outbox=outbox, principal=principal, data=body)
    return SpecialCertificatePublic.model_validate(certificate)


@special_router.get("", summary="专项职业能力证书列表 List special ability certificates",
                    description="按持证人公民身份号码、县（市、区）、状态和发证日期区间筛选，可排序。")
async def list_special_certificates(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="持证人公民身份号码")] = None,
    county_code: Annotated[CountyCode | None, Query(description="考核地县（市、区）代码")] = None,
    status: Annotated[CertificateStatus | None, Query(description="valid 有效 / cancelled 已撤销")] = None,
    issued: DateRange = date_range_param("issued_date 发证日期"),
    sort: str = sort_param(*service.SPECIAL_SORTS, default="-issued_date"),
) -> Page[SpecialCertificatePublic]:
    rows, count = await service.list_special(
        session=session, page=page, id_number=id_number, county_code=county_filter(principal, county_code),
        status=status, issued=issued, sort=sort,
    )
    return Page[SpecialCertificatePublic](data=[SpecialCertificatePublic.model_validate(r) for r in rows],
                                          count=count, limit=page.limit, offset=page.offset)


@special_router.get("/{certificate_id}", summary="查询专项职业能力证书 Get a special ability certificate")
async def get_special_certificate(
    certificate_id: str, session: SessionDep, principal: Reader
) -> SpecialCertificatePublic:
    certificate = await service.get_special_or_404(session=session, certificate_id=certificate_id)
    principal.check_county(certificate.county_code)
    return SpecialCertificatePublic.model_validate(certificate)


@special_router.post("/{certificate_id}/cancel", summary="撤销专项职业能力证书 Cancel a special ability certificate",
                     description="撤销（须填写原因），不可恢复；已撤销的为 409。发布 "
                                 "hrss.training.special_certificate.cancelled.v1。")
async def cancel_special_certificate(
    certificate_id: str, body: CertificateCancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> SpecialCertificatePublic:
    certificate = await service.cancel_special(session=session, outbox=outbox, principal=principal,
                                               certificate_id=certificate_id, data=body)
    return SpecialCertificatePublic.model_validate(certificate)
