"""The baseline of benchmarks/person_view.py: a bare FastAPI endpoint returning the same document.

Run by uvicorn with the gateway's settings (``--factory bare_app:create_app``); the document is the bytes of
the gateway's own answer for one person, read from ``HRSS_BENCH_DOCUMENT`` (a file path).
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Response


def create_app() -> FastAPI:
    document = Path(os.environ["HRSS_BENCH_DOCUMENT"]).read_bytes()
    app = FastAPI()

    @app.get("/v1/persons/{id_number}")
    async def person(id_number: str) -> Response:
        return Response(document, media_type="application/json")

    return app
