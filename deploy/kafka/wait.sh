#!/usr/bin/env bash
# Usage: deploy/kafka/wait.sh --port PORT [--timeout SECONDS] [--data-dir DIR]
#
# Blocks until the Kafka broker on 127.0.0.1:PORT answers a real metadata
# request listing at least one broker (default timeout 120 s; exit 0 = ready).
# Uses aiokafka's AIOKafkaAdminClient (describe_cluster) when aiokafka imports,
# otherwise a dependency-free raw ApiVersions + Metadata request over a socket.
# On timeout (exit 1) it prints the last lines of the broker's kafka.out and
# server.log: DIR is --data-dir if given, else found from the running
# kafka.Kafka process whose server.properties listens on PORT. With --data-dir,
# it also gives up early (exit 1) when DIR/kafka.pid names a dead process.
# Env: PYTHON (interpreter, default python3), HRSS_KAFKA_WAIT_RAW=1 skips aiokafka.
set -euo pipefail

usage() { sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

port="" timeout=120 data_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs a value}"; shift 2 ;;
    --data-dir) data_dir="${2:?--data-dir needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; echo "wait.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -n "$port" ]] || { usage >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] || { echo "wait.sh: --port must be a number" >&2; exit 2; }
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "wait.sh: --timeout must be whole seconds" >&2; exit 2; }
[[ -n "$data_dir" ]] && data_dir="$(cd "$data_dir" 2>/dev/null && pwd || echo "$data_dir")"
PY="${PYTHON:-python3}"

# One probe: exit 0 when a metadata response lists >= 1 broker.
probe() {
  "$PY" - "$port" <<'PYEOF'
import asyncio, os, socket, struct, sys

port = int(sys.argv[1])
BOOT = f"127.0.0.1:{port}"

async def with_aiokafka():
    from aiokafka.admin import AIOKafkaAdminClient
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOT, request_timeout_ms=5000,
                                client_id="hrss-kafka-wait")
    await asyncio.wait_for(admin.start(), 8)
    try:
        info = await asyncio.wait_for(admin.describe_cluster(), 8)
        return len(info.get("brokers", [])) >= 1
    finally:
        await admin.close()

def raw():
    # ApiVersions v0 (every broker answers it), then Metadata at the lowest
    # non-flexible version >= 4 the broker supports (v4..v8), for all topics.
    def call(sock, api_key, version, corr, body):
        cid = b"hrss-kafka-wait"
        msg = struct.pack(">hhih", api_key, version, corr, len(cid)) + cid + body
        sock.sendall(struct.pack(">i", len(msg)) + msg)
        hdr = recv(sock, 4)
        data = recv(sock, struct.unpack(">i", hdr)[0])
        if struct.unpack(">i", data[:4])[0] != corr:
            raise RuntimeError("correlation id mismatch")
        return data[4:]
    def recv(sock, n):
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed")
            buf += chunk
        return buf
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        r = call(s, 18, 0, 1, b"")
        err, n = struct.unpack(">hi", r[:6])
        if err:
            return False
        lo = hi = None
        for i in range(n):
            k, vmin, vmax = struct.unpack(">hhh", r[6 + 6 * i: 12 + 6 * i])
            if k == 3:
                lo, hi = vmin, vmax
        if lo is None:
            return False
        v = max(lo, 4)
        if v > min(hi, 8):
            raise RuntimeError(f"no Metadata version in 4..8 (broker: {lo}..{hi})")
        body = struct.pack(">i", -1) + b"\x01"          # all topics, allow auto-create
        if v >= 8:
            body += b"\x00\x00"                          # no authorized-operations
        r = call(s, 3, v, 2, body)
        throttle, nbrokers = struct.unpack(">ii", r[:8])  # v3+: throttle_time_ms first
        return nbrokers >= 1

try:
    ok = None
    if os.environ.get("HRSS_KAFKA_WAIT_RAW") != "1":
        try:
            import aiokafka  # noqa: F401
        except ImportError:
            pass
        else:
            import logging
            logging.disable(logging.CRITICAL)
            ok = asyncio.run(with_aiokafka())
    if ok is None:
        ok = raw()
except Exception as e:  # not up yet
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
sys.exit(0 if ok else 1)
PYEOF
}

# find DIR of a running kafka.Kafka whose server.properties listens on PORT
find_dir() {
  local p cmd props
  for p in /proc/[0-9]*; do
    cmd="$(tr '\0' '\n' <"$p/cmdline" 2>/dev/null)" || continue
    grep -qx 'kafka.Kafka' <<<"$cmd" || continue
    props="$(grep -A1 -x 'kafka.Kafka' <<<"$cmd" | tail -n 1)"
    [[ -f "$props" ]] || continue
    if grep -qE "^listeners=.*PLAINTEXT://127\.0\.0\.1:${port}(,|$)" "$props"; then
      dirname "$props"; return 0
    fi
  done
  return 1
}

pid_dead() {
  [[ -n "$data_dir" && -f "$data_dir/kafka.pid" ]] || return 1
  local pid; pid="$(cat "$data_dir/kafka.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null
}

show_logs() {
  local d="$data_dir"
  [[ -n "$d" ]] || d="$(find_dir || true)"
  if [[ -n "$d" && -f "$d/kafka.out" ]]; then
    echo "--- last lines of $d/kafka.out:" >&2
    tail -n 30 "$d/kafka.out" >&2
    if [[ -f "$d/logs/server.log" ]]; then
      echo "--- last lines of $d/logs/server.log:" >&2
      tail -n 15 "$d/logs/server.log" >&2
    fi
  else
    echo "wait.sh: no kafka.out found for port $port (pass --data-dir DIR)" >&2
  fi
}

start_s=$SECONDS
deadline=$((SECONDS + timeout))
last_err=""
while :; do
  if [[ -z "$data_dir" ]]; then data_dir="$(find_dir || true)"; fi
  if err="$(probe 2>&1)"; then
    echo "wait.sh: kafka on 127.0.0.1:$port is ready ($((SECONDS - start_s)) s)" >&2
    exit 0
  fi
  last_err="$err"
  if pid_dead; then
    echo "wait.sh: the broker of $data_dir (pid $(cat "$data_dir/kafka.pid")) has exited" >&2
    show_logs
    exit 1
  fi
  if (( SECONDS >= deadline )); then
    echo "wait.sh: kafka on 127.0.0.1:$port not ready after ${timeout} s (last: ${last_err:-no answer})" >&2
    show_logs
    exit 1
  fi
  sleep 0.5
done
