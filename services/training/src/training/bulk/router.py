"""/v1/bulk — 批量写入 (bulk paths: the synthetic city and large loads) of the training service."""

from fastapi import APIRouter

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.bulk import MAX_ROWS, BulkReport, Rows
from training.bulk import service
from training.certificates.models import CertificateCreate
from training.deps import Writer

router = APIRouter(prefix="/v1/bulk", tags=["bulk 批量写入"])


@router.post("/certificates", summary="批量写入职业技能等级证书 (Bulk-load skill-level certificates)",
             description=f"每次至多 {MAX_ROWS} 行，规则与单条发证相同（POST /v1/certificates）："
                         "证书编号已为同一持证人登记的行跳过（可重复运行）；已为他人登记、报名记录不符（须为本人、同一职业、"
                         "合格结业）或超出客户端所属县的行拒绝并在 refused 中列出；字段错误为 422"
                         "（指明 rows.<n>.<字段>）。每写入一行发布一条 "
                         "hrss.training.certificate.issued.v1，与单条发证相同。")
async def load_certificates(body: Rows[CertificateCreate], session: SessionDep, outbox: OutboxDep,
                            principal: Writer) -> BulkReport:
    return await service.load_certificates(session=session, outbox=outbox, principal=principal, rows=body.rows)
