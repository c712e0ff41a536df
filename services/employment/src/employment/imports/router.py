"""/v1/imports — bulk imports 批量导入 of 就业登记 / 失业登记."""

import asyncio
from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response

from employment.deps import Reader, Writer, county_filter
from employment.imports import service
from employment.imports.models import (
    AcceptancePublic,
    Import,
    ImportKind,
    ImportPublic,
    ImportReport,
    ImportStatus,
    RejectionPublic,
)
from hrss_shared.app import RuntimeDep, ServiceRuntime, SessionDep
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.logs import get_logger
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode

router = APIRouter(prefix="/v1/imports", tags=["bulk imports 批量导入"])
log = get_logger(__name__)

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "CSV（首行为表头）或 JSON Lines，每行一条登记；不超过 20 MB。",
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": (
                "id_number,name,credit_code,start_date,occupation\n"
                "330802197505170019,王小明,91330802123456789L,2026-03-01,车工\n")},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "application/jsonl": {"schema": {"type": "string"}},
        },
    }
}

_POST_DESCRIPTION = """批量导入就业登记或失业登记 (bulk registration import).

* `kind` names the kind of every row in the file (`employment_registration` 就业登记 or
  `unemployment_registration` 失业登记); the file has no `kind` column.
* CSV (`text/csv`, UTF-8 or the `charset` the Content-Type names, header row first) or JSON lines
  (`application/x-ndjson` / `application/jsonl`). Columns are the single-record endpoint's body fields
  (就业登记: id_number, name, credit_code, start_date, occupation; 失业登记: id_number, name,
  county_code, registered_date, reason), plus optionally `end_date` with `termination_reason`
  (就业登记) or `close_reason` (失业登记) for a registration that has already ended. A CSV header with an
  unknown or missing required column refuses the whole file (422).
* Each row is checked and written exactly as `POST /v1/employment-registrations` (or
  `/v1/unemployment-registrations`) would, in file order, and stands alone: a rejected row writes
  nothing and is reported with its line number (CSV header = line 1; JSON lines from 1), field, reason and
  the status the single-record endpoint would answer (422, 409, or 403 for another county's row when the
  client is limited to a county). Each accepted row publishes that endpoint's events; the import itself
  publishes none.
* Answers 202 at once with the import's id and `Location`; rows are applied in the background.
  `GET /v1/imports/{id}` shows progress (`processed` of `total`). Progress commits together with the rows
  (in batches of up to 200 rows or half a second), so an import interrupted by a restart stays `running`
  with `processed` < `total` and no further `updated_at`: rows up to `processed` were applied or rejected
  as reported, the rest were not applied — import those again.
* Body limit 20 MB (413).
"""


def _public(job: Import) -> ImportPublic:
    return ImportPublic(
        id=job.id, kind=ImportKind(job.kind), status=ImportStatus(job.status), submitted_by=job.submitted_by,
        county_code=job.county_code, received_at=job.received_at, updated_at=job.updated_at,
        finished_at=job.finished_at, total=job.total, processed=job.accepted + job.rejected, accepted=job.accepted,
        rejected=job.rejected,
    )


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > service.MAX_BODY_BYTES:
        raise service.too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > service.MAX_BODY_BYTES:
            raise service.too_large()
    return bytes(body)


async def _start(runtime: ServiceRuntime, coro: Coroutine[Any, Any, None], import_id: str) -> None:
    """Run the import as a task the runtime holds (so it is neither collected nor left running at shutdown).

    Called as a background task of the request, so it starts after the import's row has committed.
    """
    task = asyncio.create_task(coro, name=f"import-{import_id}")
    runtime.tasks.append(task)

    def done(finished: asyncio.Task[None]) -> None:
        runtime.tasks.remove(finished)
        if not finished.cancelled() and (exc := finished.exception()) is not None:
            log.error("import_interrupted", import_id=import_id, error=repr(exc), exc_info=exc)

    task.add_done_callback(done)


@router.post(
    "", status_code=202, summary="批量导入就业/失业登记 Bulk import",
    description=_POST_DESCRIPTION, openapi_extra=_BODY_DOC,
)
async def submit_import(
    request: Request, response: Response, session: SessionDep, runtime: RuntimeDep, principal: Writer,
    background: BackgroundTasks, kind: Annotated[ImportKind, Query(description="登记类别 kind of every row")],
) -> ImportPublic:
    body = await _read_body(request)
    media, rows = service.read_rows(kind=kind, content_type=request.headers.get("content-type"), body=body)
    job = await service.create(session=session, principal=principal, kind=kind, content_type=media, total=len(rows))
    work = service.run(runtime=runtime, principal=principal, import_id=job.id, kind=kind, rows=rows)
    background.add_task(_start, runtime, work, job.id)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return _public(job)


@router.get("", summary="导入批次列表 Imports")
async def list_imports(
    session: SessionDep, principal: Reader, page: PageDep,
    county_code: Annotated[CountyCode | None, Query(description="提交客户端所属县（市、区）")] = None,
    kind: Annotated[ImportKind | None, Query()] = None,
    status: Annotated[ImportStatus | None, Query()] = None,
    received: DateRange = date_range_param("接收日期 received day, UTC+8"),
    sort: str = sort_param("received_at", default="-received_at"),
) -> Page[ImportPublic]:
    rows, count = await service.list_imports(
        session=session, page=page, county_code=county_filter(principal, county_code), kind=kind, status=status,
        received=received, sort=sort,
    )
    return Page[ImportPublic](data=[_public(r) for r in rows], count=count, limit=page.limit, offset=page.offset)


@router.get(
    "/{import_id}", summary="导入结果 Import report",
    description="计数与被拒绝的行（行号、字段、原因），被拒绝的行按行号分页 (limit/offset page the rejections).",
)
async def get_import(import_id: str, session: SessionDep, principal: Reader, page: PageDep) -> ImportReport:
    job = await service.get_or_404(session=session, principal=principal, import_id=import_id)
    rows, count = await service.list_rejections(session=session, page=page, import_id=import_id)
    return ImportReport(**_public(job).model_dump(), rejections=page_of(RejectionPublic, rows, count, page))


@router.get(
    "/{import_id}/accepted", summary="导入成功的行 Accepted rows",
    description="每个导入成功的行号及其新建登记的 id (line and the id of the registration it created).",
)
async def list_accepted(
    import_id: str, session: SessionDep, principal: Reader, page: PageDep
) -> Page[AcceptancePublic]:
    await service.get_or_404(session=session, principal=principal, import_id=import_id)
    rows, count = await service.list_acceptances(session=session, page=page, import_id=import_id)
    return page_of(AcceptancePublic, rows, count, page)
