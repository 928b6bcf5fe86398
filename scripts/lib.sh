# shellcheck shell=bash
# Shared helpers for scripts/test and scripts/run. Source it, don't execute it:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Everything here must work on a fresh Debian bookworm machine where nothing
# was installed by hand, so we check and install what we need ourselves.

# Absolute path of the repository root (the parent of scripts/).
ZHTJ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the app needs to build and run:
#   libpoppler-glib-dev, libcairo2-dev  PDF rendering (linked by the Swift code)
#   libmagic-dev                        content-type sniffing of uploads
#   libqpdf-dev                         PDF structure: encryption, repair, pages, images
#   pkg-config                          SwiftPM finds the system libraries with it
#   poppler-utils                       pdfinfo, the floor scripts/bench measures inspection against
#   zlib1g-dev                          ZIPFoundation (the .xlsx reader and writer) links zlib
#   libxml2-dev                         the .xlsx reader's XML parser (SAX, called directly)
zhtj_run_packages() {
    printf '%s\n' libpoppler-glib-dev libcairo2-dev libmagic-dev libqpdf-dev pkg-config poppler-utils zlib1g-dev libxml2-dev libsqlite3-dev
}

# Packages needed by the test suite on top of the runtime ones:
#   postgresql  server binaries for the throwaway test cluster (initdb, pg_ctl)
#   qpdf        tests build/inspect fixture PDFs with it
#   nginx-light the balancer in front of two instances (SeveralInstancesTests)
zhtj_test_packages() {
    zhtj_run_packages
    printf '%s\n' postgresql qpdf nginx-light
}

# ensure_packages PKG...
# Installs only the packages that are not installed yet. `apt-get update` runs
# at most once, and only when something is missing, so the common case (all
# present) is fast and needs no network.
ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        # `dpkg -s` also succeeds for removed-but-not-purged packages
        # ("deinstall ok config-files"), so look at the actual status line.
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0

    echo "== Installing missing Debian packages: ${missing[*]} ==" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "error: missing packages (${missing[*]}) and not root / no sudo" >&2
            return 1
        fi
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# Make sure `swift` is callable even from a non-login shell (CI) whose PATH
# lacks the toolchain; /opt/swift is where this machine's toolchain lives.
ensure_swift_on_path() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="$PATH:/opt/swift/usr/bin"
    fi
    command -v swift >/dev/null 2>&1 || {
        echo "error: swift not found on PATH (expected /opt/swift/usr/bin)" >&2
        return 1
    }
}

# ensure_test_venv
# A Python venv with openpyxl at .build/test-venv (ZHTJ_TEST_VENV overrides), for the
# spreadsheet tests: they check our reader against workbooks an independent writer made,
# and our writer's output against an independent reader. Prints the venv's python.
# openpyxl is pinned so that a new release cannot change what the fixtures look like.
ZHTJ_OPENPYXL_VERSION=3.1.5
ensure_test_venv() {
    local venv="${ZHTJ_TEST_VENV:-$ZHTJ_ROOT/.build/test-venv}"
    if ! "$venv/bin/python" -c "import openpyxl, sys; sys.exit(openpyxl.__version__ != '$ZHTJ_OPENPYXL_VERSION')" >/dev/null 2>&1; then
        local py=python3
        [ -x /usr/bin/python3 ] && py=/usr/bin/python3
        if ! "$py" -c 'import ensurepip' >/dev/null 2>&1; then ensure_packages python3-venv >&2; fi
        echo "== Creating $venv with openpyxl $ZHTJ_OPENPYXL_VERSION ==" >&2
        rm -rf "$venv"
        "$py" -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "openpyxl==$ZHTJ_OPENPYXL_VERSION" >&2
    fi
    printf '%s\n' "$venv/bin/python"
}

# ensure_schemathesis PYTHON
# schemathesis (scripts/openapi-check) in the test venv that PYTHON belongs to; prints its `st`.
# Pinned like openpyxl, so that a new release's checks cannot turn a passing contract red.
ZHTJ_SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
    local py="$1"
    local st
    st="$(dirname "$py")/st"
    if ! "$py" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$ZHTJ_SCHEMATHESIS_VERSION')" >/dev/null 2>&1; then
        echo "== Installing schemathesis $ZHTJ_SCHEMATHESIS_VERSION into the test venv ==" >&2
        "$py" -m pip install --quiet --disable-pip-version-check "schemathesis==$ZHTJ_SCHEMATHESIS_VERSION" >&2
    fi
    printf '%s\n' "$st"
}

