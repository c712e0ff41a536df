#!/usr/bin/env bash
# Usage: deploy/kafka/fetch.sh [--force]
#
# Copies every runtime jar of Apache Kafka (see deploy/kafka/pom.xml) from Maven
# Central into ${HRSS_KAFKA_HOME:-<repo>/deploy/kafka/dist}/libs/ using
#   mvn -q -f deploy/kafka/pom.xml dependency:copy-dependencies
# Idempotent: skipped when libs/.fetched holds the sha256 of the current pom.xml
# (so editing the pom fetches again). --force fetches again regardless.
# Works from any cwd; concurrent callers are serialised with flock.
# Env: HRSS_KAFKA_HOME (dist dir), MVN (maven command, default "mvn"),
#      MAVEN_ARGS_EXTRA (extra maven args, e.g. "-o" for offline).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"
KAFKA_HOME="${HRSS_KAFKA_HOME:-$SCRIPT_DIR/dist}"
LIBS="$KAFKA_HOME/libs"
STAMP="$LIBS/.fetched"
MVN="${MVN:-mvn}"

force=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) force=1; shift ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

# .gitignore for the fetched jars (the deliverable keeps it in the repo too)
if [[ ! -f "$SCRIPT_DIR/.gitignore" ]] || ! grep -qx 'dist/' "$SCRIPT_DIR/.gitignore"; then
  echo 'dist/' >>"$SCRIPT_DIR/.gitignore"
fi

pom_hash="$(sha256sum "$POM" | cut -d' ' -f1)"

is_complete() {
  [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$pom_hash" ]] \
    && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null
}

if [[ $force -eq 0 ]] && is_complete; then
  exit 0
fi

mkdir -p "$KAFKA_HOME"
exec 9>"$KAFKA_HOME/.fetch.lock"
flock 9
# another caller may have finished while we waited for the lock
if [[ $force -eq 0 ]] && is_complete; then
  exit 0
fi

tmp="$KAFKA_HOME/libs.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "fetch.sh: fetching Kafka runtime jars into $LIBS ..." >&2
start_s=$SECONDS
# shellcheck disable=SC2086
if ! "$MVN" -q -B ${MAVEN_ARGS_EXTRA:-} -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$KAFKA_HOME/fetch.log" 2>&1; then
  echo "fetch.sh: maven failed (log: $KAFKA_HOME/fetch.log):" >&2
  tail -n 40 "$KAFKA_HOME/fetch.log" >&2
  exit 1
fi
if ! compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null; then
  echo "fetch.sh: maven finished but no kafka_2.13 jar was copied" >&2
  exit 1
fi
echo "$pom_hash" >"$tmp/.fetched"
rm -rf "$LIBS"
mv "$tmp" "$LIBS"
trap - EXIT
jars=("$LIBS"/*.jar)
echo "fetch.sh: ${#jars[@]} jars in $LIBS ($((SECONDS - start_s)) s)" >&2
