"""批量导入 of enrolments and certificates: each row goes through the single-record path (the same model and
service function as ``POST /v1/enrolments`` and ``POST /v1/certificates``), with the shared import mechanism's
per-row report (``hrss_shared.imports``)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from hrss_shared.auth import Principal
from hrss_shared.imports import ImportKind, imports_router
from hrss_shared.outbox import Outbox
from hrss_shared.registry import TRAINING
from training.certificates import service as certificates
from training.certificates.models import CertificateCreate
from training.db import imports as tables
from training.enrolments import service as enrolments
from training.enrolments.models import EnrolmentCreate


async def _enrol(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: EnrolmentCreate,
                 extra: Any | None) -> str:
    return (await enrolments.enrol(session=session, outbox=outbox, principal=principal, data=data)).id


async def _certify(*, session: AsyncSession, outbox: Outbox, principal: Principal, data: CertificateCreate,
                   extra: Any | None) -> str:
    return (await certificates.issue(session=session, outbox=outbox, principal=principal, data=data)).id


KINDS = [
    ImportKind(name="enrolment", label="培训报名", row_model=EnrolmentCreate, apply=_enrol),
    ImportKind(name="certificate", label="职业技能等级证书", row_model=CertificateCreate, apply=_certify,
               county_field="county_code"),
]

router = imports_router(
    KINDS, tables=tables, read_scope=f"{TRAINING.scope_domain}:read", write_scope=f"{TRAINING.scope_domain}:write",
    record=("报名或证书记录", "enrolment or certificate"),
    csv_example=("certificate_number,id_number,name,county_code,occupation_code,occupation_name,level,"
                 "evaluation_org,issued_date\n"
                 "Y2026000001,330802197505170011,王小明,330802,6-31-01-03,电工,4,衢州市职业技能鉴定指导中心,2026-03-10\n"),
)
