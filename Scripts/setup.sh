#!/usr/bin/env bash
# Installs what Squire needs from Debian's packages: the BLAS and LAPACK headers to
# build against, and OpenBLAS so that libblas.so.3 is the fast implementation.
# Safe to run again; it installs only what is missing.
set -euo pipefail

packages=(libblas-dev liblapack-dev libopenblas-dev)
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
