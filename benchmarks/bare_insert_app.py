"""The baseline of benchmarks/registration_post.py: a bare FastAPI endpoint inserting a registration and its outbox row.

Run by uvicorn with the employment service's settings (``--factory bare_insert_app:create_app``) against its own
database (``HRSS_BENCH_DATABASE_URL``), built by the employment service's own migrations. Per request it does what
an insert needs and nothing more: parse the JSON body, insert the same ``employment_registrations`` row and an
``outbox`` row (a CloudEvent like the service's, keyed by the HMAC of the ID number) with the same driver
(``hrss_shared.db.make_engine``: SQLite inline connections with WAL, or asyncpg through SQLAlchemy's async engine),
commit, answer 201 with the row. No authentication, validation, employer look-up, rule or ORM unit of work.
The employer's name and county come from ``HRSS_BENCH_EMPLOYER_NAME`` and ``HRSS_BENCH_COUNTY``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert

from employment.db import infra
from employment.registrations.models import EmploymentRegistration
from hrss_contracts.employment import EMPLOYMENT_REGISTERED
from hrss_shared.db import make_engine
from hrss_shared.outbox import message_key

EVENT_TYPE = EMPLOYMENT_REGISTERED.type


def create_app() -> FastAPI:
    url = os.environ["HRSS_BENCH_DATABASE_URL"]
    employer_name = os.environ["HRSS_BENCH_EMPLOYER_NAME"]
    county = os.environ["HRSS_BENCH_COUNTY"]
    topic = os.environ.get("HRSS_BENCH_TOPIC", "hrss.employment")
    key_secret = os.environ.get("HRSS_EVENT_KEY_SECRET", "bench")
    engine = make_engine(url)
    # SQLite has one writer: the writers of one process queue on a lock, as the service's write sessions do.
    gate: Any = asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    registrations = EmploymentRegistration.__table__  # type: ignore[attr-defined]
    outbox = infra.outbox
    app = FastAPI()

    @app.post("/v1/employment-registrations", status_code=201)
    async def register(request: Request) -> JSONResponse:
        body = await request.json()
        now = datetime.now(UTC)
        row = {
            "id": str(uuid.uuid4()), "id_number": body["id_number"], "name": body["name"],
            "credit_code": body["credit_code"], "employer_name": employer_name, "county_code": county,
            "start_date": date.fromisoformat(body["start_date"]), "end_date": None,
            "occupation": body.get("occupation"), "status": "active", "termination_reason": None, "created_at": now,
        }
        answer = {**row, "start_date": body["start_date"], "created_at": now.isoformat()}
        event_id = str(uuid.uuid4())
        event = {"specversion": "1.0", "id": event_id, "source": "/hrss/employment", "type": EVENT_TYPE,
                 "subject": row["id_number"], "time": answer["created_at"], "datacontenttype": "application/json",
                 "data": {k: answer[k] for k in ("id", "id_number", "name", "credit_code", "employer_name",
                                                  "county_code", "start_date", "occupation")}}
        async with gate, engine.begin() as conn:
            await conn.execute(insert(registrations), row)
            await conn.execute(insert(outbox), {
                "event_id": event_id, "topic": topic,
                "key": message_key(row["id_number"], key_secret),
                "event_type": EVENT_TYPE, "payload": json.dumps(event, ensure_ascii=False), "created_at": now,
                "attempts": 0,
            })
        return JSONResponse(answer, status_code=201)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