# ---------------------------------------------------------------------------
# A throwaway PostgreSQL cluster (scripts/test, scripts/chaos): start_pg sets PG_TMP, PG_BIN,
# PG_PORT and ZHTJ_TEST_ADMIN_DATABASE_URL; stop_pg must run on exit, whatever happens.
# ---------------------------------------------------------------------------

PG_TMP=""      # temp dir holding data dir, socket dir, log and password file
PG_BIN=""      # e.g. /usr/lib/postgresql/15/bin
PG_STARTED=0

# initdb refuses to run as root, so as root we run the server tools as the
# `postgres` system user (created by the postgresql package). runuser is in
# util-linux (always present on Debian); fall back to su just in case.
as_pg() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        # cd first: our cwd (the repo) may not be readable by postgres.
        (cd / && runuser -u postgres -- "$@")
    else
        local cmd
        printf -v cmd '%q ' "$@"
        (cd / && su postgres -s /bin/sh -c "$cmd")
    fi
}

stop_pg() {
    # Runs from the EXIT trap: must never fail, and must not leave a server
    # behind even if tests failed or were interrupted.
    if [ "$PG_STARTED" = 1 ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        PG_STARTED=0
    fi
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        rm -rf "$PG_TMP"
    fi
}


free_port() {
    # Ask the kernel for a free port; there is a tiny race until postgres
    # binds it, which start_pg handles by retrying with a new port.
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    else
        # Minimal images may lack python3: a random high port, with the
        # retry loop in start_pg covering the (unlikely) collision.
        echo $((20000 + RANDOM % 40000))
    fi
}

start_pg() {
    # Highest installed major version (sort -V so 9.6 < 15 < 16).
    PG_BIN="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
        echo "error: initdb/pg_ctl not found under /usr/lib/postgresql/*/bin" >&2
        return 1
    fi

    # As root, put the cluster in /tmp explicitly: $TMPDIR might point into a
    # directory (e.g. under /root) that the postgres user cannot traverse.
    if [ "$(id -u)" -eq 0 ]; then
        PG_TMP="$(mktemp -d /tmp/zhtj-pg.XXXXXXXX)"
    else
        PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/zhtj-pg.XXXXXXXX")"
    fi
    mkdir "$PG_TMP/sock"

    # Hex password: no characters that would need escaping in the URL.
    PG_PASSWORD="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
    printf '%s\n' "$PG_PASSWORD" >"$PG_TMP/pwfile"
    chmod 600 "$PG_TMP/pwfile"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres: "$PG_TMP"
    fi

    # local (unix socket) = trust so we can administer the cluster without a
    # password; TCP = scram so the URL the tests get really exercises auth.
    as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$PG_TMP/pwfile" \
        --encoding=UTF8 --locale=C >"$PG_TMP/initdb.log" 2>&1 || {
        cat "$PG_TMP/initdb.log" >&2
        return 1
    }
    rm -f "$PG_TMP/pwfile"

    local attempt
    for attempt in 1 2 3; do
        PG_PORT="$(free_port)"
        # fsync=off: data is thrown away anyway, makes tests much faster.
        # max_connections=1000: tests run in parallel, each with its own database and pool.
        if as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_TMP/sock -c fsync=off -c max_connections=1000" \
            start >/dev/null; then
            PG_STARTED=1
            break
        fi
        echo "warning: postgres failed to start on port $PG_PORT (attempt $attempt)" >&2
        # pg_ctl may have timed out with the server still starting; make sure
        # it is down before retrying so we never leak a server.
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    done
    if [ "$PG_STARTED" != 1 ]; then
        echo "error: could not start PostgreSQL; log follows" >&2
        cat "$PG_TMP/postgres.log" >&2 || true
        return 1
    fi

    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_TMP/sock" -p "$PG_PORT" -U postgres -d postgres \
        -c 'CREATE DATABASE zhtj_test'

    export ZHTJ_TEST_ADMIN_DATABASE_URL="postgres://postgres:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres"
    echo "== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_TMP) =="
}
