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
    printf '%s\n' libpoppler-glib-dev libcairo2-dev libmagic-dev libqpdf-dev pkg-config poppler-utils zlib1g-dev libxml2-dev
}

# Packages needed by the test suite on top of the runtime ones:
#   postgresql  server binaries for the throwaway test cluster (initdb, pg_ctl)
#   qpdf        tests build/inspect fixture PDFs with it
zhtj_test_packages() {
    zhtj_run_packages
    printf '%s\n' postgresql qpdf
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
