"""``imports_router``: POST /v1/imports?kind=…, GET /v1/imports, GET /v1/imports/{id}, GET /v1/imports/{id}/accepted."""

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response

from hrss_shared.app import RuntimeDep, ServiceRuntime, SessionDep, require
from hrss_shared.auth import Principal, county_filter
from hrss_shared.imports import runner
from hrss_shared.imports.kinds import ImportKind
from hrss_shared.imports.models import import_models
from hrss_shared.imports.tables import ImportStatus, ImportTables
from hrss_shared.listing import DateRange, date_range_param, sort_param
from hrss_shared.logs import get_logger
from hrss_shared.paging import Page, PageDep, page_of
from hrss_shared.validators import CountyCode

log = get_logger(__name__)

TAG = "bulk imports 批量导入"


def default_description(kinds: Sequence[ImportKind], record: tuple[str, str]) -> str:
    """The POST description for a service that writes none of its own: the kinds, their columns and the rules."""
    names = " or ".join(f"`{k.name}` {k.label}" for k in kinds)
    columns = "; ".join(
        f"{k.label}: {', '.join(k.row_model.model_fields)}"
        + (f" (optional {', '.join(k.extra.columns.values())})" if k.extra is not None else "")
        for k in kinds
    )
    labels = "或".join(k.label for k in kinds)
    return f"""批量导入{labels} (bulk import of {record[1]}s).

* `kind` names the kind of every row in the file ({names}); the file has no `kind` column.
* CSV (`text/csv`, UTF-8 or the `charset` the Content-Type names, header row first) or JSON lines
  (`application/x-ndjson` / `application/jsonl`). Columns are the single-record endpoint's body fields
  ({columns}). A CSV header with an unknown or missing required column refuses the whole file (422).
* Each row is checked and written exactly as the single-record endpoint would, in file order, and stands
  alone: a rejected row writes nothing and is reported with its line number (CSV header = line 1; JSON lines
  from 1), field, reason and the status the single-record endpoint would answer (422, 409, or 403 for another
  county's row when the client is limited to a county). Each accepted row publishes that endpoint's events;
  the import itself publishes none.
* Answers 202 at once with the import's id and `Location`; rows are applied in the background.
  `GET /v1/imports/{{id}}` shows progress (`processed` of `total`). Progress commits together with the rows
  (in batches of up to {runner.BATCH_ROWS} rows or half a second), so an import interrupted by a restart stays
  `running` with `processed` < `total` and no further `updated_at`: rows up to `processed` were applied or
  rejected as reported, the rest were not applied — import those again.
* Body limit {runner.MAX_BODY_BYTES // (1024 * 1024)} MB (413).
"""


