"""/v1/bulk — 批量写入 bulk loads (the synthetic city, large loads): set-based, the single-record rules, the same
events."""

from fastapi import APIRouter

from employment.bulk import service
from employment.deps import Writer
from employment.employers.models import EmployerCreate
from employment.job_seekers.models import JobSeekerCreate
from employment.registrations.models import EmploymentRegistrationCreate, UnemploymentRegistrationCreate
from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.bulk import BulkReport, Rows

router = APIRouter(prefix="/v1/bulk", tags=["bulk 批量写入"])

SKIPS = ("已存在的行跳过不写、不发事件，可重复执行 (rows already present are skipped: a load can run again); "
         "违反规则的行列入 refused，不写入 (rows breaking a rule are listed in refused and not written).")


@router.post("/employers", summary="批量写入用人单位 (Bulk-load employers)",
             description="同用人单位登记规则；每写入一家发布 employer.registered。"
                         "统一社会信用代码已登记的跳过。 " + SKIPS)
async def bulk_employers(body: Rows[EmployerCreate], session: SessionDep, outbox: OutboxDep,
                         principal: Writer) -> BulkReport:
    return await service.load_employers(session=session, outbox=outbox, principal=principal, rows=body.rows)


@router.post("/job-seekers", summary="批量写入求职登记 (Bulk-load job seekers)",
             description="同求职登记规则（每人一条）；每写入一人发布 job_seeker.registered。 " + SKIPS)
async def bulk_job_seekers(body: Rows[JobSeekerCreate], session: SessionDep, outbox: OutboxDep,
                           principal: Writer) -> BulkReport:
    return await service.load_job_seekers(session=session, outbox=outbox, principal=principal, rows=body.rows)


@router.post("/employment-registrations", summary="批量写入就业登记 (Bulk-load employment registrations)",
             description="同就业登记规则：用人单位须已登记且存续，劳动年龄内，同一单位不能有两条有效登记；"
                         "每写入一条发布 employment.registered，并注销该人员未注销的失业登记（unemployment.closed）。"
                         "身份证号、单位和起始日期相同的跳过。 " + SKIPS)
async def bulk_employment_registrations(body: Rows[EmploymentRegistrationCreate], session: SessionDep,
                                        outbox: OutboxDep, principal: Writer) -> BulkReport:
    return await service.load_employment_registrations(session=session, outbox=outbox, principal=principal,
                                                       rows=body.rows)


@router.post("/unemployment-registrations", summary="批量写入失业登记 (Bulk-load unemployment registrations)",
             description="同失业登记规则：劳动年龄内，无有效就业登记、无未注销的失业登记，登记日期不在已终止的就业期间内；"
                         "每写入一条发布 unemployment.registered。身份证号和登记日期相同的跳过。 " + SKIPS)
async def bulk_unemployment_registrations(body: Rows[UnemploymentRegistrationCreate], session: SessionDep,
                                          outbox: OutboxDep, principal: Writer) -> BulkReport:
    return await service.load_unemployment_registrations(session=session, outbox=outbox, principal=principal,
                                                         rows=body.rows)
