"""``hrss`` — run the HRSS stack, load demo data, manage API clients."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import httpx

from hrss_cli.stack import (
    INSTANCE_PORT_STEP,
    MAX_INSTANCES,
    ApacheBroker,
    EmbeddedBroker,
    ServiceProcess,
    Supervisor,
    hold_path,
    instance_name,
    instance_port,
    probe_state,
    read_state,
    run_script,
    service_of,
    stack_running,
    stack_secret,
)
from hrss_shared.registry import DLQ_SUFFIX, EMPLOYMENT, GATEWAY, SERVICES, TOPICS

if TYPE_CHECKING:
    from hrss_cli.city import load as city_load

PG_PORT = 5433
# pytest-xdist workers of ``hrss test``: more than the 2 cores, as the integration tests mostly wait for Kafka and
# the services (CI used 1.4 cores on average with 2 workers); "worksteal" keeps the long tests from ending on one.
TEST_WORKERS = 3
# What ``hrss test`` type-checks (mypy strict): the shared packages, the CLI and every service.
MYPY_TARGETS = ["shared/src/hrss_shared", "shared/src/hrss_contracts", "shared/src/hrss_cli",
                *(f"services/{entry.name}/src/{entry.package}" for entry in SERVICES.values())]


class Stack:
    """Everything ``hrss up`` started, supervised while it runs, stopped in reverse order."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir: Path = args.data_dir.resolve()
        self.broker: EmbeddedBroker | ApacheBroker | None = None
        self.pg_started = False
        self.services: list[ServiceProcess] = []
        self.supervisor = Supervisor(self.data_dir)

    def start(self) -> dict[str, str]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.supervisor.record("stack_starting", pid=os.getpid(), broker=self.args.broker,
                               port_offset=int(self.args.port_offset))
        self.supervisor.save()
        bootstrap = self._start_broker()
        self.supervisor.info["broker"] = {"kind": self.args.broker, "bootstrap": bootstrap,
                                          "supervised": self.broker is not None}
        urls = self._start_postgres() if self.args.postgres else {}
        token = stack_secret(self.data_dir, "dev-token", "HRSS_DEV_TOKEN")
        env = dict(os.environ)
        env.update({
            "HRSS_DATA_DIR": str(self.data_dir), "HRSS_BOOTSTRAP_SERVERS": bootstrap, "HRSS_DEV_TOKEN": token,
            "HRSS_AUTH_SECRET": stack_secret(self.data_dir, "auth-secret", "HRSS_AUTH_SECRET"),
            "HRSS_EVENT_KEY_SECRET": stack_secret(self.data_dir, "event-key-secret", "HRSS_EVENT_KEY_SECRET"),
            "HRSS_ENVIRONMENT": "development",
        })
        for name, url in urls.items():
            env[f"{SERVICES[name].env_prefix}DATABASE_URL"] = url
        # Where the gateway's ?fresh=true reads the domain services (their ports move with --port-offset).
        env[GATEWAY.env_prefix + "SERVICE_URLS"] = json.dumps(
            {name: f"http://127.0.0.1:{self.port(entry.port)}" for name, entry in SERVICES.items() if entry != GATEWAY})
        # Instance 1 of every service first (it applies the migrations), then the further ones side by side.
        for index in range(int(getattr(self.args, "instances", 1))):
            started = []
            for name, entry in SERVICES.items():
                proc = ServiceProcess(name=instance_name(name, index), port=self.port(instance_port(entry.port, index)),
                                      env=env, log_path=self.data_dir / "logs" / f"{instance_name(name, index)}.log")
                proc.start()
                started.append(proc)
                self.services.append(proc)
                self.supervisor.track(proc, "service")
            for proc in started:
                proc.wait_ready(180)
        self.supervisor.set_status("running")
        return {"bootstrap": bootstrap, "token": token}

    def port(self, base: int) -> int:
        return base + int(self.args.port_offset)

    def _start_broker(self) -> str:
        kind = self.args.broker
        topics = TOPICS + [t + DLQ_SUFFIX for t in TOPICS]
        if kind == "external":
            if not self.args.bootstrap:
                sys.exit("--broker external needs --bootstrap HOST:PORT")
            from hrss_shared.kafka import ensure_topics  # aiokafka: only where a broker is used

            asyncio.run(ensure_topics(str(self.args.bootstrap), topics))
            return str(self.args.bootstrap)
        if kind == "apache":
            self.broker = ApacheBroker(port=self.port(9092), controller_port=self.port(9093),
                                       data_dir=self.data_dir / "kafka", topics=topics)
        else:
            self.broker = EmbeddedBroker(port=self.port(9092), log_path=self.data_dir / "broker.log", topics=topics)
        self.broker.start()
        self.supervisor.track(self.broker, "broker", note=self.broker.restart_note)
        return self.broker.url

    def _start_postgres(self) -> dict[str, str]:
        run_script("postgres/install.sh", capture=False)
        names = [entry.database for entry in SERVICES.values()]
        base = run_script(
            "postgres/start.sh", "--data-dir", str(self.data_dir / "postgres"), "--port", str(self.port(PG_PORT)),
            "--db", ",".join(names),
        ).splitlines()[-1]
        self.pg_started = True
        urls = {name: base + entry.database for name, entry in SERVICES.items()}
        self.supervisor.info["postgres"] = {"port": self.port(PG_PORT), "supervised": False, "databases": urls}
        return urls

    def supervise(self) -> NoReturn:
        """Restart whatever dies, until a signal arrives."""
        self.supervisor.run()

    def stop(self) -> None:
        self.supervisor.set_status("stopping")
        for proc in reversed(self.services):
            proc.stop()
            self.supervisor.stopped(proc)
        if self.broker is not None:
            self.broker.stop()
            self.supervisor.stopped(self.broker)
        if self.pg_started:
            run_script("postgres/stop.sh", "--data-dir", str(self.data_dir / "postgres"), capture=False)
        self.supervisor.set_status("stopped")


