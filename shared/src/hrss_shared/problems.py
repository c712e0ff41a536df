"""RFC 9457 problem+json errors: domain errors, validation errors and the handlers that render them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hrss_shared.faults import is_transient
from hrss_shared.logs import CORRELATION_HEADER, SCOPE_KEY, correlation_id, get_logger

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://hrss.qz.gov.cn/problems/"
log = get_logger(__name__)
RESERVED = frozenset({"type", "title", "status", "detail", "instance", "errors", "correlation_id"})


@dataclass
class FieldError:
    field: str
    reason: str


@dataclass
class ProblemError(Exception):
    """A domain error the API answers with problem+json; subclasses fix status and title."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    status: int = 400
    title: str = "请求错误 Bad request"
    slug: str = "bad-request"
    extra: dict[str, Any] = field(default_factory=dict)
    # True for a refusal the rules say must leave a trace: the request's writes commit, then the 4xx goes out.
    keep_writes: bool = False

    def __post_init__(self) -> None:
        clash = RESERVED & self.extra.keys()
        if clash:
            raise ValueError(f"problem extras may not replace standard members: {sorted(clash)}")

    def __str__(self) -> str:
        return self.detail


P = TypeVar("P", bound="ProblemError")


def recorded(problem: P) -> P:
    """Mark a refusal whose record and event commit before the 4xx answer (e.g. a duplicate claim for 政策监管)."""
    problem.keep_writes = True
    return problem


class NotFound(ProblemError):
    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail=detail, status=404, title="未找到 Not found", slug="not-found", extra=extra)


class Conflict(ProblemError):
    def __init__(self, detail: str, *, field_name: str | None = None, **extra: Any) -> None:
        errors = [FieldError(field_name, detail)] if field_name else []
        super().__init__(
            detail=detail, errors=errors, status=409, title="业务冲突 Conflict", slug="conflict", extra=extra
        )


class InvalidField(ProblemError):
    """422 for a value that parses but breaks a rule (e.g. an end date before the start date)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(
            detail=f"{field_name}: {reason}",
            errors=[FieldError(field_name, reason)],
            status=422,
            title="数据校验失败 Validation failed",
            slug="validation",
        )


class Unauthorized(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=401, title="未认证 Unauthorized", slug="unauthorized")


class Forbidden(ProblemError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=403, title="无权限 Forbidden", slug="forbidden")


def problem_response(
    request: Request | None,
    *,
    status: int,
    title: str,
    detail: str,
    slug: str,
    errors: list[FieldError] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if errors:
        body["errors"] = [{"field": e.field, "reason": e.reason} for e in errors]
    cid = correlation_id.get()
    if cid is None and request is not None and request.scope.get(SCOPE_KEY):
        # Outside the correlation middleware (unhandled errors): echo the header here.
        cid = request.scope[SCOPE_KEY]
        headers = {**(headers or {}), CORRELATION_HEADER: cid}
    if cid:
        body["correlation_id"] = cid
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) if parts else ".".join(str(p) for p in loc)


def _reason(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def validation_errors(exc: RequestValidationError | ValidationError) -> list[FieldError]:
    return [FieldError(_field_path(tuple(e["loc"])), _reason(e["msg"])) for e in exc.errors()]


def problem_of(request: Request | None, exc: ProblemError) -> JSONResponse:
    """The problem+json answer of a domain error."""
    headers = {"WWW-Authenticate": 'Bearer realm="hrss"'} if exc.status == 401 else None
    return problem_response(request, status=exc.status, title=exc.title, detail=exc.detail, slug=exc.slug,
                            errors=exc.errors, extra=exc.extra, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the API can raise as problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_of(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e.field}: {e.reason}" for e in errors)
        return problem_response(
            request, status=422, title="数据校验失败 Validation failed", detail=detail, slug="validation",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return problem_of(request, exc.problem)
        return problem_response(
            request, status=exc.status_code, title=str(exc.detail), detail=str(exc.detail),
            slug=f"http-{exc.status_code}",
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return unexpected_error_response(request, exc)


UNAVAILABLE_RETRY_AFTER = 5  # seconds a client waits before retrying while the database is unreachable


def unexpected_error_response(request: Request, exc: BaseException) -> JSONResponse:
    """503 with Retry-After while the database (or another dependency) is unreachable; 500 for a bug; a
    refusal raised where no handler took it (e.g. :class:`BodyTooLarge` from a middleware's read) as itself."""
    if isinstance(exc, ProblemError | BodyTooLarge):
        return problem_of(request, exc if isinstance(exc, ProblemError) else exc.problem)
    if is_transient(exc):
        log.warning("dependency_unavailable", path=request.url.path, error=repr(exc)[:300])
        return problem_response(
            request, status=503, title="服务暂不可用 Service unavailable",
            detail="数据库暂时无法访问，请稍后重试 (the database is unreachable; retry after the given seconds)",
            slug="unavailable", headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
        )
    log.error("unhandled_error", path=request.url.path, correlation_id=request.scope.get(SCOPE_KEY),
              exc_info=exc)
    return problem_response(
        request,
        status=500,
        title="系统内部错误 Internal error",
        detail="An unexpected error occurred; quote the correlation id when reporting it.",
        slug="internal",
    )




class ContentTooLarge(ProblemError):
    """413: the request body is larger than the service's limit (``HRSS_MAX_BODY_BYTES``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            detail=f"请求体超过上限 {limit} 字节 (the request body is larger than the limit of {limit} bytes)",
            status=413, title="请求体过大 Content too large", slug="too-large", extra={"limit": limit},
        )


class BodyTooLarge(StarletteHTTPException):
    """:class:`ContentTooLarge` raised from ``receive``: an HTTP exception, because FastAPI's body parsing turns
    any other error of the read into a 400 and lets only these through to their handler."""

    def __init__(self, limit: int) -> None:
        self.problem = ContentTooLarge(limit)
        super().__init__(413, detail=self.problem.detail)


class BodyLimit:
    """Outermost ASGI wrapper: a request body over ``max_bytes`` is refused with a problem+json 413 — at once
    when its ``Content-Length`` says so (before a byte is read), else as soon as the bytes received pass the
    limit (a chunked body; raised from ``receive`` into the handler that reads, whose problem handler answers).
    A request without a body (no ``Content-Length``, no ``Transfer-Encoding``: every GET) passes untouched."""

    def __init__(self, app: ASGIApp, max_bytes: int, *, by_prefix: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.by_prefix = dict(by_prefix or {})  # routes under a path prefix with a limit of their own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value
            elif name == b"transfer-encoding":
                chunked = True
        if declared is None and not chunked:
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = next((own for prefix, own in self.by_prefix.items() if path.startswith(prefix)), self.max_bytes)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await problem_of(Request(scope), ContentTooLarge(limit))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)

