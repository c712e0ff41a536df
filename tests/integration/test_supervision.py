"""``hrss up`` supervises its processes: a killed service comes back on its port; ``hrss status`` shows it."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hrss_cli.main import format_status
from hrss_cli.stack import STATE_FILE, Backoff, Supervisor, exit_reason, probe_state, read_state, stack_running
from tests import factories
from tests.integration.test_cli_up import free_offset, port_free

TOKEN = "supervision-test-token"
PORTS = (8000, 8001, 8002, 8003, 8004, 9092)


def hrss_status(data_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``hrss status`` run the way a user runs it."""
    return subprocess.run([sys.executable, "-m", "hrss_cli.main", "status", "--data-dir", str(data_dir), *extra],
                          capture_output=True, text=True, timeout=90)


def status_json(data_dir: Path) -> dict[str, Any]:
    result = hrss_status(data_dir, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in report["processes"]}


def json_lines(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def wait_for(what: str, check: Any, timeout: float, step: float = 0.3) -> Any:
    """Poll ``check()`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what} not seen within {timeout}s")


def test_a_killed_service_is_restarted_on_its_port_and_the_stack_still_stops_cleanly(tmp_path: Path) -> None:
    offset = free_offset()
    data_dir = tmp_path / "stack"
    out_path = tmp_path / "up.out"
    with out_path.open("wb") as out:  # a file, not a pipe: nobody has to keep reading it
        proc = subprocess.Popen(
            [sys.executable, "-m", "hrss_cli.main", "up", "--data-dir", str(data_dir), "--port-offset", str(offset)],
            env={**os.environ, "HRSS_DEV_TOKEN": TOKEN}, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_for("hrss up ready", lambda: proc.poll() is not None or "Ctrl-C stops everything" in out_path.read_text(
            errors="replace"), 120)
        assert proc.poll() is None, out_path.read_text(errors="replace")[-3000:]

        before = by_name(status_json(data_dir))
        assert set(before) == {"broker", "gateway", "employment", "training", "social-insurance", "labour-relations"}
        for p in before.values():
            assert (p["state"], p["restarts"], p["alive"], p["health"]) == ("running", 0, True, "ok"), p
        employment = before["employment"]
        assert employment["port"] == 8001 + offset
        assert employment["url"] == f"http://127.0.0.1:{8001 + offset}"
        assert before["broker"]["port"] == 9092 + offset

        # The service's own settings know the port uvicorn listens on.
        started = [r for r in json_lines(data_dir / "logs" / "employment.log") if r.get("event") == "service_started"]
        assert [r["port"] for r in started] == [8001 + offset]

        headers = {"Authorization": f"Bearer {TOKEN}"}
        before_kill = factories.job_seeker("330803")
        r = httpx.post(f"{employment['url']}/v1/job-seekers", json=before_kill, headers=headers, timeout=10)
        assert r.status_code == 201, r.text

        os.kill(employment["pid"], signal.SIGKILL)

        def restarted() -> dict[str, Any] | None:
            now = by_name(status_json(data_dir))["employment"]
            ok = now["state"] == "running" and now["restarts"] == 1 and now["pid"] != employment["pid"]
            return now if ok else None

        after = wait_for("employment running again", restarted, 60, step=0.5)
        assert after["alive"] and after["port"] == 8001 + offset
        assert "SIGKILL" in after["last_reason"]
        others = by_name(status_json(data_dir))
        for name in ("broker", "gateway", "training", "social-insurance", "labour-relations"):
            assert others[name]["pid"] == before[name]["pid"] and others[name]["restarts"] == 0

        base = employment["url"]
        wait_for("employment /readyz", lambda: httpx.get(f"{base}/readyz", timeout=3).status_code == 200, 60)
        employer = factories.employer("330802")
        r = httpx.post(f"{base}/v1/employers", json=employer, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        r = httpx.get(f"{base}/v1/employers/{employer['credit_code']}", headers=headers, timeout=10)
        assert r.status_code == 200, r.text

        after_restart = factories.job_seeker("330824")
        r = httpx.post(f"{base}/v1/job-seekers", json=after_restart, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        # Nothing lost: what was acknowledged before the kill and after the restart both reach the gateway.
        gateway = before["gateway"]["url"]
        for seeker in (before_kill, after_restart):
            wait_for(f"person {seeker['id_number'][:6]} in the gateway", lambda s=seeker: httpx.get(
                f"{gateway}/v1/persons/{s['id_number']}", headers=headers, timeout=3).status_code == 200, 60)

        events = json_lines(data_dir / "logs" / "supervisor.log")
        exited = [e for e in events if e["event"] == "process_exited" and e["process"] == "employment"]
        assert len(exited) == 1 and "SIGKILL" in exited[0]["reason"] and exited[0]["pid"] == employment["pid"]
        assert exited[0]["log_tail"], "the last lines of the service's log"
        assert any(e["event"] == "process_restarted" and e["pid"] == after["pid"] for e in events)
        assert "employment" in out_path.read_text(errors="replace").split("Ctrl-C stops everything")[-1]

        # The restarted process got the same port through its settings too.
        started = [r for r in json_lines(data_dir / "logs" / "employment.log") if r.get("event") == "service_started"]
        assert [r["port"] for r in started] == [8001 + offset, 8001 + offset]

        table = hrss_status(data_dir)
        assert table.returncode == 0 and "killed by SIGKILL" in table.stdout, table.stdout + table.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(90)
    text = out_path.read_text(errors="replace")
    assert rc == 0, text[-3000:]
    assert "stopped 已停止" in text
    for port in PORTS:
        assert port_free(port + offset), f"port {port + offset} still open after stop"
    gone = hrss_status(data_dir, "--json")
    assert gone.returncode == 1
    assert json.loads(gone.stdout)["running"] is False
    assert hrss_status(data_dir).returncode == 1
    assert all(p["state"] == "stopped" for p in (read_state(data_dir) or {})["processes"])


# ---- the supervisor's rules, with a stand-in process (no real process) ----------------------------------


@dataclass
class FakeProcess:
    """A process the test kills and the supervisor starts again."""

    name: str = "employment"
    port: int = 18001
    url: str = "http://127.0.0.1:18001"
    pid: int | None = None
    running: bool = False
    starts: int = 0
    refuse_start: bool = False

    def start(self) -> None:
        if self.refuse_start:
            raise RuntimeError("port in use")
        self.starts += 1
        self.pid = 40000 + self.starts
        self.running = True

    def alive(self) -> bool:
        return self.running

    def healthy(self) -> bool:
        return self.running

    def stop(self) -> None:
        self.running = False

    def exit_reason(self) -> str:
        return exit_reason(-signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        return "boom\nlast line"


def test_backoff_doubles_up_to_the_cap_and_resets_after_a_long_run() -> None:
    backoff = Backoff()
    assert [backoff.next_delay(0.5) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.next_delay(60) == 1  # up a minute: a fresh failure
    assert backoff.next_delay(3) == 2


def test_exit_reason_names_the_code_or_the_signal() -> None:
    assert exit_reason(3) == "exited with code 3"
    assert exit_reason(-9) == "killed by SIGKILL (9)"
    assert exit_reason(-15) == "killed by SIGTERM (15)"


def test_supervisor_restarts_a_dead_process_and_records_why(tmp_path: Path) -> None:
    out = io.StringIO()
    supervisor = Supervisor(tmp_path, out=out)
    fake = FakeProcess()
    fake.start()
    unit = supervisor.track(fake, "service")
    supervisor.set_status("running")
    assert read_state(tmp_path)["processes"][0]["state"] == "running"  # type: ignore[index]

    fake.running = False  # dies
    supervisor.check()
    state = read_state(tmp_path)
    assert state is not None
    entry = state["processes"][0]
    assert (entry["state"], entry["last_reason"], entry["pid"]) == ("restarting", "killed by SIGKILL (9)", 40001)
    assert unit.restart_due is not None and 0.5 < unit.restart_due - time.monotonic() <= 1.0  # the first wait: 1 s
    assert "killed by SIGKILL (9)" in out.getvalue() and "last line" in out.getvalue()

    supervisor.check()
    assert fake.starts == 1  # not before the delay
    unit.restart_due = time.monotonic()
    supervisor.check()  # due: started again
    assert fake.starts == 2 and unit.restarts == 1 and unit.pid == 40002 and unit.state == "restarting"
    supervisor.check()  # answers: running
    entry = (read_state(tmp_path) or {})["processes"][0]
    assert (entry["state"], entry["restarts"], entry["pid"]) == ("running", 1, 40002)

    fake.running = False  # dies again at once: the wait doubles
    supervisor.check()
    assert unit.restart_due is not None and 1.5 < unit.restart_due - time.monotonic() <= 2.0

    fake.refuse_start = True  # cannot start: tried again later, with the reason
    unit.restart_due = time.monotonic()
    supervisor.check()
    assert unit.state == "restarting" and unit.last_reason == "restart failed: RuntimeError: port in use"
    assert unit.restart_due is not None and 3.5 < unit.restart_due - time.monotonic() <= 4.0

    events = json_lines(tmp_path / "logs" / "supervisor.log")
    assert [e["event"] for e in events] == [
        "stack_running", "process_exited", "process_restarted", "process_running", "process_exited",
        "process_exited"]
    assert events[1]["log_tail"] == ["boom", "last line"] and events[1]["restart_in_s"] == 1

    supervisor.stopped(fake)
    supervisor.set_status("stopped")
    state = read_state(tmp_path)
    assert state is not None and not stack_running(state)
    assert not list(tmp_path.glob(f".{STATE_FILE}*"))  # no temporary file left behind


def test_status_report_of_a_live_supervisor(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path)
    fake = FakeProcess(pid=os.getpid(), running=True)  # a pid that is alive; nothing answers on its port
    supervisor.track(fake, "service")
    supervisor.set_status("running")
    state = read_state(tmp_path)
    assert state is not None and state["supervisor"]["pid"] == os.getpid()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    assert not stack_running({**state, "supervisor": {**state["supervisor"], "pid": int(dead.stdout)}})
    report = probe_state(state, timeout=0.2)
    entry = report["processes"][0]
    assert entry["alive"] is True and entry["health"] == "no answer" and entry["uptime_s"] is not None
    text = format_status(report)
    assert "employment" in text and "http://127.0.0.1:18001" in text and "no answer" in text


def test_a_held_process_is_stopped_and_kept_stopped_until_its_hold_is_released(tmp_path: Path) -> None:
    """``hrss gateway rebuild`` on a running stack: the hold file stops the gateway and keeps it down; removed, the
    supervisor starts it again."""
    from hrss_cli.stack import hold_path

    out = io.StringIO()
    supervisor = Supervisor(tmp_path, out=out)
    fake = FakeProcess(name="gateway")
    fake.start()
    unit = supervisor.track(fake, "service")
    supervisor.set_status("running")
    hold = hold_path(tmp_path, "gateway")
    hold.parent.mkdir(parents=True)
    hold.write_text("rebuild")
    supervisor.check()
    assert not fake.running and unit.state == "held"
    assert (read_state(tmp_path) or {})["processes"][0]["state"] == "held"
    for _ in range(3):  # held: not restarted, however long
        supervisor.check()
    assert fake.starts == 1 and unit.restart_due is None
    hold.unlink()
    supervisor.check()
    assert fake.running and fake.starts == 2 and unit.state == "restarting"
    supervisor.check()
    assert unit.state == "running"
    assert [e["event"] for e in json_lines(tmp_path / "logs" / "supervisor.log")] == [
        "stack_running", "process_held", "process_restarted", "process_running"]
    assert "held" in out.getvalue() or "已暂停" in out.getvalue()
