#!/usr/bin/env bash
# Usage: deploy/kafka/start.sh --data-dir DIR --port PORT [--controller-port CPORT]
#                              [--set KEY=VALUE]... [--wait [--timeout SECONDS]]
#
# Starts one Apache Kafka node in KRaft mode (combined broker+controller,
# node.id=1) in the background and returns at once (or, with --wait, once
# deploy/kafka/wait.sh sees it answer a metadata request).
#   --data-dir DIR        everything of this broker lives here: server.properties,
#                         cluster.id, data/ (log.dirs + metadata log), logs/
#                         (server.log), kafka.out (stdout/stderr), kafka.pid
#   --port PORT           client listener PLAINTEXT://127.0.0.1:PORT
#   --controller-port P   KRaft controller listener on 127.0.0.1 (default PORT+1)
#   --set KEY=VALUE       extra/overriding server.properties line (repeatable)
#   --wait                block until ready (wait.sh), --timeout for it (default 120)
# The jars are fetched first (fetch.sh) if they are not there yet.
# DIR is formatted (kafka.tools.StorageTool format) only when DIR/data has no
# meta.properties yet; the cluster id is kept in DIR/cluster.id, so a restart on
# the same DIR keeps every topic, message and committed offset.
# If a broker from DIR is already running (pid alive), it does nothing.
# Env: HRSS_KAFKA_HOME (dist, default deploy/kafka/dist), JAVA (default: java on
#      PATH or $JAVA_HOME/bin/java), KAFKA_HEAP_OPTS (default -Xms256m -Xmx768m),
#      KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS (extra JVM args),
#      KAFKA_LOG4J_CONFIG (default deploy/kafka/log4j2.properties).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_HOME="${HRSS_KAFKA_HOME:-$SCRIPT_DIR/dist}"
LIBS="$KAFKA_HOME/libs"

usage() { sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "start.sh: $*" >&2; exit 1; }

data_dir="" port="" cport="" do_wait=0 timeout=120
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data-dir) data_dir="${2:?--data-dir needs a value}"; shift 2 ;;
    --port) port="${2:?--port needs a value}"; shift 2 ;;
    --controller-port) cport="${2:?--controller-port needs a value}"; shift 2 ;;
    --set) extra+=("${2:?--set needs KEY=VALUE}"); shift 2 ;;
    --wait) do_wait=1; shift ;;
    --timeout) timeout="${2:?--timeout needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ -n "$data_dir" && -n "$port" ]] || { usage >&2; exit 2; }
[[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
[[ -z "$cport" ]] && cport=$((port + 1))
[[ "$cport" =~ ^[0-9]+$ ]] || die "--controller-port must be a number"
[[ "$cport" != "$port" ]] || die "controller port must differ from port"
for kv in "${extra[@]+"${extra[@]}"}"; do
  [[ "$kv" == *=* ]] || die "--set expects KEY=VALUE, got: $kv"
done

mkdir -p "$data_dir"
DIR="$(cd "$data_dir" && pwd)"
PROPS="$DIR/server.properties"
PIDFILE="$DIR/kafka.pid"
OUT="$DIR/kafka.out"

# is PID a live kafka.Kafka process started with this DIR's server.properties?
ours() {
  local pid="$1" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"kafka.Kafka $PROPS"* ]]
}

if [[ -f "$PIDFILE" ]]; then
  oldpid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if ours "$oldpid"; then
    echo "start.sh: broker already running from $DIR (pid $oldpid)" >&2
    exit 0
  fi
  rm -f "$PIDFILE"   # stale (crash / SIGKILL / reboot)
fi

# fail fast (instead of a broker dying on bind) when a port is already taken
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$port" "$cport"; do
  if port_taken "$p"; then
    die "127.0.0.1:$p is already in use by another process (ss -ltnp | grep :$p)"
  fi
done

"$SCRIPT_DIR/fetch.sh"
compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null || die "no Kafka jars in $LIBS"

