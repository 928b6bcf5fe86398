#!/usr/bin/env bash
# Browser (end-to-end) test of the pages: headless Chromium driven by Selenium through the
# whole e-archive journey against a real `zhtj serve` on a free loopback port, with its own
# temporary SQLite data directory. scripts/test calls this after the Swift runs.
#
#   bash Tests/e2e/run.sh
#
# Environment (all optional):
#   ZHTJ_BIN          the zhtj binary (default: .build/debug/zhtj, built if missing)
#   ZHTJ_E2E_VENV     where the Python venv with selenium lives (default: .build/e2e-venv)
#   ZHTJ_E2E_KEEP=1   keep the temp folder (data, server log, downloads) after a pass
#
# Screenshots of every step go to a folder printed at the start and at the end. Exits non-zero
# when a step fails; the server is always stopped.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../../scripts/lib.sh
. scripts/lib.sh

# fonts-wqy-microhei: a CJK font, so that the screenshots show Chinese rather than boxes.
ensure_packages chromium chromium-driver fonts-wqy-microhei

# The server binary (debug build, as the Swift tests use).
BIN="${ZHTJ_BIN:-.build/debug/zhtj}"
if [ ! -x "$BIN" ]; then
    ensure_swift_on_path
    echo "== e2e: building zhtj ==" >&2
    swift build --product zhtj
    BIN=".build/debug/zhtj"
fi
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"

# Python with selenium, in a venv of its own (Debian's python3 first: python3-venv is there).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
VENV="${ZHTJ_E2E_VENV:-.build/e2e-venv}"
if ! "$VENV/bin/python" -c 'import selenium, openpyxl' >/dev/null 2>&1; then
    if ! "$PY" -c 'import ensurepip' >/dev/null 2>&1; then ensure_packages python3-venv; fi
    echo "== e2e: creating $VENV with selenium and openpyxl ==" >&2
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check selenium "openpyxl==$ZHTJ_OPENPYXL_VERSION"
fi

WORK="$(mktemp -d /tmp/zhtj-e2e.XXXXXXXX)"
SHOTS="$WORK/screenshots"
mkdir -p "$SHOTS" "$WORK/downloads"
echo "== e2e: screenshots in $SHOTS =="

SERVER_PID=""
cleanup() {
    local rc=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ]; then
        echo "== e2e: FAILED (exit $rc); server log: $WORK/server.log; screenshots: $SHOTS ==" >&2
        tail -n 40 "$WORK/server.log" >&2 2>/dev/null || true
    elif [ -z "${ZHTJ_E2E_KEEP:-}" ]; then
        # Keep the screenshots, drop the rest.
        rm -rf "$WORK/data" "$WORK/downloads" "$WORK"/*.pdf
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

# A private SQLite database in the temp folder, whatever the caller's environment says.
unset ZHTJ_DATABASE_URL ZHTJ_INSPECTOR ZHTJ_ARCHIVE_PAGES ZHTJ_SECURE_COOKIES
export ZHTJ_DATA_DIR="$WORK/data" ZHTJ_HOST=127.0.0.1 ZHTJ_PORT="$PORT" ZHTJ_BCRYPT_COST=4 ZHTJ_LOG_LEVEL=info

"$BIN" demo >"$WORK/demo.log" 2>&1
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('$BASE/healthz', timeout=1)" >/dev/null 2>&1; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "error: zhtj serve exited" >&2; exit 1; }
    sleep 0.2
done

"$PY" scripts/make-scanned-pdf.py "$WORK/nine.pdf" 9 1 1 >/dev/null
"$PY" scripts/make-scanned-pdf.py "$WORK/first.pdf" 12 1 2 >/dev/null
"$PY" scripts/make-scanned-pdf.py "$WORK/second.pdf" 12 1 3 >/dev/null

echo "== e2e: zhtj on $BASE (pid $SERVER_PID), data in $WORK/data =="
timeout 300 "$VENV/bin/python" Tests/e2e/journey.py \
    --base "$BASE" --shots "$SHOTS" --downloads "$WORK/downloads" --work "$WORK" \
    --nine "$WORK/nine.pdf" --first "$WORK/first.pdf" --second "$WORK/second.pdf"

echo "== e2e: passed; screenshots in $SHOTS =="
