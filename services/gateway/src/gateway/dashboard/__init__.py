"""Staff dashboard 监管驾驶舱 (``/dashboard``): indicators against targets as charts, open alerts, overdue arrears
cases and the warning list, with CSV and Excel exports; staff sign in with a client credential.

Wiring (gateway/main.py): add :data:`router` to the app's routers and mount :func:`static_files` at
:data:`STATIC_PATH`.
"""

from pathlib import Path

from starlette.staticfiles import StaticFiles

from gateway.dashboard.router import router

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/dashboard/static"


def static_files() -> StaticFiles:
    """The page's own files and the vendored chart library (no CDN: the page works offline)."""
    return StaticFiles(directory=STATIC_DIR, check_dir=True)


__all__ = ["STATIC_DIR", "STATIC_PATH", "router", "static_files"]
