#!/usr/bin/env bash
# deploy/postgres/install.sh - make sure Debian's PostgreSQL server is installed.
#
# Usage:
#   deploy/postgres/install.sh            # prints the server bin dir on stdout,
#                                         # e.g. /usr/lib/postgresql/15/bin
#   PG_BIN=$(deploy/postgres/install.sh)
#
# Idempotent. If initdb/pg_ctl/postgres are missing under /usr/lib/postgresql/*/bin
# it runs `apt-get update` and `apt-get install -y --no-install-recommends postgresql`
# (needs root). No service is started: while apt runs, a temporary
# /usr/sbin/policy-rc.d (exit 101) is put in place unless one exists already.
# The package's default cluster (<ver>/main, port 5432) is not used by these
# scripts: it is stopped if running and marked start=manual so nothing starts it.
# All progress messages go to stderr; only the bin dir goes to stdout.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=env.sh
source "$HERE/env.sh"

if [ -z "$PG_BIN" ]; then
    [ "$(id -u)" -eq 0 ] || pg_die "PostgreSQL is not installed and installing it needs root (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\n# temporary, from deploy/postgres/install.sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    cleanup_policy() { if [ "$created_policy" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
    trap cleanup_policy EXIT
    start=$(date +%s)
    pg_log "installing postgresql from apt (this can take a minute or two)"
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql >&2
    pg_log "apt install took $(( $(date +%s) - start ))s"
    cleanup_policy
    trap - EXIT
    PG_BIN=$(pg_find_bin) || pg_die "postgresql installed but no server binaries found under /usr/lib/postgresql/*/bin"
fi

# Keep the package's auto-created default cluster(s) out of the way.
if [ "$(id -u)" -eq 0 ]; then
    for conf in /etc/postgresql/*/*/start.conf; do
        [ -e "$conf" ] || continue
        cdir=${conf%/start.conf}
        cname=${cdir##*/}
        cver=${cdir%/*}; cver=${cver##*/}
        if command -v pg_ctlcluster >/dev/null 2>&1 &&
           pg_ctlcluster "$cver" "$cname" status >/dev/null 2>&1; then
            pg_log "stopping default cluster $cver/$cname"
            pg_ctlcluster "$cver" "$cname" stop -m fast >&2 || true
        fi
        if ! grep -qx 'manual' "$conf" && ! grep -qx 'disabled' "$conf"; then
            sed -i 's/^auto$/manual/' "$conf"
            pg_log "set $conf to 'manual' (default cluster is not auto-started)"
        fi
    done
fi

printf '%s\n' "$PG_BIN"
