"""Start, stop and supervise the stack's processes: broker, PostgreSQL and the five services.

Used by ``hrss up`` and by the integration tests, so both run the services the same way. The
:class:`Supervisor` restarts a process that dies (with backoff) and keeps the stack's state file
(``DIR/stack.json``) that ``hrss status`` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol, TextIO

import httpx

from hrss_shared import embedded_broker
from hrss_shared.registry import SERVICES

STATE_FILE = "stack.json"  # in the data folder: what ``hrss up`` runs, for ``hrss status``
SUPERVISOR_LOG = "supervisor.log"  # in DIR/logs: one JSON line per supervision event
LOG_TAIL_LINES = 15  # lines of a dead process's log quoted in the terminal and the supervisor log
HOLD_DIR = "hold"  # DIR/hold/<name>: while the file exists the supervisor keeps that process stopped
# ``hrss up --instances N``: instance i (0-based) of a service listens on its registry port + INSTANCE_PORT_STEP * i
# (employment 8001, 8101, 8201 …), before ``--port-offset``; MAX_INSTANCES keeps them clear of the broker (9092).
INSTANCE_PORT_STEP = 100
MAX_INSTANCES = 9


def instance_name(service: str, index: int) -> str:
    """The process name of instance ``index`` (0-based) of ``service``: ``employment``, ``employment#2`` …"""
    return service if index == 0 else f"{service}#{index + 1}"


def instance_port(base: int, index: int) -> int:
    """The port of instance ``index`` (0-based) of a service whose first instance listens on ``base``."""
    return base + INSTANCE_PORT_STEP * index


def service_of(name: str) -> str:
    """The service a process name belongs to: ``employment`` for ``employment#2``."""
    return name.partition("#")[0]


def hold_path(data_dir: Path, name: str) -> Path:
    """The file that asks the supervisor of ``data_dir``'s stack to keep process ``name`` stopped (e.g. the gateway
    while ``hrss gateway rebuild`` rewrites its read models); removing it starts the process again."""
    return data_dir / HOLD_DIR / name


def free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (held open together while chosen, so none repeats)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def repo_root() -> Path:
    """The checkout this package runs from (deploy/ scripts live there)."""
    override = os.environ.get("HRSS_REPO")
    if override:
        return Path(override)
    root = Path(__file__).resolve().parents[3]
    if not (root / "deploy").is_dir():
        raise RuntimeError("deploy/ not found; run from a checkout installed with `pip install -e .` or set HRSS_REPO")
    return root


def stack_secret(data_dir: Path, name: str, env_var: str) -> str:
    """A secret fixed by ``env_var``, else generated once per data folder and kept there."""
    value = os.environ.get(env_var)
    if value:
        return value
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


@dataclass
class ServiceProcess:
    """One service run by uvicorn in its own process; ``name`` is the service's, or an instance's (``employment#2``:
    see :func:`instance_name`)."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def service(self) -> str:
        """The registry name of the service this process runs."""
        return service_of(self.name)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        """Start uvicorn on ``port``; the service's own ``HRSS_<SERVICE>_PORT`` says the same port."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        entry = SERVICES[self.service]
        env = {**self.env, f"{entry.env_prefix}PORT": str(self.port)}
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", entry.app,
             "--host", self.host, "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def healthy(self, timeout: float = 1.0) -> bool:
        """``/healthz`` answers 200 now (the process serves; the broker may still be away)."""
        return http_ok(self.url + "/healthz", timeout)

    def exit_reason(self) -> str:
        return exit_reason(self.proc.returncode if self.proc is not None else None)

    def wait_ready(self, timeout: float = 120.0, *, need_broker: bool = True) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        path = "/readyz" if need_broker else "/healthz"
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited; log tail:\n{self.log_tail()}")
            try:
                r = httpx.get(self.url + path, timeout=3)
                if r.status_code == 200:
                    return
                last = r.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.3)
        raise TimeoutError(f"{self.name} not ready after {timeout}s: {last}\n{self.log_tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        if not self.alive() or self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything (crash tests)."""
        if self.proc is not None and self.alive():
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.log_path, lines)


