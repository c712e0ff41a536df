#!/usr/bin/env bash
# Usage: deploy/kafka/stop.sh --data-dir DIR [--timeout SECONDS] [--discard]
#
# Stops the broker started by start.sh from DIR: SIGTERM to the pid in
# DIR/kafka.pid (Kafka then does a controlled shutdown and flushes its logs),
# waits up to --timeout seconds (default 60) for it to exit, then SIGKILLs it.
# --discard: SIGKILL at once, for a broker whose data is thrown away next (a
# test run's); its logs are not flushed. Removes DIR/kafka.pid. Quiet success
# (exit 0) when nothing is running. If the pid file is gone but a kafka.Kafka
# process started with DIR/server.properties is still alive, that process is
# stopped instead.
set -euo pipefail

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

data_dir="" timeout=60 discard=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) data_dir="${2:?--data-dir needs a value}"; shift 2 ;;
    --timeout) timeout="${2:?--timeout needs a value}"; shift 2 ;;
    --discard) discard=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; echo "stop.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -n "$data_dir" ]] || { usage >&2; exit 2; }
[[ "$timeout" =~ ^[0-9]+$ ]] || { echo "stop.sh: --timeout must be whole seconds" >&2; exit 2; }
[[ -d "$data_dir" ]] || exit 0
DIR="$(cd "$data_dir" && pwd)"
PROPS="$DIR/server.properties"
PIDFILE="$DIR/kafka.pid"

# is PID a live kafka.Kafka process started with this DIR's server.properties?
ours() {
  local pid="$1" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"kafka.Kafka $PROPS"* ]]
}

pid=""
if [[ -f "$PIDFILE" ]]; then
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  ours "$pid" || pid=""
fi
if [[ -z "$pid" ]]; then
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    if ours "$p"; then pid="$p"; break; fi
  done
fi
if [[ -z "$pid" ]]; then
  rm -f "$PIDFILE"
  exit 0
fi

if (( discard )); then
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PIDFILE"
  exit 0
fi
kill -TERM "$pid" 2>/dev/null || true
deadline=$((SECONDS + timeout))
while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do
  sleep 0.2
done
if kill -0 "$pid" 2>/dev/null; then
  echo "stop.sh: broker (pid $pid) still running after ${timeout} s; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
rm -f "$PIDFILE"
