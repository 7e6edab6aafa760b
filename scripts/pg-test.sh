#!/usr/bin/env bash
# Throwaway PostgreSQL for the congdoan tests.
#
# Starts a private PostgreSQL server (15 preferred) listening on 127.0.0.1 only,
# on a free port, in a fresh data directory under /tmp, with trust auth for the
# bootstrap superuser `congdoan`. The tests create one database per test from
#
#   TEST_DATABASE_URL=postgres://congdoan@127.0.0.1:PORT/postgres
#
# Two ways to use it:
#
#   * sourced (as scripts/test.sh does):
#         source scripts/pg-test.sh
#         pg_test_start            # exports TEST_DATABASE_URL
#         trap pg_test_stop EXIT
#
#   * standalone:
#         eval "$(bash scripts/pg-test.sh start)"   # prints `export TEST_DATABASE_URL=...`
#         cargo nextest run ...
#         bash scripts/pg-test.sh stop
#     also: `status`, `url`. The standalone server's state is kept in
#     $CONGDOAN_PG_STATE (default /tmp/congdoan-pg-test.state).
#
# Settings (environment): CONGDOAN_PG_PORT (first port to try, default 54329),
# CONGDOAN_PG_VERSION (preferred major, default 15).
#
# As root, initdb/pg_ctl run as the OS user `postgres` (or `cdtest`, created if
# needed), since PostgreSQL refuses to run as root. PostgreSQL is installed with
# apt-get when no server binaries are found.

# ---------------------------------------------------------------------------
# helpers (prefixed to stay out of the way of a sourcing script)

_pg_log() { printf 'pg-test: %s\n' "$*" >&2; }

_pg_apt_updated=0
_pg_apt_install() {
    # apt-get install "$@", waiting for a dpkg/apt lock held by someone else.
    export DEBIAN_FRONTEND=noninteractive
    local try
    if [[ $_pg_apt_updated -eq 0 ]]; then
        for try in 1 2 3 4 5 6 7 8 9 10; do
            if apt-get -o DPkg::Lock::Timeout=600 update -qq >&2; then
                _pg_apt_updated=1
                break
            fi
            _pg_log "apt-get update failed (try $try), retrying in 15 s (lock held?)"
            sleep 15
        done
    fi
    for try in 1 2 3; do
        if apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "$@" >&2; then
            return 0
        fi
        _pg_log "apt-get install $* failed (try $try), retrying in 15 s"
        sleep 15
    done
    return 1
}