class _Stop(BaseException):
    """SIGINT or SIGTERM; a BaseException so that no ``except Exception`` on the way swallows it."""


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signum)


def cmd_up(args: argparse.Namespace) -> int:
    state = read_state(args.data_dir.resolve())
    if stack_running(state):
        pid = (state or {}).get("supervisor", {}).get("pid")
        print(f"a stack already runs from {args.data_dir.resolve()} (hrss up pid {pid}) 已在运行; see: hrss status",
              file=sys.stderr)
        return 1
    stack = Stack(args)
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    try:
        info = stack.start()
        print("\n衢州市人社 HRSS stack is up 已启动")
        for proc in stack.services:
            print(f"  {proc.name:<17} {proc.url}   docs: {proc.url}/docs")
        print(f"  broker            {info['bootstrap']} ({args.broker})")
        print(f"  data              {stack.data_dir}")
        print(f"\n  dev token: {info['token']}")
        employment_url = f"http://127.0.0.1:{stack.port(EMPLOYMENT.port)}"
        print(f'  try: curl -H "Authorization: Bearer {info["token"]}" {employment_url}/v1/employers')
        if args.demo_data:
            urls = {proc.name: proc.url for proc in stack.services if proc.name in SERVICES}
            print(f"\n  loading the synthetic city 加载模拟城市数据 ({args.persons} persons, seed {args.seed}) ...")
            if _load_city(urls, info["token"], args.persons, args.seed, args.chunk_size) != 0:
                print("  the city was not loaded completely; the stack keeps running", file=sys.stderr)
        print("\nA process that dies is restarted 进程退出会自动重启; hrss status shows them.")
        print("Ctrl-C stops everything.", flush=True)
        stack.supervise()
    except _Stop:
        print("\nstopping 正在停止 ...", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("stopped 已停止", flush=True)


def _duration(seconds: float | None) -> str:
    """``42s``, ``12m05s``, ``3h02m``, ``2d03h``."""
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def format_status(report: dict[str, Any]) -> str:
    """The human-readable table of ``hrss status``."""
    supervisor = report["supervisor"]
    lines = [f"衢州市人社 HRSS stack in {report['data_dir']}: {supervisor['state']} "
             f"(hrss up pid {supervisor['pid']}, since {supervisor['started_at']})", ""]
    header = ("NAME", "PID", "PORT", "URL", "STATE", "HEALTH", "UPTIME", "RESTARTS", "LAST RESTART REASON")
    rows = [header]
    for p in report["processes"]:
        pid = str(p["pid"]) if p["pid"] else "-"
        if p["pid"] and not p["alive"]:
            pid += " (gone)"
        reason = p["last_reason"] or "-"
        if p["last_exit_at"]:
            reason += f" at {p['last_exit_at']}"
        if p["state"] == "restarting" and p.get("next_restart_at"):
            reason += f"; next start {p['next_restart_at']}"
        rows.append((p["name"], pid, str(p["port"]), p["url"], p["state"], p["health"], _duration(p["uptime_s"]),
                     str(p["restarts"]), reason))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    broker = report.get("broker") or {}
    if broker:
        kept = "restarted when it dies" if broker.get("supervised") else "not run by hrss up"
        lines += ["", f"broker: {broker['kind']} at {broker['bootstrap']} ({kept})"]
    if report.get("postgres"):
        lines.append(f"postgres: port {report['postgres']['port']} (not supervised)")
    lines.append(f"supervisor log: {supervisor['log']}")
    return "\n".join(lines)


def cmd_status(args: argparse.Namespace) -> int:
    """Show the processes of the stack running from the data folder; exit 1 when none runs."""
    data_dir = args.data_dir.resolve()
    state = read_state(data_dir)
    if state is None or not stack_running(state):
        why = "no state file" if state is None else f"hrss up (pid {state.get('supervisor', {}).get('pid')}) " \
            f"{'stopped' if state.get('supervisor', {}).get('state') == 'stopped' else 'is gone'}"
        if args.json:
            print(json.dumps({"running": False, "data_dir": str(data_dir), "reason": why}, ensure_ascii=False))
        else:
            print(f"no stack runs from {data_dir} 没有运行中的 stack ({why})", file=sys.stderr)
        return 1
    report = probe_state(state)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_status(report))
    return 0


