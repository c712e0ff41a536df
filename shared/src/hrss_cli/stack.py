"""Start and stop the stack's processes: broker, PostgreSQL and the five services.

Used by ``hrss up`` and by the integration tests, so both run the services the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hrss_shared.registry import SERVICES


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
    """One service run by uvicorn in its own process."""

    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    host: str = "127.0.0.1"
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", SERVICES[self.name].app,
             "--host", self.host, "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

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
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def run_script(script: str, *args: str, capture: bool = True) -> str:
    """Run one of the repo's deploy scripts and return its standard output."""
    path = repo_root() / "deploy" / script
    result = subprocess.run(["bash", str(path), *args], check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return (result.stdout or "").strip()
