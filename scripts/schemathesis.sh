#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis, as an attacker with a token would: a server on
# a fresh SQLite database with the demo data, an administrator's token and a viewer's
# token, every operation of /api/openapi.json, a fixed seed, bounded examples and time.
# Fails on any finding: a 5xx, a response that does not match its schema, a status or
# content type the document does not declare.
#
#   bash scripts/schemathesis.sh        (scripts/test.sh runs it)
#
# schemathesis (pinned below) is installed from PyPI into a virtualenv under the
# target dir, once; a machine that cannot reach PyPI fails here with a message saying so.
# Knobs: ST_MAX_EXAMPLES (per operation, default 30), ST_MAX_TIME (seconds per token,
# default 80), ST_SEED (default 20261206), ST_WORKERS (default 1: schemathesis 4.32 on
# Python 3.11 hit an internal AST error with 2 workers in its coverage phase).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
ST_VERSION=4.32.5
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV=$TARGET/schemathesis-$ST_VERSION
SEED=${ST_SEED:-20261206}
MAX_EXAMPLES=${ST_MAX_EXAMPLES:-30}
MAX_TIME=${ST_MAX_TIME:-80}

die() {
    printf 'schemathesis.sh: %s\n' "$*" >&2
    exit 1
}

# --- schemathesis, pinned, in a cached virtualenv -------------------------------
if ! "$VENV/bin/st" --version >/dev/null 2>&1; then
    rm -rf "$VENV"
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        [[ $EUID -eq 0 ]] || die "python3 with venv is missing (apt-get install python3 python3-venv)"
        apt-get install -y -q python3 python3-venv >/dev/null ||
            die "apt-get install python3 python3-venv failed"
    fi
    python3 -m venv "$VENV" || die "python3 -m venv failed"
    echo "installing schemathesis==$ST_VERSION from PyPI into $VENV"
    if ! "$VENV/bin/pip" install --disable-pip-version-check --quiet --timeout 20 --retries 2 \
        "schemathesis==$ST_VERSION"; then
        rm -rf "$VENV"
        die "could not install schemathesis==$ST_VERSION from PyPI (pip said why above). The API fuzzing stage needs PyPI, or a virtualenv with it at $VENV."
    fi
fi
echo "schemathesis: $("$VENV/bin/st" --version)"

# --- a server on a fresh SQLite database with the demo data --------------------------
cargo build --quiet --bin congdoan
BIN=$TARGET/debug/congdoan
WORK=$(mktemp -d /tmp/congdoan-st.XXXXXX)
DB="sqlite:$WORK/st.db"
PORT=$((20000 + RANDOM % 20000))
SERVER_PID=
cleanup() {
    if [[ -n $SERVER_PID ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

RUST_LOG=${RUST_LOG:-warn} "$BIN" serve --database-url "$DB" --listen "127.0.0.1:$PORT" --demo \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || {
        cat "$WORK/server.log" >&2
        die "the server did not start"
    }
    sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || die "the server does not answer /healthz"

token() {
    "$BIN" user token --database-url "$DB" --username "$1" --name schemathesis --days 1
}
ADMIN_TOKEN=$(token admin) || die "could not mint the administrator's token"
VIEWER_TOKEN=$(token cdcs.viewer) || die "could not mint the viewer's token"

# --- the runs ------------------------------------------------------------------------
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
# Revoking a token ends the run's own token (its id is 1 or 2), and the administrator
# can disable the viewer: so the viewer goes first, both leave the revocation out,
# and a last run tries it alone.
DELETE_TOKEN='DELETE /api/v1/tokens/{id}'
status=0
st_run() {
    local who=$1 tok=$2
    shift 2
    echo "---- schemathesis as $who${*:+ ($*)} (seed $SEED, ≤ $MAX_EXAMPLES examples per operation, ≤ ${MAX_TIME}s)"
    # Run from the scratch folder: schemathesis keeps a cache (.schemathesis/) where it runs.
    if ! (cd "$WORK" && timeout --kill-after=10s $((MAX_TIME + 60)) "$VENV/bin/st" --no-color run \
        "http://127.0.0.1:$PORT/api/openapi.json" \
        --header "Authorization: Bearer $tok" \
        --checks "$CHECKS" \
        --seed "$SEED" \
        --max-examples "$MAX_EXAMPLES" \
        --max-time "$MAX_TIME" \
        --phases examples,coverage,fuzzing \
        --workers "${ST_WORKERS:-1}" \
        --request-timeout 20 \
        --suppress-health-check all \
        --generation-database none \
        "$@"); then
        echo "schemathesis as $who: FINDINGS (see above)" >&2
        status=1
    fi
}
st_run viewer "$VIEWER_TOKEN" --exclude-name "$DELETE_TOKEN"
st_run admin "$ADMIN_TOKEN" --exclude-name "$DELETE_TOKEN"
MAX_TIME=20 st_run admin "$ADMIN_TOKEN" --include-name "$DELETE_TOKEN"
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server died during the run; its log:" >&2
    tail -n 50 "$WORK/server.log" >&2
    status=1
fi
# A panic or an internal error (logged with its incident id) is a finding even when
# the answer looked fine; import jobs failing on the garbage uploaded are not.
if grep -Eq "panicked|incident" "$WORK/server.log"; then
    echo "the server panicked or logged internal errors:" >&2
    grep -E -A3 "panicked|incident" "$WORK/server.log" | head -n 40 >&2
    status=1
fi
((status == 0)) || die "schemathesis found problems"
echo "schemathesis: nothing found"
