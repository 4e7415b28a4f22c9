#!/usr/bin/env bash
# Trellis in one command. Needs only Python 3.11+ (and, for browser tests, Debian's chromium).
#
#   ./trellis.sh demo [--port 8000]   install, load the demo organisation, serve it with its worker
#   ./trellis.sh test [pytest args]   install, run the whole test suite (SQLite)
#   ./trellis.sh test --postgres      the same against PostgreSQL (DATABASE_URL, default local 'test')
#   ./trellis.sh setup                install only (the .venv folder)
#   ./trellis.sh <anything else>      the trellis command inside the environment (trellis --help)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
UV_VERSION=0.13.8
export UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1 PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }

setup() {
  local groups=("$@")
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    say "Trellis needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)."; exit 1
  fi
  if [[ ! -x .venv/bin/python ]]; then
    say "Creating the virtual environment in .venv …"
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
      if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
        rm -rf .venv && "$PYTHON" -m venv .venv
      else
        say "python3 -m venv failed: install your distribution's python3-venv package."; exit 1
      fi
    fi
  fi
  if ! .venv/bin/python -m uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
    .venv/bin/python -m pip --version >/dev/null 2>&1 || .venv/bin/python -m ensurepip -q
    .venv/bin/python -m pip install -q "uv==$UV_VERSION"
  fi
  # --inexact keeps uv itself (and the other group) in the environment.
  .venv/bin/python -m uv sync --frozen --inexact --quiet --python .venv/bin/python "${groups[@]}"
}

ensure_js_client() {
  # The JavaScript xAPI client used by the LRS round-trip tests (npm registry, locked).
  if command -v npm >/dev/null; then
    (cd tests/xapi_clients/js && npm ci --no-audit --no-fund --silent) || say "npm ci failed: the JavaScript client test will be skipped."
  else
    say "npm is not installed: the JavaScript xAPI client test will be skipped."
  fi
}

ensure_chromium() {
  command -v chromium >/dev/null && return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "Installing Debian's chromium for the browser tests …"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "chromium is not installed: the browser tests will be skipped (sudo apt-get install chromium)."
  fi
}

cmd=${1:-help}
[[ $# -gt 0 ]] && shift
case "$cmd" in
  demo)
    setup --no-dev
    exec .venv/bin/trellis demo "$@"
    ;;
  test)
    setup
    ensure_chromium
    ensure_js_client
    if [[ ${1:-} == --postgres ]]; then
      shift
      export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
      say "Running the test suite on PostgreSQL ($DATABASE_URL) …"
    else
      unset DATABASE_URL
      say "Running the test suite on SQLite …"
    fi
    export TRELLIS_DATA_DIR=${TRELLIS_DATA_DIR:-$(mktemp -d)}
    # A file database (WAL, as in production) so that concurrency tests can use several connections.
    if [[ -z ${DATABASE_URL:-} ]]; then
      export TEST_SQLITE_NAME=${TEST_SQLITE_NAME:-$TRELLIS_DATA_DIR/test.sqlite3}
    fi
    exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" -p no:cacheprovider "$@"
    ;;
  setup)
    setup
    ;;
  help|-h|--help)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    setup --no-dev
    exec .venv/bin/trellis "$cmd" "$@"
    ;;
esac
