#!/usr/bin/env bash
# Runs every check and test of congdoan: the command CI runs (.ci/run).
#
#   bash scripts/test.sh [extra arguments for `cargo nextest run`]
#
# 1. installs what is missing (Debian packages chromium, chromium-driver,
#    postgresql-15 with apt-get; rustfmt/clippy with rustup);
# 2. cargo fmt --check;  3. cargo clippy -D warnings;
# 4. starts a throwaway PostgreSQL on 127.0.0.1 (scripts/pg-test.sh), stopped on exit;
# 5. doc tests; 6. cargo nextest run --workspace (cargo test when nextest is absent),
#    with TEST_DATABASE_URL, CHROMEDRIVER, CHROME_BIN and CONGDOAN_REQUIRE_ALL_ENGINES=1,
#    so the PostgreSQL and browser tests fail rather than skip;
# 7. schemathesis over the JSON API (scripts/schemathesis.sh: pinned, from PyPI into a
#    virtualenv under the target dir); 8. the bench smoke on both engines.
#
# Environment knobs: NEXTEST_TEST_THREADS (default: number of CPUs),
# CONGDOAN_TEST_TIMEOUT_MIN (deadline for the test steps when not on a terminal,
# in minutes from the start, default 75),
# CHROMEDRIVER / CHROME_BIN (defaults /usr/bin/chromedriver, /usr/bin/chromium).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
[[ -d $HOME/.cargo/bin && :$PATH: != *:$HOME/.cargo/bin:* ]] && PATH="$HOME/.cargo/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive
if [[ -n ${CI:-} ]]; then
    export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
    export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
fi

START=$SECONDS
section() { printf '\n==== [%4ss] %s ====\n' "$((SECONDS - START))" "$*"; }
die() {
    printf 'test.sh: %s\n' "$*" >&2
    exit 1
}
FAILED=()

# shellcheck source=scripts/pg-test.sh
source "$ROOT/scripts/pg-test.sh"
trap pg_test_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
section "Tools"

command -v cargo >/dev/null || die "cargo not found (install Rust with rustup)"

# An apt/dpkg run may already be going on (e.g. installing chromium): wait for it
# before looking at what is installed.
wait_for_dpkg() {
    local n=0
    while pgrep -x 'apt-get|apt|dpkg|unattended-upgr' >/dev/null 2>&1; do
        ((n == 0)) && echo "waiting for a running apt/dpkg to finish..."
        ((++n > 240)) && {
            echo "still busy after 20 min; going on" >&2
            break
        }
        sleep 5
    done
}