_pg_find_bin() {
    # Prints the bin directory of the preferred PostgreSQL major that has
    # initdb, pg_ctl and postgres; else the highest available one.
    local want="${CONGDOAN_PG_VERSION:-15}" d
    if [[ -x /usr/lib/postgresql/$want/bin/initdb && -x /usr/lib/postgresql/$want/bin/pg_ctl ]]; then
        echo "/usr/lib/postgresql/$want/bin"
        return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -rn); do
        if [[ -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

_pg_ensure_installed() {
    if _pg_find_bin >/dev/null; then return 0; fi
    if [[ $EUID -ne 0 ]]; then
        _pg_log "no PostgreSQL server binaries under /usr/lib/postgresql and not root: install postgresql-15"
        return 1
    fi
    _pg_log "PostgreSQL server not found: installing it with apt-get"
    _pg_apt_install postgresql-15 || _pg_apt_install postgresql || return 1
    _pg_find_bin >/dev/null
}

_pg_os_user() {
    # The unprivileged OS user that runs the server (root only).
    if id -u postgres >/dev/null 2>&1; then
        echo postgres
        return 0
    fi
    if ! id -u cdtest >/dev/null 2>&1; then
        useradd -r -m -s /bin/sh cdtest >&2 || return 1
    fi
    echo cdtest
}

_pg_as() {
    # _pg_as USER CMD...: run CMD as USER (or as ourselves when not root).
    local user=$1
    shift
    if [[ $EUID -eq 0 ]]; then
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

_pg_port_in_use() {
    # True when something accepts TCP connections on 127.0.0.1:$1.
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

_pg_free_port() {
    local port=$1 n
    for ((n = 0; n < 200; n++, port++)); do
        if ! _pg_port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# ---------------------------------------------------------------------------
# public functions

# pg_test_start: start a server; sets and exports TEST_DATABASE_URL,
# PG_TEST_DIR, PG_TEST_PORT, PG_TEST_BIN, PG_TEST_USER.
pg_test_start() {
    _pg_ensure_installed || return 1
    local bin user dir port attempt started=0
    bin=$(_pg_find_bin) || return 1
    if [[ $EUID -eq 0 ]]; then
        user=$(_pg_os_user) || return 1
    else
        user=$(id -un)
    fi

    dir=$(mktemp -d /tmp/congdoan-pg.XXXXXX) || return 1
    chmod 0755 "$dir"
    [[ $EUID -eq 0 ]] && chown "$user" "$dir"

    local locale_args=(--no-locale) locales
    locales=$(locale -a 2>/dev/null || true)
    if grep -qix 'c\.utf-\?8' <<<"$locales"; then
        locale_args=(--locale=C.UTF-8)
    fi
    if ! _pg_as "$user" "$bin/initdb" -D "$dir/data" -U congdoan --auth=trust \
        --encoding=UTF8 "${locale_args[@]}" >"$dir/initdb.log" 2>&1; then
        _pg_log "initdb failed:"
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        return 1
    fi
    # Loopback only; sockets in our own directory; tuned for throwaway data.
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- congdoan test server ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_min_error_statement = panic
EOF

    port=${CONGDOAN_PG_PORT:-54329}
    for attempt in 1 2 3 4 5; do
        port=$(_pg_free_port "$port") || {
            _pg_log "no free port found"
            break
        }
        if _pg_as "$user" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-c port=$port" start >/dev/null 2>&1; then
            started=1
            break
        fi
        _pg_log "could not start on port $port (attempt $attempt):"
        tail -n 5 "$dir/server.log" >&2 || true
        port=$((port + 1))
    done
    if [[ $started -ne 1 ]]; then
        _pg_log "PostgreSQL did not start; log: $dir/server.log"
        return 1
    fi

    export PG_TEST_DIR=$dir PG_TEST_PORT=$port PG_TEST_BIN=$bin PG_TEST_USER=$user
    export TEST_DATABASE_URL="postgres://congdoan@127.0.0.1:$port/postgres"

    # The bootstrap superuser is `congdoan`; make sure (idempotent) and check
    # that the server answers over TCP.
    if ! "$bin/psql" "$TEST_DATABASE_URL" -XqAt -v ON_ERROR_STOP=1 \
        -c "ALTER ROLE congdoan WITH SUPERUSER CREATEDB LOGIN" >/dev/null; then
        _pg_log "server started but does not answer at $TEST_DATABASE_URL"
        pg_test_stop
        return 1
    fi
    _pg_log "PostgreSQL $("$bin/postgres" --version | sed "s/^postgres (PostgreSQL) //") on 127.0.0.1:$port (data $dir/data)"
}

# pg_test_stop: stop the server started by pg_test_start and remove its files.
# Safe to call more than once, or when nothing was started.
pg_test_stop() {
    local dir=${PG_TEST_DIR:-} bin=${PG_TEST_BIN:-} user=${PG_TEST_USER:-}
    [[ -n $dir && -d $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid && -n $bin ]]; then
        _pg_as "$user" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || {
            # Last resort: kill the postmaster by its recorded pid.
            local pid
            pid=$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
        }
    fi
    rm -rf "$dir"
    unset PG_TEST_DIR PG_TEST_PORT
    return 0
}

# ---------------------------------------------------------------------------
# standalone use

_pg_state_file() { echo "${CONGDOAN_PG_STATE:-/tmp/congdoan-pg-test.state}"; }

_pg_load_state() {
    local f
    f=$(_pg_state_file)
    [[ -f $f ]] || return 1
    # shellcheck disable=SC1090
    source "$f"
    [[ -n ${PG_TEST_DIR:-} && -f $PG_TEST_DIR/data/postmaster.pid ]]
}

_pg_main() {
    set -euo pipefail
    local cmd=${1:-}
    case $cmd in
    start)
        if _pg_load_state && "$PG_TEST_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_TEST_PORT"; then
            _pg_log "already running on 127.0.0.1:$PG_TEST_PORT"
        else
            pg_test_start
            declare -p PG_TEST_DIR PG_TEST_PORT PG_TEST_BIN PG_TEST_USER TEST_DATABASE_URL |
                sed 's/^declare -x /export /' >"$(_pg_state_file)"
        fi
        echo "export TEST_DATABASE_URL=$TEST_DATABASE_URL"
        ;;
    stop)
        if _pg_load_state || [[ -n ${PG_TEST_DIR:-} ]]; then
            pg_test_stop
            _pg_log "stopped"
        else
            _pg_log "not running"
        fi
        rm -f "$(_pg_state_file)"
        ;;
    status)
        if _pg_load_state && "$PG_TEST_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_TEST_PORT"; then
            echo "running: $TEST_DATABASE_URL"
        else
            echo "not running"
            return 1
        fi
        ;;
    url)
        _pg_load_state || {
            _pg_log "not running"
            return 1
        }
        echo "$TEST_DATABASE_URL"
        ;;
    *)
        echo "usage: $0 start|stop|status|url" >&2
        return 2
        ;;
    esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    _pg_main "$@"
fi