def stack_urls(data_dir: Path) -> dict[str, str]:
    """Each service's URL (its first instance) in the state of the stack running from ``data_dir``, else the
    default ports."""
    state = read_state(data_dir)
    urls = {name: f"http://127.0.0.1:{entry.port}" for name, entry in SERVICES.items()}
    if state is not None and stack_running(state):
        for proc in state.get("processes", []):
            if proc.get("kind") == "service" and proc.get("name") in SERVICES and proc.get("url"):
                urls[proc["name"]] = str(proc["url"])
    return urls


def format_city_totals(totals: dict[str, city_load.BulkCounts], persons: int, seconds: float) -> str:
    """The table ``hrss demo-data`` prints: rows per service and kind, then the rate."""
    rows: list[tuple[str, ...]] = [("SERVICE", "KIND", "RECEIVED", "WRITTEN", "SKIPPED", "REFUSED", "EVENTS")]
    for service, counts in totals.items():
        for kind, c in counts.kinds.items():
            rows.append((service, kind, *(str(n) for n in (c.received, c.written, c.skipped, c.refused, c.events))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) if i > 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths,
                                                                                                 strict=True)))
             for row in rows]
    for service, counts in totals.items():
        lines += [f"refused by {service}: {reason}" for reason in counts.refusals]
    rate = persons / seconds if seconds > 0 else float("inf")
    lines.append(f"{persons} persons in {seconds:.1f}s: {rate:,.0f} persons/s")
    return "\n".join(lines)


def city_options(parser: argparse.ArgumentParser) -> None:
    """The synthetic city's options (``hrss demo-data``, ``hrss up --demo-data``)."""
    parser.add_argument("--persons", type=_positive, default=1000, help="people in the city (the full city: 2680000)")
    parser.add_argument("--seed", type=int, default=2025, help="the city's seed: the same seed, the same city")
    parser.add_argument("--chunk-size", type=_positive, default=10_000, help="people per request round")


def _load_city(urls: dict[str, str], token: str, persons: int, seed: int, chunk_size: int,
               progress: bool = True, services: list[str] | None = None) -> int:
    from hrss_cli.city import load as city_load  # here: every other command starts without the city's generator

    started = time.monotonic()
    try:
        totals = city_load.load(urls, token, persons, seed, chunk_size=chunk_size, progress=progress,
                                services=services)
    except (city_load.LoadError, httpx.HTTPError, ValueError) as exc:
        print(f"city load stopped 加载中止: {exc}", file=sys.stderr)
        return 1
    print(format_city_totals(totals, persons, time.monotonic() - started), flush=True)
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    """Load the synthetic city into the running stack through each service's bulk paths."""
    data_dir = args.data_dir.resolve()
    token = args.token or stack_secret(data_dir, "dev-token", "HRSS_DEV_TOKEN")
    urls = stack_urls(data_dir)
    for override in args.url or []:
        name, sep, url = override.partition("=")
        if not sep or name not in SERVICES:
            print(f"--url takes SERVICE=URL with SERVICE one of {', '.join(SERVICES)}: {override}", file=sys.stderr)
            return 2
        urls[name] = url
    return _load_city(urls, token, args.persons, args.seed, args.chunk_size, progress=not args.no_progress,
                      services=args.service)


