"""``hrss up`` for real: starts the broker and five services, serves the flow, stops cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests import factories


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_offset() -> int:
    """A port offset whose stack ports all lie below the kernel's ephemeral range (32768 up), so no client socket
    or ``free_ports`` pick of a parallel test can take one between this check and the stack binding it."""
    for _ in range(50):
        offset = random.randrange(12000, 23000, 10)
        if all(port_free(p + offset) for p in (8000, 8001, 8002, 8003, 8004, 9092, 9093)):
            return offset
    raise RuntimeError("no free port range")


@pytest.mark.parametrize("broker", ["embedded", "apache"])
def test_hrss_up_runs_the_flow_and_stops_cleanly(broker: str, tmp_path: Path) -> None:
    offset = free_offset()
    data_dir = tmp_path / "stack-a"
    env = {**os.environ, "HRSS_DEV_TOKEN": "up-test-token"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hrss_cli.main", "up", "--data-dir", str(data_dir), "--broker", broker,
         "--port-offset", str(offset)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Ctrl-C stops everything" in line:
                break
        text = "".join(output)
        assert "Ctrl-C stops everything" in text, text[-3000:]
        assert "dev token: up-test-token" in text
        for port in (8000, 8001, 8002, 8003, 8004):
            assert f"http://127.0.0.1:{port + offset}" in text

        headers = {"Authorization": "Bearer up-test-token"}
        employment = f"http://127.0.0.1:{8001 + offset}"
        gateway = f"http://127.0.0.1:{8000 + offset}"
        employer, seeker = factories.employer("330825"), factories.job_seeker("330825")
        assert httpx.post(f"{employment}/v1/employers", json=employer, headers=headers).status_code == 201
        r = httpx.post(f"{employment}/v1/employment-registrations", headers=headers, json={
            "id_number": seeker["id_number"], "name": seeker["name"], "credit_code": employer["credit_code"],
            "start_date": "2026-05-01"})
        assert r.status_code == 201, r.text
        deadline = time.monotonic() + 60
        view = None
        while time.monotonic() < deadline:
            g = httpx.get(f"{gateway}/v1/persons/{seeker['id_number']}", headers=headers)
            if g.status_code == 200:
                view = g.json()
                break
            time.sleep(0.2)
        assert view is not None and view["employment"]["status"] == "employed"
        for port in (8002, 8003, 8004):
            assert httpx.get(f"http://127.0.0.1:{port + offset}/readyz").status_code == 200

        # hrss gateway rebuild on the running stack: the supervisor holds the gateway while its read models are
        # rebuilt from Apache Kafka, then starts it again; the embedded broker is refused in plain words.
        rebuild = subprocess.run([sys.executable, "-m", "hrss_cli.main", "gateway", "rebuild", "--data-dir",
                                  str(data_dir), "--no-progress"], capture_output=True, text=True, timeout=180)
        if broker == "embedded":
            assert rebuild.returncode == 2 and "needs a durable broker" in rebuild.stderr, rebuild.stderr
        else:
            assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
            assert "gateway stopped for the rebuild" in rebuild.stdout and "rebuilt" in rebuild.stdout
            read = re.search(r"(\d+) events read of (\d+) offsets, (\d+) applied", rebuild.stdout)
            assert read is not None and int(read[1]) == int(read[2]) >= int(read[3]) >= 2, rebuild.stdout
            deadline = time.monotonic() + 90
            again = None
            while time.monotonic() < deadline and again is None:
                with contextlib.suppress(httpx.HTTPError):
                    g = httpx.get(f"{gateway}/v1/persons/{seeker['id_number']}", headers=headers)
                    again = g.json() if g.status_code == 200 else None
                time.sleep(0.3)
            # From the rebuilt read model (other sections may have grown meanwhile: the 参保一件事 enrols the new hire).
            assert again is not None, rebuild.stdout + rebuild.stderr
            assert (again["identity"], again["employment"]) == (view["identity"], view["employment"])
        status = subprocess.run([sys.executable, "-m", "hrss_cli.main", "status", "--data-dir", str(data_dir),
                                 "--json"], capture_output=True, text=True, timeout=30)
        assert status.returncode == 0, status.stdout + status.stderr
        report = json.loads(status.stdout)
        assert report["broker"]["kind"] == broker
        assert {(p["name"], p["port"] - offset, p["state"], p["health"]) for p in report["processes"]} == {
            ("broker", 9092, "running", "ok"), *((name, port, "running", "ok") for name, port in (
                ("gateway", 8000), ("employment", 8001), ("training", 8002), ("social-insurance", 8003),
                ("labour-relations", 8004)))}
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(90)
    rest = proc.stdout.read() if proc.stdout else ""
    assert rc == 0, rest
    assert "stopped 已停止" in rest
    for port in (8000, 8001, 8002, 8003, 8004, 9092):
        assert port_free(port + offset), f"port {port + offset} still open after stop"
    # Each service's settings carry the port uvicorn really listened on (the offset one).
    for name, port in (("gateway", 8000), ("employment", 8001), ("labour-relations", 8004)):
        started = [json.loads(line) for line in (data_dir / "logs" / f"{name}.log").read_text().splitlines()
                   if '"service_started"' in line]
        assert {row["port"] for row in started} == {port + offset}, name  # the gateway twice with apache: rebuilt
    # The stack is gone for ``hrss status`` too.
    status = subprocess.run([sys.executable, "-m", "hrss_cli.main", "status", "--data-dir", str(data_dir)],
                            capture_output=True, text=True, timeout=30)
    assert status.returncode == 1, status.stdout + status.stderr
    # State lives under the data folder only.
    assert (data_dir / "employment.db").exists() and (data_dir / "gateway.db").exists()
    assert (data_dir / "auth-secret").read_text().strip()  # one signing secret per stack folder
    assert not (data_dir / "dev-token").exists()  # HRSS_DEV_TOKEN fixed it, so none was generated
