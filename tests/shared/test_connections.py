"""Error answers over a real HTTP server: a 500 or 503 never breaks the keep-alive connection for the next
request, a database that cannot be reached is a 503 with Retry-After, and an oversized body is refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import pytest
import uvicorn
from fastapi import APIRouter, Depends

from employment.config import EmploymentSettings
from employment.main import create_app
from hrss_cli.stack import free_ports
from hrss_shared.app import require
from hrss_shared.auth import Principal
from tests.support import DEV_TOKEN, alone, with_router

Reader = Annotated[Principal, Depends(require("employment:read"))]


def routes() -> APIRouter:
    router = APIRouter(prefix="/v1/test")

    @router.get("/bug")
    async def bug(_: Reader) -> dict[str, str]:
        raise KeyError("a bug")

    @router.get("/database-down")
    async def database_down(_: Reader) -> dict[str, str]:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    return router


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[int]:
    port = free_ports(1)[0]
    app = with_router(create_app, routes())(alone(EmploymentSettings, tmp_path, scheduler_enabled=False))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send one HTTP/1.1 request on an open connection and read its whole answer."""
    writer.write(request)
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 10)
    return status, headers, body


def get(path: str, **headers: str) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"GET {path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {DEV_TOKEN}\r\n{extra}\r\n").encode()


async def test_after_a_500_or_503_the_same_connection_answers_the_next_request(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        status, headers, body = await exchange(reader, writer, get("/v1/test/bug", **{"X-Correlation-ID": "c-500"}))
        assert status == 500 and headers["content-type"].startswith("application/problem+json")
        assert json.loads(body)["correlation_id"] == "c-500"
        assert "a bug" not in body.decode(), "no internals in the answer"
        status, headers, body = await exchange(reader, writer, get("/v1/test/database-down"))
        assert status == 503 and headers["retry-after"] == "5"
        assert json.loads(body)["type"].endswith("/unavailable")
        status, _, body = await exchange(reader, writer, get("/v1/employers?limit=1"))
        assert status == 200, body
    finally:
        writer.close()


async def test_a_body_over_the_limit_is_refused_before_it_is_read(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        size = EmploymentSettings().max_body_bytes + 1
        request = (f"POST /v1/employers HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {DEV_TOKEN}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n").encode()
        status, headers, body = await exchange(reader, writer, request)  # the body is never sent
        assert status == 413 and headers["content-type"].startswith("application/problem+json")
        assert json.loads(body)["status"] == 413
    finally:
        writer.close()


async def test_a_chunked_body_growing_past_the_limit_is_refused(server: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        chunk = b"x" * 65536
        head = (f"POST /v1/employers HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer {DEV_TOKEN}\r\n"
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").encode()
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
        status, headers, body = await exchange(reader, writer, head + chunks)
        assert status == 413 and headers["content-type"].startswith("application/problem+json")
        assert json.loads(body)["status"] == 413
    finally:
        writer.close()


@pytest.mark.parametrize(("path", "headers", "field"), [
    ("/v1/employers?limit=1&name=a%00b", {}, "name"),
    ("/v1/employers/91330800%00MA2DH0Q1X3", {}, "path"),
    ("/v1/employers?limit=1", {"X-Purpose": "a%00b"}, "header.X-Purpose"),
    ("/v1/employers?limit=1", {"X-Purpose": "%E7%AA%97%E5%8F%A3%1B%5B31m"}, "header.X-Purpose"),
    ("/v1/employers?limit=1", {"X-Purpose": "%E2%80%AEevil"}, "header.X-Purpose"),
    ("/v1/employers?limit=1", {"X-Purpose": "x" * 501}, "header.X-Purpose"),
])
async def test_nul_in_the_path_or_query_and_a_bad_purpose_are_refused_at_the_edge(
    server: int, path: str, headers: dict[str, str], field: str,
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server)
    try:
        status, answer_headers, body = await exchange(reader, writer, get(path, **headers))
        assert status == 422, body
        assert answer_headers["content-type"].startswith("application/problem+json")
        problem = json.loads(body)
        assert problem["errors"][0]["field"] == field
        assert "correlation_id" in problem and "x-correlation-id" in answer_headers
        status, _, body = await exchange(reader, writer, get("/v1/employers?limit=1", **{
            "X-Purpose": "%E7%AA%97%E5%8F%A3%E4%B8%9A%E5%8A%A1%E5%8A%9E%E7%90%86"}))
        assert status == 200, body  # a purpose of 500 characters or fewer, printable, passes
    finally:
        writer.close()
