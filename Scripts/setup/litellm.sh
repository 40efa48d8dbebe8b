#!/usr/bin/env bash
# Installs the LiteLLM proxy for the integration tests in Tests/Integration/LiteLLM into a
# virtual environment at .build-litellm/venv (gitignored through .build-*), from the
# hash-pinned Scripts/setup/litellm-requirements.txt. Safe to run again: when the venv
# already holds exactly what the requirements file names (a stamp with the file's sha256),
# it does nothing. Override the interpreter with LITELLM_PYTHON (default python3, >= 3.10).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
requirements="$root/Scripts/setup/litellm-requirements.txt"
venv="$root/.build-litellm/venv"
stamp="$venv/.squire-requirements.sha256"
python=${LITELLM_PYTHON:-python3}

fail() { echo "litellm.sh: $*" >&2; exit 1; }

started=$(date +%s)
[[ -f "$requirements" ]] || fail "missing $requirements"
command -v "$python" >/dev/null || fail "no $python on PATH"
"$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
    || echo "litellm.sh: warning: the requirements were resolved for Python 3.11; $("$python" --version 2>&1) may miss a wheel or a marker" >&2

want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [[ -x "$venv/bin/litellm" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "litellm.sh: $venv already up to date ($("$venv/bin/python" -c 'import importlib.metadata as m; print("litellm", m.version("litellm"))'))"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "litellm.sh: creating $venv"
    mkdir -p "$(dirname "$venv")"
    "$python" -m venv "$venv" || fail "could not create a venv with $python (on Debian: apt-get install python3-venv)"
fi
rm -f "$stamp"

echo "litellm.sh: installing $(grep -c '^[A-Za-z0-9].*==' "$requirements") hash-pinned packages"
# --require-hashes: every file must match a listed sha256; --no-deps: nothing unlisted.
# PIP_FIND_LINKS is dropped so that only the index serves these files.
if ! PIP_FIND_LINKS= "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input --require-hashes --no-deps --only-binary=:all: -r "$requirements"; then
    fail "pip install failed (see above); the venv at $venv is left incomplete, run this script again"
fi
"$venv/bin/python" -m pip check >/dev/null || fail "pip check reports broken dependencies in $venv"
# No .pth file outside the ones pip and setuptools ship: the 1.82.8 compromise ran from one.
unexpected=$(find "$venv/lib" -name '*.pth' ! -name 'distutils-precedence.pth' ! -name '_virtualenv.pth' -print)
[[ -z "$unexpected" ]] || fail "unexpected .pth file(s) in the venv: $unexpected"
[[ -x "$venv/bin/litellm" ]] || fail "no litellm entry point in $venv/bin after the install"

echo "$want" > "$stamp"
elapsed=$(( $(date +%s) - started ))
echo "litellm.sh: installed $("$venv/bin/python" -c 'import importlib.metadata as m; print("litellm", m.version("litellm"))') into $venv in ${elapsed}s ($(du -sh "$venv" | cut -f1))"