CHROME_BIN=${CHROME_BIN:-/usr/bin/chromium}
CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
wait_for_dpkg
missing=()
[[ -x $CHROME_BIN ]] || missing+=(chromium)
[[ -x $CHROMEDRIVER ]] || missing+=(chromium-driver)
_pg_find_bin >/dev/null || missing+=(postgresql-15)
command -v wrk >/dev/null || missing+=(wrk) # HTTP load in the bench smoke
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui) # exports must open in LibreOffice
command -v pdftotext >/dev/null || missing+=(poppler-utils) # the PDF tests read the text and fonts back
if ((${#missing[@]})); then
    [[ $EUID -eq 0 ]] || die "missing packages: ${missing[*]} (run as root, or apt-get install them)"
    echo "installing with apt-get: ${missing[*]}"
    _pg_apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed"
fi

components=()
cargo fmt --version >/dev/null 2>&1 || components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || components+=(clippy)
if ((${#components[@]})); then
    echo "installing rustup components: ${components[*]}"
    rustup component add "${components[@]}"
fi

HAVE_NEXTEST=0
cargo nextest --version >/dev/null 2>&1 && HAVE_NEXTEST=1

echo "rustc:        $(rustc --version)"
echo "cargo:        $(cargo --version)"
echo "rustfmt:      $(cargo fmt --version)"
echo "clippy:       $(cargo clippy --version)"
if ((HAVE_NEXTEST)); then
    echo "nextest:      $(cargo nextest --version 2>/dev/null | head -n1)"
else
    echo "nextest:      not installed; falling back to cargo test"
fi
v=$("$CHROME_BIN" --version 2>/dev/null) || die "$CHROME_BIN --version failed"
echo "chromium:     $v"
v=$("$CHROMEDRIVER" --version 2>/dev/null) || die "$CHROMEDRIVER --version failed"
echo "chromedriver: $v"
echo "postgresql:   $("$(_pg_find_bin)/postgres" --version)"

# ---------------------------------------------------------------------------
section "cargo fmt --all -- --check"
if cargo fmt --all -- --check; then
    echo "fmt: ok"
else
    echo "fmt: FAILED (run: cargo fmt --all)"
    FAILED+=("cargo fmt")
fi

# ---------------------------------------------------------------------------
section "cargo clippy --workspace --all-targets -- -D warnings"
if cargo clippy --workspace --all-targets -- -D warnings; then
    echo "clippy: ok"
else
    echo "clippy: FAILED"
    FAILED+=("cargo clippy")
fi

# ---------------------------------------------------------------------------
section "PostgreSQL (throwaway, 127.0.0.1)"
pg_test_start || die "could not start PostgreSQL"
psql "$TEST_DATABASE_URL" -XAtq -c "select version()"
echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"

section "Chromium (headless smoke check)"
smoke_dir=$(mktemp -d /tmp/congdoan-chromium.XXXXXX)
if dom=$(timeout 60 "$CHROME_BIN" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$smoke_dir" --dump-dom 'data:text/html,<p>congdoan-ok</p>' 2>"$smoke_dir.log") &&
    [[ $dom == *congdoan-ok* ]]; then
    echo "chromium headless: ok"
else
    echo "chromium headless: FAILED; its log:"
    tail -n 20 "$smoke_dir.log" || true
    FAILED+=("chromium smoke check")
fi
rm -rf "$smoke_dir" "$smoke_dir.log"

export TEST_DATABASE_URL CHROME_BIN CHROMEDRIVER
export CONGDOAN_REQUIRE_ALL_ENGINES=${CONGDOAN_REQUIRE_ALL_ENGINES:-1}
echo "CHROME_BIN=$CHROME_BIN CHROMEDRIVER=$CHROMEDRIVER CONGDOAN_REQUIRE_ALL_ENGINES=$CONGDOAN_REQUIRE_ALL_ENGINES"

# ---------------------------------------------------------------------------
# A deadline for the test steps (CONGDOAN_TEST_TIMEOUT_MIN minutes after this
# script started), so that a hung test fails with a log well inside CI's 90
# minutes. Not applied when run from a terminal: `timeout` would take the tests
# out of the terminal's process group, and Ctrl-C would not reach them.
deadline=$((START + 60 * ${CONGDOAN_TEST_TIMEOUT_MIN:-75}))
limited() {
    if [[ -t 0 ]]; then
        "$@"
        return
    fi
    local left=$((deadline - SECONDS)) rc=0
    ((left > 60)) || left=60
    timeout --kill-after=30s "${left}s" "$@" || rc=$?
    if ((rc == 124 || rc == 137)); then
        echo "test.sh: '$*' stopped by the time limit (CONGDOAN_TEST_TIMEOUT_MIN=${CONGDOAN_TEST_TIMEOUT_MIN:-75})" >&2
    fi
    return "$rc"
}
if ((HAVE_NEXTEST)); then
    # nextest does not run doc tests: run them first, so that nextest's summary
    # stays the closing line of the output.
    section "cargo test --workspace --doc"
    if ! limited cargo test --workspace --doc; then
        FAILED+=("doc tests")
    fi
    section "cargo nextest run --workspace --no-fail-fast${*:+ $*}"
    if ! limited cargo nextest run --workspace --no-fail-fast "$@"; then
        FAILED+=("cargo nextest")
    fi
else
    section "cargo test --workspace --no-fail-fast${*:+ $*}"
    if ! limited cargo test --workspace --no-fail-fast "$@"; then
        FAILED+=("cargo test")
    fi
fi

# The JSON API fuzzed by schemathesis with an administrator's and a viewer's token,
# on a fresh SQLite server with the demo data (fixed seed, bounded; see the script).
section "schemathesis (API fuzzing, SQLite)"
if ! limited bash scripts/schemathesis.sh; then
    FAILED+=("schemathesis")
fi

# The national-scale benchmark at small scale: it must run end to end (load, figures,
# search, lists) on both engines; its timings are printed, not judged (see docs/BENCHMARKS.md).
section "congdoan bench --members 20000 (smoke, SQLite and PostgreSQL)"
if ! limited cargo run --quiet -- bench --members 20000 --reps 5; then
    FAILED+=("bench smoke (sqlite)")
fi
if [[ -n ${TEST_DATABASE_URL:-} ]]; then
    bench_db="congdoan_bench_$$"
    if psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE $bench_db" &&
        ! limited cargo run --quiet -- bench --members 20000 --reps 5 \
            --database-url "${TEST_DATABASE_URL%/*}/$bench_db"; then
        FAILED+=("bench smoke (postgres)")
    fi
    psql "$TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $bench_db" || true
fi

if ((${#FAILED[@]})); then
    printf 'test.sh: FAILED after %ss: %s\n' "$((SECONDS - START))" "$(IFS=,; echo "${FAILED[*]}")"
    exit 1
fi
