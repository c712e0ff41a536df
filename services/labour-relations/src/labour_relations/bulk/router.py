"""/v1/bulk — 批量写入 (bulk paths: the synthetic city and large loads) of the labour-relations service."""

from fastapi import APIRouter

from hrss_shared.app import OutboxDep, SessionDep
from hrss_shared.bulk import MAX_ROWS, BulkReport, Rows
from labour_relations.bulk import service
from labour_relations.cases.models import CaseCreate
from labour_relations.deps import Writer
from labour_relations.projects.models import ProjectCreate

router = APIRouter(prefix="/v1/bulk", tags=["bulk 批量写入"])
EVENT = "hrss.labour-relations"


@router.post("/projects", summary="批量登记在建工程项目 (Bulk-load construction projects)",
             description=f"每次至多 {MAX_ROWS} 行，字段与规则同 POST /v1/projects：同一施工总承包单位"
                         "（统一社会信用代码）下同名项目已登记的行跳过（可重复运行）；超出客户端所属县的行拒绝并在 "
                         "refused 中列出；字段错误为 422（指明 rows.<n>.<字段>）。每登记一个项目发布一条 "
                         f"{EVENT}.project.registered.v1。")
async def load_projects(body: Rows[ProjectCreate], session: SessionDep, outbox: OutboxDep,
                        principal: Writer) -> BulkReport:
    return await service.load_projects(session=session, outbox=outbox, principal=principal, rows=body.rows)


@router.post("/arrears-cases", summary="批量登记欠薪案件 (Bulk-load wage-arrears cases)",
             description=f"每次至多 {MAX_ROWS} 行，字段与规则同 POST /v1/arrears-cases（投诉登记）："
                         "同一单位同一投诉登记日期已有案件的行跳过（可重复运行）；登记日期晚于今天、无适用办案期限政策、"
                         "在建工程项目不存在或超出客户端所属县的行拒绝并在 refused 中列出；字段错误为 422。每件发布 "
                         f"{EVENT}.arrears_case.registered.v1，群体性欠薪另发布 {EVENT}.arrears_case.escalated.v1；"
                         "欠薪投诉（及群体性欠薪）预警信号随之记录，每个单位重新评估一次欠薪预警。")
async def load_cases(body: Rows[CaseCreate], session: SessionDep, outbox: OutboxDep, principal: Writer) -> BulkReport:
    return await service.load_cases(session=session, outbox=outbox, principal=principal, rows=body.rows)
