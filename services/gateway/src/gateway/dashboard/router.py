"""/dashboard — the staff dashboard 监管驾驶舱: sign-in, the page, its API token, table exports.

These are the browser's routes, not API operations (they stay out of the OpenAPI document). Each refuses a
request without a valid session: a browser (``Accept: text/html``) is sent to the sign-in page, anything
else gets the API's 401 problem+json. The sign-in and sign-out forms are POSTs checked for the same origin
(``Origin`` / ``Sec-Fetch-Site``) on top of the session cookie's ``SameSite=Strict``.
"""

from __future__ import annotations

import hmac
import html
import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from string import Template
from typing import Annotated
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from gateway.dashboard import exports, oidc, sessions
from gateway.dashboard.config import dashboard_settings
from hrss_shared import clock
from hrss_shared.app import runtime_of
from hrss_shared.auth import county_filter
from hrss_shared.logs import get_logger
from hrss_shared.problems import Forbidden, InvalidField, NotFound, ProblemError, Unauthorized
from hrss_shared.validators import QUZHOU_COUNTIES

log = get_logger(__name__)
TEMPLATES = Path(__file__).parent / "templates"
SIGNIN = "/dashboard/signin"
# The first year the dashboard offers: the first year of the 14th five-year plan (2021–2025).
FIRST_YEAR = 2021
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it browsers send ``Origin: null`` with a form POST, and the forms check the origin.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
SIGNIN_ERRORS = {
    "missing": "请输入访问凭证。",
    "invalid": "访问凭证无效、已过期或已吊销。",
    "forbidden": "该客户端没有查看驾驶舱的权限（需要 gateway:read）。",
    "expired": "登录已过期，请重新登录。",
    "origin": "请求来源不符，请从本页面登录。",
    "oidc": "统一身份认证登录未成功，请重试或联系系统管理员。",
    "oidc_forbidden": "统一身份认证账号没有查看驾驶舱的权限（需要 gateway:read）或县（市、区）不符。",
}
ALERT_STATUSES = tuple(exports.ALERT_STATUS)
SLUG = re.compile(r"^[a-z0-9_]{1,64}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXPORT_NAME = re.compile(r"^(?P<table>[a-z]+)\.(?P<format>csv|xlsx)$")
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

router = APIRouter(prefix="/dashboard", tags=["dashboard 监管驾驶舱"], include_in_schema=False)


class CrossSite(Forbidden):
    def __init__(self) -> None:
        super().__init__("跨站请求被拒绝 (cross-site request refused)")


class SignInRequired(Exception):
    """A request without a valid session: the browser goes to sign-in, an API caller gets the problem."""

    def __init__(self, problem: ProblemError, code: str | None) -> None:
        self.problem = problem
        self.code = code


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def _to_signin(code: str | None) -> RedirectResponse:
    response = RedirectResponse(SIGNIN + (f"?error={code}" if code else ""), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _clear(response: Response) -> None:
    settings = dashboard_settings()
    response.delete_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH, secure=settings.cookie_secure,
                           httponly=True, samesite="strict")


def _refuse(request: Request, problem: ProblemError, code: str | None) -> Response:
    if _wants_html(request):
        response: Response = _to_signin(code)
        if code in ("expired", "invalid"):
            _clear(response)
        return response
    raise problem


def _session(request: Request) -> sessions.StaffSession:
    """The request's staff session; like the API, each request counts against the client's rate limit."""
    cookie = request.cookies.get(sessions.COOKIE)
    auth = runtime_of(request).auth
    try:
        staff = sessions.session_of(auth, cookie)
    except Unauthorized as exc:
        raise SignInRequired(exc, "expired" if cookie else None) from None
    if auth.limiter is not None:
        auth.limiter.hit(staff.principal.client_id)
    return staff


def _same_origin(request: Request) -> None:
    """A form POST must come from this site's own pages (login CSRF, forced sign-out)."""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site is not None and site not in ("same-origin", "none"):
        raise CrossSite()
    if origin is not None and (origin == "null" or urlsplit(origin).netloc != request.headers.get("host")):
        raise CrossSite()


@cache
def _template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _page(name: str, **values: str) -> Response:
    body = _template(name).substitute(values)
    return Response(body, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


async def _form(request: Request) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


@router.get("", summary="驾驶舱 Dashboard page")
async def dashboard(request: Request) -> Response:
    try:
        _session(request)
    except SignInRequired as exc:
        return _refuse(request, exc.problem, exc.code)
    return _page("dashboard.html")


@router.get("/signin", summary="登录页 Sign-in page")
async def signin_page(error: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    message = SIGNIN_ERRORS.get(error or "", "")
    sso = "" if dashboard_settings().oidc_enabled else "hidden"
    return _page("signin.html", message=html.escape(message), hidden="" if message else "hidden", sso=sso)


def _redirect_uri(request: Request) -> str:
    configured = dashboard_settings().oidc_redirect_url
    return configured or str(request.url_for("oidc_callback"))


def _flow_key(request: Request) -> str:
    return sessions.derived_key(runtime_of(request).auth.secret, oidc.FLOW_PURPOSE)


@router.get("/oidc/login", summary="统一身份认证登录 Sign in with OpenID Connect")
async def oidc_login(request: Request) -> Response:
    settings = dashboard_settings()
    if not settings.oidc_enabled:
        raise NotFound("未配置统一身份认证 (OpenID Connect is not configured)")
    try:
        provider = await oidc.client_for(settings).provider()
    except oidc.OidcFailed as exc:
        log.warning("dashboard_oidc_failed", step="discovery", reason=exc.detail)
        return _refuse(request, exc, "oidc")
    flow = oidc.new_flow()
    response = RedirectResponse(oidc.client_for(settings).authorization_url(provider, flow, _redirect_uri(request)),
                                status_code=303)
    response.set_cookie(oidc.FLOW_COOKIE, oidc.seal(flow, _flow_key(request)), max_age=oidc.FLOW_SECONDS,
                        path=oidc.FLOW_PATH, secure=settings.cookie_secure, httponly=True, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/oidc/callback", summary="统一身份认证回调 OpenID Connect callback")
async def oidc_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    settings = dashboard_settings()
    try:
        flow = oidc.unseal(request.cookies.get(oidc.FLOW_COOKIE), _flow_key(request))
        if not settings.oidc_enabled:
            raise oidc.OidcFailed("未配置统一身份认证 (OpenID Connect is not configured)")
        if error is not None:
            raise oidc.OidcFailed(f"身份认证服务未通过登录 (provider answered {error})")
        if not code or not state or not secrets_equal(state, flow.state):
            raise oidc.OidcFailed("登录流程不符 (state mismatch)")
        client = oidc.client_for(settings)
        claims = await client.id_token(await client.provider(), code, flow, _redirect_uri(request))
        principal = client.principal(claims)
        cookie, session = sessions.open_session(runtime_of(request).auth, principal,
                                                minutes=settings.session_minutes, ends=None)
    except oidc.OidcFailed as exc:
        log.warning("dashboard_oidc_failed", step="callback", reason=exc.detail)
        return _forget_flow(_refuse(request, exc, "oidc"))
    except Forbidden as exc:
        log.warning("dashboard_oidc_failed", step="claims", reason=exc.detail)
        return _forget_flow(_refuse(request, exc, "oidc_forbidden"))
    log.info("dashboard_signin", client_id=principal.client_id, county=principal.county, via="oidc",
             expires=session.expires.isoformat())
    # The provider's redirect here is a cross-site navigation: a redirect onward would still not carry the
    # SameSite=Strict session cookie, so this page moves on to the dashboard itself (a same-site navigation).
    response = _page("entering.html")
    max_age = max(1, int((session.expires - datetime.now(UTC)).total_seconds()))
    response.set_cookie(sessions.COOKIE, cookie, max_age=max_age, expires=session.expires, path=sessions.COOKIE_PATH,
                        secure=settings.cookie_secure, httponly=True, samesite="strict")
    return _forget_flow(response)


def _forget_flow(response: Response) -> Response:
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH, secure=dashboard_settings().cookie_secure,
                           httponly=True, samesite="lax")
    return response


def secrets_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


@router.post("/signin", summary="登录 Sign in with a client credential")
async def signin(request: Request) -> Response:
    settings = dashboard_settings()
    code = "invalid"
    try:
        _same_origin(request)
        credential = (await _form(request)).get("token", "").strip()
        if not credential:
            code = "missing"
            raise Unauthorized("请输入访问凭证 (missing credential)")
        cookie, session = sessions.sign_in(runtime_of(request).auth, credential, minutes=settings.session_minutes)
    except (Forbidden, Unauthorized) as exc:
        code = "origin" if isinstance(exc, CrossSite) else "forbidden" if isinstance(exc, Forbidden) else code
        log.warning("dashboard_signin_refused", reason=code)
        return _refuse(request, exc, code)
    log.info("dashboard_signin", client_id=session.principal.client_id, county=session.principal.county,
             expires=session.expires.isoformat())
    response = RedirectResponse("/dashboard", status_code=303)
    max_age = max(1, int((session.expires - datetime.now(UTC)).total_seconds()))
    response.set_cookie(sessions.COOKIE, cookie, max_age=max_age, expires=session.expires, path=sessions.COOKIE_PATH,
                        secure=settings.cookie_secure, httponly=True, samesite="strict")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/signout", summary="退出登录 Sign out")
async def signout(request: Request) -> Response:
    try:
        _same_origin(request)
        staff = _session(request)
    except CrossSite as exc:
        return _refuse(request, exc, "origin")
    except SignInRequired as exc:
        return _refuse(request, exc.problem, exc.code)
    log.info("dashboard_signout", client_id=staff.principal.client_id)
    response = _to_signin(None)
    _clear(response)
    return response


@router.get("/session", summary="当前登录与页面令牌 The session and the page's short-lived API token")
async def session_info(request: Request) -> Response:
    try:
        staff = _session(request)
    except SignInRequired as exc:
        raise exc.problem from None
    token, ttl = sessions.page_token(runtime_of(request).auth, staff, seconds=dashboard_settings().token_seconds)
    county = staff.principal.county
    body = {
        "client_id": staff.principal.client_id,
        "name": staff.principal.name,
        "county_code": county,
        "county_name": QUZHOU_COUNTIES.get(county, county) if county else "全市",
        "counties": [{"code": code, "name": name} for code, name in QUZHOU_COUNTIES.items()],
        "token": token,
        "expires_in": ttl,
        "session_expires_at": staff.expires.isoformat(),
        "year": clock.today().year,
        "first_year": FIRST_YEAR,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _filters(table: exports.Table, county: str | None, **given: str | None) -> dict[str, str]:
    """The export's filters, checked as the API checks them (422 naming the field)."""
    values: dict[str, str] = {}
    if county is not None:
        values["county_code"] = county
    for key, value in given.items():
        if value is None or value == "" or key not in table.filters:
            continue
        if key == "year" and not (value.isdigit() and 2000 <= int(value) <= 2100):
            raise InvalidField("year", "应为 2000–2100 之间的年份 (a year from 2000 to 2100)")
        if key == "status" and value not in ALERT_STATUSES:
            raise InvalidField("status", f"应为 {'/'.join(ALERT_STATUSES)} 之一")
        if key in ("rule", "level") and not SLUG.match(value):
            raise InvalidField(key, "格式错误 (lowercase letters, digits and _)")
        if key in ("from_date", "to_date") and not DATE.match(value):
            raise InvalidField(key, "应为 YYYY-MM-DD 日期 (a date)")
        values[key] = value
    return values


@router.get("/export/{name}", summary="导出表格 Export a table as CSV or Excel (xlsx)")
async def export(
    request: Request,
    name: str,
    county_code: Annotated[str | None, Query(max_length=6)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    rule: Annotated[str | None, Query(max_length=64)] = None,
    from_date: Annotated[str | None, Query(max_length=10)] = None,
    to_date: Annotated[str | None, Query(max_length=10)] = None,
    level: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    try:
        staff = _session(request)
    except SignInRequired as exc:
        return _refuse(request, exc.problem, exc.code)
    match = EXPORT_NAME.match(name)
    table = exports.TABLES.get(match.group("table")) if match else None
    if match is None or table is None:
        raise InvalidField("name", f"应为 {{{','.join(exports.TABLES)}}}.csv 或 .xlsx")
    if county_code is not None and county_code not in QUZHOU_COUNTIES:
        raise InvalidField("county_code", "不是衢州市的县（市、区）代码 (not a Quzhou county code)")
    county = county_filter(staff.principal, county_code or None)
    params = _filters(table, county, year=year, status=status, rule=rule, from_date=from_date, to_date=to_date,
                      level=level)
    auth = runtime_of(request).auth
    token, _ = sessions.page_token(auth, staff, seconds=dashboard_settings().token_seconds)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=request.app), base_url=exports.INTERNAL_BASE,
                                 headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        rows = await exports.fetch_rows(client, table, params)
    now = clock.now()
    fmt = match.group("format")
    if fmt == "csv":
        content = exports.to_csv(table, rows)
    else:
        about = exports.describe(table, params, client=staff.principal.name, at=clock.bureau_now())
        content = exports.to_xlsx(table, rows, about=about)
    stamp = clock.bureau_date(now).isoformat()
    suffix = "-".join(v for v in (params.get("county_code"), params.get("year"), stamp) if v)
    ascii_name = f"{table.name}-{suffix}.{fmt}"
    local_name = f"{table.title}-{suffix}.{fmt}"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(local_name)}"
    return Response(content, media_type=MEDIA[fmt],
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})