def _service_command(service: str, *command: str, env: dict[str, str] | None = None) -> int:
    """Run ``python -m <package> …``: the service's own entry point, so this command imports no service."""
    import subprocess

    return subprocess.run([sys.executable, "-m", SERVICES[service].package, *command], env=env).returncode


def cmd_clients(args: argparse.Namespace) -> int:
    """``hrss clients …`` is the gateway's ``python -m gateway clients …`` on this data folder's database."""
    data_dir = args.data_dir.resolve()
    env = {**os.environ, "HRSS_DATA_DIR": str(data_dir),
           "HRSS_AUTH_SECRET": stack_secret(data_dir, "auth-secret", "HRSS_AUTH_SECRET"),
           "HRSS_EVENT_KEY_SECRET": stack_secret(data_dir, "event-key-secret", "HRSS_EVENT_KEY_SECRET")}
    return _service_command(GATEWAY.name, "clients", *args.clients_args, env=env)


def cmd_gateway_rebuild(args: argparse.Namespace) -> int:
    """``hrss gateway rebuild`` is the gateway's ``python -m gateway rebuild`` on this data folder's database and
    broker (or ``--bootstrap``); the embedded broker is refused here in plain words: it keeps events in memory."""
    data_dir = args.data_dir.resolve()
    state = read_state(data_dir) or {}
    broker = state.get("broker") or {}
    if not args.bootstrap and broker.get("kind") == "embedded":
        print("rebuild needs a durable broker 重建需要持久化的 Kafka: the embedded broker of this stack keeps "
              "events in memory only, so its topics do not hold the history to rebuild from. Run the stack with "
              "`hrss up --broker apache`, or pass --bootstrap HOST:PORT of an Apache Kafka cluster.", file=sys.stderr)
        return 2
    bootstrap = args.bootstrap or broker.get("bootstrap")
    if not bootstrap:
        print("no stack in the data folder: pass --bootstrap HOST:PORT", file=sys.stderr)
        return 2
    env = {**os.environ, "HRSS_DATA_DIR": str(data_dir), "HRSS_BOOTSTRAP_SERVERS": str(bootstrap)}
    database = ((state.get("postgres") or {}).get("databases") or {}).get(GATEWAY.name)
    if database:
        env[GATEWAY.env_prefix + "DATABASE_URL"] = database
    extra = [*(["--force"] if args.force else []), *(["--no-progress"] if args.no_progress else [])]
    if args.bootstrap or not stack_running(state):
        return _service_command(GATEWAY.name, "rebuild", *extra, env=env)
    # The stack runs: its supervisor stops every gateway instance and keeps them stopped while the hold files exist.
    names = [str(p["name"]) for p in state.get("processes") or [] if service_of(str(p.get("name"))) == GATEWAY.name]
    holds = [hold_path(data_dir, name) for name in names or [GATEWAY.name]]
    try:
        for hold in holds:
            hold.parent.mkdir(parents=True, exist_ok=True)
            hold.write_text(f"hrss gateway rebuild, pid {os.getpid()}\n", encoding="utf-8")
        if not all(_wait_held(data_dir, hold.name, timeout=60) for hold in holds):
            print("the stack's supervisor did not stop the gateway within 60 s", file=sys.stderr)
            return 1
        print("gateway stopped for the rebuild 网关已暂停", flush=True)
        return _service_command(GATEWAY.name, "rebuild", *extra, env=env)
    finally:
        for hold in holds:
            hold.unlink(missing_ok=True)
        print("gateway released: the supervisor starts it again 网关重新启动", flush=True)


