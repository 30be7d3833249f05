#!/usr/bin/env bash
# Idempotent set-up for `make run` and `make test` on a fresh Debian machine:
# system packages, a virtual environment in .venv, the project and its development tools.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(ffmpeg espeak-ng flite libopus0 sox graphviz openssl postgresql sqlite3)

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if ! "$PYTHON" -c "import ensurepip, venv" >/dev/null 2>&1; then
    missing+=(python3-venv python3-pip)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then SUDO=sudo; else
            echo "setup: please install these Debian packages as root: ${missing[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.trainer-setup
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "setup: installing Python packages (first run takes a few minutes; log: .venv/setup.log)"
    # pip and setuptools print notices (the editable-install box) that are not problems; keep
    # them in the log and show it only when the installation fails.
    if ! { .venv/bin/python -m pip install -q --upgrade pip \
        && .venv/bin/python -m pip install -q -e '.[dev]'; } >.venv/setup.log 2>&1; then
        cat .venv/setup.log >&2
        echo "setup: installing Python packages failed (the log is above and in .venv/setup.log)" >&2
        exit 1
    fi
    echo "$wanted" > "$stamp"
fi