def imports_router(
    kinds: Sequence[ImportKind],
    *,
    tables: ImportTables,
    read_scope: str,
    write_scope: str,
    record: tuple[str, str] = ("记录", "record"),
    summary: str | None = None,
    description: str | None = None,
    kind_description: str = "导入类别 kind of every row",
    csv_example: str | None = None,
) -> APIRouter:
    """The bulk-import endpoints of a service for ``kinds``.

    ``record`` names what a row creates (Chinese, English) in the OpenAPI texts; ``summary`` and ``description``
    of the POST default to ones built from the kinds; ``csv_example`` is shown as the CSV body's example.
    Mount with ``create_service_app(routers=[...], body_limits=BODY_LIMITS)`` so the file has its own limit.
    """
    by_name = {k.name: k for k in kinds}
    if len(by_name) != len(kinds) or not kinds:
        raise ValueError("import kinds need distinct names, and at least one")
    models = import_models(list(kinds), record)
    kind_enum: Any = models.kind
    public: Any = models.public
    report: Any = models.report
    acceptance: Any = models.acceptance
    rejection: Any = models.rejection
    Reader = Annotated[Principal, Depends(require(read_scope))]  # noqa: N806 - a dependency alias
    Writer = Annotated[Principal, Depends(require(write_scope))]  # noqa: N806 - a dependency alias

    body_doc: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "description": f"CSV（首行为表头）或 JSON Lines，每行一条{record[0]}；"
            f"不超过 {runner.MAX_BODY_BYTES // (1024 * 1024)} MB。",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/jsonl": {"schema": {"type": "string"}},
            },
        }
    }
    if csv_example is not None:
        body_doc["requestBody"]["content"]["text/csv"]["example"] = csv_example

    router = APIRouter(prefix=runner.IMPORTS_PATH, tags=[TAG])

    @router.post(
        "", status_code=202, response_model=public,
        summary=summary or f"批量导入{'/'.join(k.label for k in kinds)} Bulk import",
        description=description or default_description(kinds, record), openapi_extra=body_doc,
    )
    async def submit_import(
        request: Request, response: Response, session: SessionDep, runtime: RuntimeDep, principal: Writer,
        background: BackgroundTasks,
        kind: Annotated[kind_enum, Query(description=kind_description)],
    ) -> Any:
        spec = by_name[str(kind)]
        body = await _read_body(request)
        media, rows = runner.read_rows(kind=spec, content_type=request.headers.get("content-type"), body=body)
        job = await runner.create(session=session, tables=tables, principal=principal, kind=spec,
                                  content_type=media, total=len(rows))
        work = runner.run(runtime=runtime, tables=tables, principal=principal, import_id=job.id, kind=spec,
                          rows=rows)
        background.add_task(_start, runtime, work, job.id)
        response.headers["Location"] = f"{runner.IMPORTS_PATH}/{job.id}"
        return models.of(job)

    @router.get("", summary="导入批次列表 Imports", response_model=Page[public])
    async def list_imports(
        session: SessionDep, principal: Reader, page: PageDep,
        county_code: Annotated[CountyCode | None, Query(description="提交客户端所属县（市、区）")] = None,
        kind: Annotated[kind_enum | None, Query()] = None,
        status: Annotated[ImportStatus | None, Query()] = None,
        received: DateRange = date_range_param("接收日期 received day, UTC+8"),
        sort: str = sort_param("received_at", default="-received_at"),
    ) -> Any:
        jobs, count = await runner.list_imports(
            session=session, tables=tables, page=page, county_code=county_filter(principal, county_code),
            kind=None if kind is None else str(kind), status=status, received=received, sort=sort,
        )
        page_type: Any = Page[public]
        return page_type(data=[models.of(j) for j in jobs], count=count, limit=page.limit, offset=page.offset)

    @router.get(
        "/{import_id}", summary="导入结果 Import report", response_model=report,
        description="计数与被拒绝的行（行号、字段、原因），被拒绝的行按行号分页 (limit/offset page the rejections).",
    )
    async def get_import(import_id: str, session: SessionDep, principal: Reader, page: PageDep) -> Any:
        job = await runner.get_or_404(session=session, tables=tables, principal=principal, import_id=import_id)
        rows, count = await runner.list_rejections(session=session, tables=tables, page=page, import_id=import_id)
        return models.of(job, rejections=page_of(rejection, rows, count, page))

    @router.get(
        "/{import_id}/accepted", summary="导入成功的行 Accepted rows",
        response_model=Page[acceptance],
        description=f"每个导入成功的行号及其新建{record[0]}的 id (line and the id of the {record[1]} it created).",
    )
    async def list_accepted(import_id: str, session: SessionDep, principal: Reader, page: PageDep) -> Any:
        await runner.get_or_404(session=session, tables=tables, principal=principal, import_id=import_id)
        rows, count = await runner.list_acceptances(session=session, tables=tables, page=page, import_id=import_id)
        return page_of(acceptance, rows, count, page)

    return router


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > runner.MAX_BODY_BYTES:
        raise runner.too_large()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > runner.MAX_BODY_BYTES:
            raise runner.too_large()
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