if [[ -n "${JAVA:-}" ]]; then :
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"
else JAVA=java; fi
command -v "$JAVA" >/dev/null || die "java not found (set JAVA or JAVA_HOME)"

mkdir -p "$DIR/data" "$DIR/logs"

# cluster id: kept in DIR so that a restart / re-format uses the same one
if [[ ! -s "$DIR/cluster.id" ]]; then
  if [[ -s "$DIR/data/meta.properties" ]]; then
    sed -n 's/^cluster\.id=//p' "$DIR/data/meta.properties" >"$DIR/cluster.id"
  else
    # a Kafka Uuid: 16 random bytes, base64url without padding (22 chars); like Kafka's own
    # Uuid.randomUuid, never one starting with '-', which the format tool would read as an option
    id="-"
    while [[ $id == -* ]]; do
      id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    done
    printf '%s' "$id" >"$DIR/cluster.id"
  fi
fi
CLUSTER_ID="$(tr -d '[:space:]' <"$DIR/cluster.id")"
[[ ${#CLUSTER_ID} -eq 22 ]] || die "bad cluster id in $DIR/cluster.id: '$CLUSTER_ID'"

# server.properties is rewritten on every start (ports may change between runs;
# node.id, cluster id and data stay the same)
{
  echo "# written by deploy/kafka/start.sh on $(date -Is); edits are overwritten on the next start"
  cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${cport}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${DIR}/data
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=true
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=134217728
EOF
  if [[ ${#extra[@]} -gt 0 ]]; then
    echo "# --set"
    printf '%s\n' "${extra[@]}"
  fi
} >"$PROPS.tmp"
mv "$PROPS.tmp" "$PROPS"

CP="$LIBS/*"
LOG4J_CONF="${KAFKA_LOG4J_CONFIG:-$SCRIPT_DIR/log4j2.properties}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
PERF_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
# shellcheck disable=SC2206
# log4j2.shutdownHookEnabled=false: otherwise log4j2's own shutdown hook stops
# logging while Kafka's shutdown hook is still doing its controlled shutdown
# (server.log is cut short and kafka.out gets "Unable to register Log4j shutdown
# hook because JVM is shutting down"); the appenders flush every line anyway.
JVM_ARGS=($HEAP_OPTS $PERF_OPTS
  "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$DIR/logs"
  -Dlog4j2.shutdownHookEnabled=false
  ${KAFKA_OPTS:-})

if [[ ! -s "$DIR/data/meta.properties" ]]; then
  echo "start.sh: formatting $DIR/data (cluster id $CLUSTER_ID)" >&2
  if ! "$JAVA" -Xmx256m "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$DIR/logs" \
      -cp "$CP" kafka.tools.StorageTool format --ignore-formatted \
      -t "$CLUSTER_ID" -c "$PROPS" >"$DIR/format.out" 2>&1; then
    cat "$DIR/format.out" >&2
    die "formatting $DIR/data failed"
  fi
fi

echo "=== $(date -Is) start.sh: starting kafka (port $port, controller $cport)" >>"$OUT"
# setsid: own session, so the broker outlives the calling shell / CI step's
# process group; the inner bash writes its pid and execs java (same pid).
# shellcheck disable=SC2016
setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PIDFILE" \
  "$JAVA" "${JVM_ARGS[@]}" -cp "$CP" kafka.Kafka "$PROPS" \
  </dev/null >>"$OUT" 2>&1 &

for _ in $(seq 1 50); do [[ -s "$PIDFILE" ]] && break; sleep 0.1; done
[[ -s "$PIDFILE" ]] || die "broker did not write $PIDFILE; see $OUT"
echo "start.sh: kafka started from $DIR (pid $(cat "$PIDFILE"), 127.0.0.1:$port)" >&2

if [[ $do_wait -eq 1 ]]; then
  exec "$SCRIPT_DIR/wait.sh" --port "$port" --data-dir "$DIR" --timeout "$timeout"
fi