def _wait_held(data_dir: Path, name: str, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes = (read_state(data_dir) or {}).get("processes") or []
        if any(p.get("name") == name and p.get("state") == "held" for p in processes):
            return True
        time.sleep(0.3)
    return False


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check each service's audit log on this data folder's databases; exit 1 if any chain is broken."""
    data_dir = args.data_dir.resolve()
    state = read_state(data_dir) or {}
    databases: dict[str, str] = (state.get("postgres") or {}).get("databases", {})
    failed = 0
    for name in args.service or list(SERVICES):
        env = {**os.environ, "HRSS_DATA_DIR": str(data_dir)}
        if name in databases:
            env[SERVICES[name].env_prefix + "DATABASE_URL"] = databases[name]
        command = ["audit", "verify", *(["--json"] if args.json else [])]
        failed += _service_command(name, *command, env=env) != 0
    return 1 if failed else 0


def cmd_dlq(args: argparse.Namespace) -> int:
    """``hrss dlq list|replay`` against the given broker, or the one the data folder's stack runs."""
    from hrss_cli import dlq

    bootstrap = args.bootstrap or ((read_state(args.data_dir.resolve()) or {}).get("broker") or {}).get("bootstrap")
    if not bootstrap:
        print("no running stack in the data folder: pass --bootstrap HOST:PORT", file=sys.stderr)
        return 2
    return dlq.run(args, bootstrap)


def cmd_backup(args: argparse.Namespace) -> int:
    """``hrss backup``: every service's database of the data folder's stack (hrss_cli.backup)."""
    from hrss_cli import backup

    return backup.cmd_backup(args, read_state(args.data_dir.resolve()))


def cmd_restore(args: argparse.Namespace) -> int:
    """``hrss restore``: a backup into fresh databases of the data folder's stack, which must be stopped."""
    from hrss_cli import backup

    state = read_state(args.data_dir.resolve())
    return backup.cmd_restore(args, state, stack_running(state))


def cmd_db_revision(args: argparse.Namespace) -> int:
    return _service_command(args.service, "db", "revision", "-m", args.message)


def cmd_contracts_asyncapi(args: argparse.Namespace) -> int:
    """Write the AsyncAPI 3 document of every topic (or the ones named), generated from the contracts."""
    from hrss_contracts.asyncapi import document

    text = json.dumps(document(args.topic or None), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    """Install what the tests need (PostgreSQL, Debian's chromium, the Kafka jars), lint, type-check, run pytest."""
    import subprocess

    from hrss_cli.stack import repo_root

    root = repo_root()
    run_script("postgres/install.sh", capture=False)
    run_script("chromium/install.sh", capture=False)  # the dashboard's browser tests (tests/dashboard)
    run_script("kafka/fetch.sh", capture=False)
    steps = [] if args.no_lint else [
        ["ruff", "check", "."],
        ["mypy", *MYPY_TARGETS],
    ]
    for step in steps:
        print("$ " + " ".join(step), flush=True)
        if subprocess.run([sys.executable, "-m", *step], cwd=root).returncode != 0:
            return 1
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in extra):
        extra = ["-n", str(TEST_WORKERS), "--dist", "worksteal", *extra]  # each worker: its own Kafka and PostgreSQL
    if not any(a.startswith("--durations") for a in extra):
        extra = [*extra, "--durations=25"]  # the slowest tests, to keep CI within its time
    print("$ pytest " + " ".join(extra), flush=True)
    return subprocess.run([sys.executable, "-m", "pytest", *extra], cwd=root).returncode


def _positive(value: str) -> int:
    """A whole number of at least 1 (``--persons``, ``--chunk-size``)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return number


def _instance_count(value: str) -> int:
    """``--instances``: how many instances of each service ``hrss up`` runs."""
    try:
        count = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 1 <= count <= MAX_INSTANCES:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_INSTANCES} (instance ports step by "
                                         f"{INSTANCE_PORT_STEP} and must stay clear of the broker's 9092)")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hrss", description="衢州市人社 HRSS platform")
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, default=Path(os.environ.get("HRSS_DATA_DIR", ".hrss")),
                       help="state folder (default .hrss in the current folder)")

    up = sub.add_parser("up", help="start the broker, every service and the gateway")
    data_dir(up)
    up.add_argument("--broker", choices=["embedded", "apache", "external"], default="embedded")
    up.add_argument("--bootstrap", help="HOST:PORT of an external Kafka (with --broker external)")
    up.add_argument("--postgres", action="store_true", help="run every service on PostgreSQL instead of SQLite")
    up.add_argument("--port-offset", type=int, default=0,
                    help="add N to every port (services 8000-8004, broker 9092, PostgreSQL 5433) to run two stacks")
    up.add_argument("--instances", type=_instance_count, default=1, metavar="N",
                    help=f"run N instances of every service, the gateway included (1-{MAX_INSTANCES}); instance i "
                         f"listens on its service's port + {INSTANCE_PORT_STEP}*(i-1): employment 8001, 8101 …")
    up.add_argument("--demo-data", action="store_true", help="load the synthetic city (hrss demo-data) once ready")
    city_options(up)
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", help="show the processes of the stack running from the data folder")
    data_dir(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.set_defaults(func=cmd_status)

    dd = sub.add_parser(
        "demo-data", help="load the synthetic city (people, employers, their records) through the bulk paths",
        description="Generates a city of N people over the six counties, deterministic for the seed, and loads it "
                    "through each service's POST /v1/bulk/... paths. Rows already there are skipped, so it can run "
                    "again.")
    data_dir(dd)
    city_options(dd)
    dd.add_argument("--url", action="append", metavar="SERVICE=URL",
                    help="a service's address (default: the running stack's, else the default ports)")
    dd.add_argument("--token", help="bearer token (default: the stack's dev token)")
    dd.add_argument("--service", action="append", metavar="SERVICE",
                    help="load only this service's part (repeatable; default: every service with a city module)")
    dd.add_argument("--no-progress", action="store_true", help="no progress bar")
    dd.set_defaults(func=cmd_demo_data)

    clients = sub.add_parser(
        "clients", help="manage API clients (stored in the gateway database): create | list | revoke",
        description="Runs the gateway's own command, python -m gateway clients …, on the data folder's database "
                    "(hrss clients create --help for its options).",
    )
    data_dir(clients)
    clients.add_argument("clients_args", nargs=argparse.REMAINDER, metavar="create|list|revoke …")
    clients.set_defaults(func=cmd_clients)

    gateway = sub.add_parser("gateway", help="the gateway's maintenance commands: rebuild")
    gsub = gateway.add_subparsers(dest="gateway_command", required=True)
    rebuild = gsub.add_parser(
        "rebuild", help="rebuild every read-model table from the domain topics (stop the gateway first)",
        description="Runs python -m gateway rebuild on the data folder's database and broker: empties the read-model "
                    "tables, replays every domain topic from its first event with a progress bar, and commits the "
                    "end offsets for the gateway's consumer group. Needs a durable broker whose topics keep every "
                    "event; refuses while a gateway consumes.")
    data_dir(rebuild)
    rebuild.add_argument("--bootstrap", help="HOST:PORT of the Kafka cluster (default: the data folder's stack)")
    rebuild.add_argument("--force", action="store_true", help="rebuild from what the topics hold even if their "
                                                              "retention is limited")
    rebuild.add_argument("--no-progress", action="store_true")
    rebuild.set_defaults(func=cmd_gateway_rebuild)

    from hrss_cli import dlq

    dlq.add_parser(sub, data_dir).set_defaults(func=cmd_dlq)

    from hrss_cli import backup

    backup_parser, restore_parser = backup.add_parsers(sub, data_dir)
    backup_parser.set_defaults(func=cmd_backup)
    restore_parser.set_defaults(func=cmd_restore)

    audit = sub.add_parser("audit", help="the services' audit logs")
    asub = audit.add_subparsers(dest="audit_cmd", required=True)
    verify = asub.add_parser("verify", help="check the hash chains; name the first edited or missing row")
    data_dir(verify)
    verify.add_argument("--service", action="append", choices=list(SERVICES), help="only this service (repeatable)")
    verify.add_argument("--json", action="store_true", help="one JSON report per service")
    verify.set_defaults(func=cmd_audit_verify)

    test = sub.add_parser("test", help="install test prerequisites, run ruff, mypy and the whole test suite")
    test.add_argument("--no-lint", action="store_true", help="skip ruff and mypy")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed on to pytest")
    test.set_defaults(func=cmd_test)

    dbp = sub.add_parser("db", help="database migrations")
    dsub = dbp.add_subparsers(dest="db_cmd", required=True)
    rev = dsub.add_parser("revision", help="autogenerate a migration for one service")
    rev.add_argument("--service", choices=list(SERVICES), required=True)
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=cmd_db_revision)

    contracts = sub.add_parser("contracts", help="the event contracts of every topic")
    ksub = contracts.add_subparsers(dest="contracts_cmd", required=True)
    api = ksub.add_parser("asyncapi", help="write the AsyncAPI 3 document generated from the contracts")
    api.add_argument("--topic", action="append", choices=TOPICS, help="only this topic (repeatable)")
    api.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    api.set_defaults(func=cmd_contracts_asyncapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
