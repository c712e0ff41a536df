"""/v1/vouchers — electronic training vouchers 电子培训券."""

from typing import Annotated

from fastapi import APIRouter, Query

from hrss_shared import clock
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.paging import Page, PageDep
from hrss_shared.validators import CountyCode, IdNumber
from training.deps import Reader, Writer, county_filter
from training.vouchers import service
from training.vouchers.models import (
    Cancellation,
    Redemption,
    Voucher,
    VoucherCorrection,
    VoucherCreate,
    VoucherKind,
    VoucherPublic,
    VoucherStatus,
)

router = APIRouter(prefix="/v1/vouchers", tags=["vouchers 电子培训券"])


def public(voucher: Voucher) -> VoucherPublic:
    """The voucher as of today: an unused one past its expiry date answers ``expired``."""
    answer = VoucherPublic.model_validate(voucher)
    answer.status = voucher.status_on(clock.today())
    return answer


@router.post("", status_code=201, summary="发放电子培训券 Issue a training voucher",
             description="券种 reemployment 再就业培训券 / skill_upgrade 技能提升培训券 / entrepreneurship 创业培训券；"
                         "面额以字符串传送（元，精确到分，大于0）；可抵用的培训类型为课程培训类型的子集（至少一项），"
                         "可抵用的职业编码为空时不限职业；有效期止不早于发放日期。失业登记人员的再就业培训券由"
                         "失业登记事件自动发放（policy/vouchers.toml）。发布 hrss.training.voucher.issued.v1。")
async def issue_voucher(
    body: VoucherCreate, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> VoucherPublic:
    voucher = await service.issue(session=session, outbox=outbox, principal=principal, data=body)
    return public(voucher)


@router.get("", summary="电子培训券列表 List vouchers",
            description="按持券人公民身份号码、状态（issued 未使用 / redeemed 已抵用 / expired 已过期 / cancelled "
                        "已撤销，按今天计：过期未用的券即为 expired）、券种、县（市、区）和发放日期区间筛选，可排序。")
async def list_vouchers(
    session: SessionDep, principal: Reader, page: PageDep,
    id_number: Annotated[IdNumber | None, Query(description="持券人公民身份号码")] = None,
    status: Annotated[VoucherStatus | None, Query(description="issued 未使用 / redeemed 已抵用 / expired 已过期 / "
                                                              "cancelled 已撤销")] = None,
    kind: Annotated[VoucherKind | None, Query(description="券种")] = None,
    county_code: Annotated[CountyCode | None, Query(description="发券地县（市、区）代码")] = None,
    issued: DateRange = date_range_param("issue_date 发放日期"),
    sort: str = sort_param(*service.SORTS, default="-issue_date"),
) -> Page[VoucherPublic]:
    rows, count = await service.list_vouchers(
        session=session, page=page, id_number=id_number, status=status, kind=kind,
        county_code=county_filter(principal, county_code), issued=issued, sort=sort,
    )
    return Page[VoucherPublic](data=[public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get("/{voucher_id}", summary="查询电子培训券 Get a voucher")
async def get_voucher(voucher_id: str, session: SessionDep, principal: Reader) -> VoucherPublic:
    voucher = await service.get_or_404(session=session, voucher_id=voucher_id)
    principal.check_county(voucher.county_code)
    return public(voucher)


@router.post("/{voucher_id}/redeem", summary="抵用电子培训券 Redeem a voucher against an enrolment",
             description="未使用的券在有效期止当日及之前（按今天计）可抵用一次，用于持券人本人、未退出的报名记录（一条"
                         "报名记录只能抵用一张券）；课程培训类型须在可抵用类型之内，券限定职业时课程职业须在其内；培训机构"
                         "须为正常状态并在课程期间具有该职业的培训资质认定。抵用金额 = min(面额, 每人培训费)，"
                         "其余由学员自付，答复及报名记录（voucher_id、voucher_amount、trainee_pays）中列明。"
                         "否则为 409 并指明原因与字段：已抵用（指明报名记录）、已撤销、已过期"
                         "（指明有效期止）、他人的报名、已退出的报名、培训类型或职业不符、机构无资质。"
                         "发布 hrss.training.voucher.redeemed.v1（过期未记录的券在此时记为过期并发布 expired）。")
async def redeem_voucher(
    voucher_id: str, body: Redemption, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> VoucherPublic:
    voucher, _ = await service.redeem(session=session, outbox=outbox, principal=principal, voucher_id=voucher_id,
                                      data=body)
    return public(voucher)


@router.post("/{voucher_id}/cancel", summary="撤销电子培训券 Cancel an unused voucher",
             description="撤销未使用且未过期的券，须填写原因；已抵用、已撤销或已过期的为 409。"
                         "发布 hrss.training.voucher.cancelled.v1。")
async def cancel_voucher(
    voucher_id: str, body: Cancellation, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> VoucherPublic:
    voucher = await service.cancel(session=session, outbox=outbox, principal=principal, voucher_id=voucher_id,
                                   data=body)
    return public(voucher)


@router.post("/{voucher_id}/correct", summary="更正电子培训券 Correct an unused voucher",
             description="登记有误时更正未使用券的面额或有效期止（不早于发放日期），须填写原因；已抵用、已撤销或已记为"
                         "过期的为 409。发布 hrss.training.voucher.corrected.v1。")
async def correct_voucher(
    voucher_id: str, body: VoucherCorrection, session: SessionDep, outbox: OutboxDep, principal: Writer
) -> VoucherPublic:
    voucher = await service.correct(session=session, outbox=outbox, principal=principal, voucher_id=voucher_id,
                                    data=body)
    return public(voucher)