def run_script(script: str, *args: str, capture: bool = True) -> str:
    """Run one of the repo's deploy scripts and return its standard output."""
    path = repo_root() / "deploy" / script
    result = subprocess.run(["bash", str(path), *args], check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return (result.stdout or "").strip()


# ---- supervision ---------------------------------------------------------------------------------


def now_iso() -> str:
    """The current time, ISO 8601 with the local offset, to the second."""
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def exit_reason(returncode: int | None) -> str:
    """Why a process ended, from its return code (negative: the signal that killed it)."""
    if returncode is None:
        return "gone (exit status unknown)"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name} ({-returncode})"
    return f"exited with code {returncode}"


def pid_alive(pid: int | None) -> bool:
    """Whether ``pid`` names a live process (``os.kill(pid, 0)``; a zombie counts as gone)."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: os.kill is all we know
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """A GET of ``url`` answers 200 within ``timeout`` seconds."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def tcp_open(port: int, timeout: float = 1.0, host: str = "127.0.0.1") -> bool:
    """Something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a log file."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON through a temporary file and ``os.replace``: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_state(data_dir: Path) -> dict[str, Any] | None:
    """The state file of the stack of ``data_dir``, or ``None`` when there is none (or it is unreadable)."""
    try:
        state = json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def stack_running(state: dict[str, Any] | None) -> bool:
    """The ``hrss up`` that wrote ``state`` still runs (its pid is alive and it has not stopped)."""
    supervisor = (state or {}).get("supervisor") or {}
    pid = supervisor.get("pid")
    if supervisor.get("state") == "stopped" or not isinstance(pid, int) or not pid_alive(pid):
        return False
    try:  # a recycled pid: the process there now is no hrss
        return "hrss" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return True


def probe_state(state: dict[str, Any], timeout: float = 1.0) -> dict[str, Any]:
    """``state`` with what is true now for each process: ``alive`` (its pid), ``health`` and ``uptime_s``."""
    now = datetime.now(UTC)
    processes = []
    for entry in state.get("processes", []):
        item = dict(entry)
        item["alive"] = pid_alive(item.get("pid"))
        if not item["alive"]:
            item["health"] = "down"
        elif item.get("kind") == "service":
            item["health"] = "ok" if http_ok(f"{item['url']}/healthz", timeout) else "no answer"
        else:
            item["health"] = "ok" if tcp_open(int(item["port"]), timeout) else "no answer"
        started = item.get("started_at")
        running = item["alive"] and item.get("state") != "stopped" and isinstance(started, str)
        item["uptime_s"] = round((now - datetime.fromisoformat(str(started))).total_seconds()) if running else None
        processes.append(item)
    return {**state, "running": True, "processes": processes}


@dataclass
class Backoff:
    """Restart delays 1 s, 2 s, 4 s … up to ``cap``; back to the first after a run of ``reset_after`` seconds."""

    initial: float = 1.0
    cap: float = 30.0
    reset_after: float = 60.0
    failures: int = 0

    def next_delay(self, uptime: float) -> float:
        """The wait before restarting a process that ran ``uptime`` seconds."""
        if uptime >= self.reset_after:
            self.failures = 0
        delay = min(self.cap, self.initial * 2.0 ** min(self.failures, 16))
        self.failures += 1
        return delay


class Process(Protocol):
    """What the supervisor needs of a process it keeps running."""

    name: str
    port: int

    @property
    def url(self) -> str: ...

    @property
    def pid(self) -> int | None: ...

    def start(self) -> None: ...

    def alive(self) -> bool: ...

    def healthy(self) -> bool: ...

    def stop(self) -> None: ...

    def exit_reason(self) -> str: ...

    def log_tail(self, lines: int = 30) -> str: ...


@dataclass
class EmbeddedBroker:
    """The Tansu broker of ``hrss up``: memory only, so a restarted one is empty and gets its topics again."""

    port: int
    log_path: Path
    topics: list[str]
    name: str = "broker"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    restart_note = ("embedded broker, memory only: restarted empty (events and offsets lost, topics created again) "
                    "内嵌 broker 仅内存，数据已丢失")

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        """Start it, wait until it answers, create the topics (the old log is kept as ``broker.log.1``)."""
        if self.proc is not None and self.log_path.exists():
            self.log_path.replace(self.log_path.with_name(self.log_path.name + ".1"))
        from hrss_shared.kafka import ensure_topics  # aiokafka: imported only where a broker is started

        self.proc = embedded_broker.start(port=self.port, log_path=self.log_path)
        asyncio.run(embedded_broker.wait_ready(self.url, proc=self.proc))
        asyncio.run(ensure_topics(self.url, self.topics))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def healthy(self) -> bool:
        return tcp_open(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            embedded_broker.stop(self.proc)

    def exit_reason(self) -> str:
        return exit_reason(self.proc.returncode if self.proc is not None else None)

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.log_path, lines)


@dataclass
class ApacheBroker:
    """Apache Kafka run by ``deploy/kafka/start.sh`` (its own session, so not our child); data in ``data_dir``."""

    port: int
    controller_port: int
    data_dir: Path
    topics: list[str]
    name: str = "broker"
    started: bool = False
    restart_note = "Apache Kafka: topics and offsets kept in the data folder"

    @property
    def url(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "kafka.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        run_script("kafka/start.sh", "--data-dir", str(self.data_dir), "--port", str(self.port),
                   "--controller-port", str(self.controller_port), capture=False)
        self.started = True
        run_script("kafka/wait.sh", "--port", str(self.port), "--data-dir", str(self.data_dir), "--timeout", "120",
                   capture=False)
        from hrss_shared.kafka import ensure_topics  # aiokafka: imported only where a broker is started

        asyncio.run(ensure_topics(self.url, self.topics))

    def alive(self) -> bool:
        return pid_alive(self.pid)

    def healthy(self) -> bool:
        return tcp_open(self.port)

    def stop(self) -> None:
        if self.started:
            run_script("kafka/stop.sh", "--data-dir", str(self.data_dir), capture=False)

    def exit_reason(self) -> str:
        return f"process {self.pid} is gone (not a child of hrss up: exit status unknown)"

    def log_tail(self, lines: int = 30) -> str:
        return tail(self.data_dir / "kafka.out", lines // 2) + "\n" + tail(self.data_dir / "logs" / "server.log",
                                                                         lines - lines // 2)


@dataclass
class Supervised:
    """One process under supervision, and what ``hrss status`` shows of it."""

    process: Process
    kind: str  # "service" or "broker"
    note: str = ""  # said with each restart
    backoff: Backoff = field(default_factory=Backoff)
    state: str = "starting"  # starting, running, restarting, held, stopped
    pid: int | None = None
    started_at: str | None = None
    started_mono: float = 0.0
    restarts: int = 0
    last_reason: str | None = None
    last_exit_at: str | None = None
    last_restart_at: str | None = None
    restart_due: float | None = None  # monotonic time of the next start, while one is pending
    next_restart_at: str | None = None

    def started(self) -> None:
        self.pid = self.process.pid
        self.started_at = now_iso()
        self.started_mono = time.monotonic()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.process.name, "kind": self.kind,
            "service": service_of(self.process.name) if self.kind == "service" else None,
            "pid": self.pid, "port": self.process.port,
            "url": self.process.url, "state": self.state, "started_at": self.started_at, "restarts": self.restarts,
            "last_reason": self.last_reason, "last_exit_at": self.last_exit_at,
            "last_restart_at": self.last_restart_at, "next_restart_at": self.next_restart_at,
        }


class Supervisor:
    """Keeps the stack's processes running: restarts one that dies, after a backoff, and says why.

    Every change is written to the state file (``DIR/stack.json``, atomically) and every event to
    ``DIR/logs/supervisor.log`` (JSON lines); exits and restarts are also printed to the terminal.
    """

    def __init__(self, data_dir: Path, *, out: TextIO | None = None, interval: float = 0.5) -> None:
        self.data_dir = data_dir
        self.state_path = data_dir / STATE_FILE
        self.log_path = data_dir / "logs" / SUPERVISOR_LOG
        self.out = out
        self.interval = interval
        self.units: list[Supervised] = []
        self.info: dict[str, Any] = {}  # broker, postgres: shown by ``hrss status``
        self.status = "starting"
        self.started_at = now_iso()

    def track(self, process: Process, kind: str, note: str = "") -> Supervised:
        """Supervise ``process``, already started."""
        unit = Supervised(process, kind, note=note)
        unit.started()
        self.units.append(unit)
        self.save()
        return unit

    def set_status(self, status: str) -> None:
        """The stack's state: starting, running, stopping, stopped; ``running`` marks every started process so."""
        self.status = status
        if status == "running":
            for unit in self.units:
                if unit.state == "starting":
                    unit.state = "running"
            self.record("stack_running", processes={u.process.name: u.pid for u in self.units})
        elif status in ("stopping", "stopped"):
            self.record(f"stack_{status}")
        self.save()

    def stopped(self, process: Process) -> None:
        """``process`` was stopped on purpose."""
        for unit in self.units:
            if unit.process is process:
                unit.state, unit.restart_due, unit.next_restart_at = "stopped", None, None
        self.save()

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": 1, "data_dir": str(self.data_dir),
            "supervisor": {"pid": os.getpid(), "state": self.status, "started_at": self.started_at,
                           "updated_at": now_iso(), "log": str(self.log_path)},
            **self.info,
            "processes": [unit.as_dict() for unit in self.units],
        }

    def save(self) -> None:
        write_json_atomic(self.state_path, self.snapshot())

    def record(self, event: str, **fields: Any) -> None:
        """One JSON line in the supervisor log."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps({"ts": now_iso(), "event": event, **fields}, ensure_ascii=False) + "\n")

    def say(self, text: str) -> None:
        print(text, file=self.out or sys.stderr, flush=True)

    def run(self) -> NoReturn:
        """Supervise until interrupted (``hrss up`` stops on SIGINT/SIGTERM only)."""
        while True:
            self.check()
            time.sleep(self.interval)

    def check(self) -> None:
        """One pass: notice deaths, restart what is due, mark a restarted process running once it answers."""
        for unit in self.units:
            if unit.state == "stopped":
                continue
            if hold_path(self.data_dir, unit.process.name).exists():
                if unit.state != "held":
                    self._hold(unit)
                continue
            if unit.state == "held":  # the hold was released
                self._restart(unit)
                continue
            if unit.restart_due is not None:
                if time.monotonic() >= unit.restart_due:
                    self._restart(unit)
            elif not unit.process.alive():
                self._died(unit, unit.process.exit_reason(), time.monotonic() - unit.started_mono)
            elif unit.state == "restarting" and unit.process.healthy():
                unit.state = "running"
                self.record("process_running", process=unit.process.name, pid=unit.pid, restarts=unit.restarts)
                self.say(f"{unit.process.name} is running again 已恢复 (pid {unit.pid}, {unit.process.url})")
                self.save()

    def _died(self, unit: Supervised, reason: str, uptime: float) -> None:
        name = unit.process.name
        delay = unit.backoff.next_delay(uptime)
        log_tail = unit.process.log_tail(LOG_TAIL_LINES)
        unit.state, unit.last_reason, unit.last_exit_at = "restarting", reason, now_iso()
        unit.restart_due = time.monotonic() + delay
        unit.next_restart_at = datetime.fromtimestamp(time.time() + delay, UTC).astimezone().isoformat("T", "seconds")
        self.record("process_exited", process=name, kind=unit.kind, pid=unit.pid, reason=reason,
                    uptime_s=round(uptime, 1), restart_in_s=delay, log_tail=log_tail.splitlines())
        self.say(f"\n{name} (pid {unit.pid}) {reason} after {uptime:.0f} s; restarting in {delay:g} s 正在重启\n"
                 f"  last lines of its log 日志末尾:\n{textwrap.indent(log_tail, '    ')}")
        self.save()

    def _hold(self, unit: Supervised) -> None:
        """Stop ``unit`` and keep it stopped while its hold file exists."""
        name = unit.process.name
        if unit.process.alive():
            unit.process.stop()
        unit.state, unit.restart_due, unit.next_restart_at = "held", None, None
        self.record("process_held", process=name, pid=unit.pid)
        self.say(f"{name} stopped and held 已暂停 (pid {unit.pid}) until {hold_path(self.data_dir, name)} is removed")
        self.save()

    def _restart(self, unit: Supervised) -> None:
        name = unit.process.name
        unit.restart_due = unit.next_restart_at = None
        try:
            unit.process.start()
        except Exception as exc:  # noqa: BLE001 - a process that cannot start now is tried again later
            unit.pid = unit.process.pid
            with contextlib.suppress(Exception):
                unit.process.stop()  # half started (a broker that never answered): free its port for the next try
            self._died(unit, f"restart failed: {type(exc).__name__}: {exc}", 0.0)
            return
        unit.restarts += 1
        unit.state = "restarting"  # running once it answers
        unit.last_restart_at = now_iso()
        unit.started()
        self.record("process_restarted", process=name, kind=unit.kind, pid=unit.pid, restarts=unit.restarts,
                    after=unit.last_reason, note=unit.note or None)
        note = f" — {unit.note}" if unit.note else ""
        self.say(f"{name} restarted 已重启 (pid {unit.pid}, restart {unit.restarts}){note}")
        self.save()
