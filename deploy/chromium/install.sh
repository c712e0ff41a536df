#!/usr/bin/env bash
# deploy/chromium/install.sh - make sure Debian's chromium is installed (the dashboard's browser tests drive it
# with Playwright through its executable path; Playwright's own browser download is never used).
#
# Usage:
#   deploy/chromium/install.sh            # prints the browser's path on stdout, e.g. /usr/bin/chromium
#   CHROMIUM=$(deploy/chromium/install.sh)
#
# Idempotent: when `chromium` is on the PATH nothing is installed. Otherwise it runs `apt-get update` and
# `apt-get install -y --no-install-recommends chromium fonts-liberation` (needs root; the font gives the
# charts' text a face to render with). All progress messages go to stderr; only the path goes to stdout.
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }
die() { printf '[chromium] ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v chromium >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || die "chromium is not installed and installing it needs root (apt-get)"
    command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and this system has no apt-get"
    export DEBIAN_FRONTEND=noninteractive
    start=$(date +%s)
    log "installing chromium from apt (this can take a minute or two)"
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends chromium fonts-liberation >&2
    log "apt install took $(( $(date +%s) - start ))s"
    command -v chromium >/dev/null 2>&1 || die "chromium installed but not found on the PATH"
fi

command -v chromium
