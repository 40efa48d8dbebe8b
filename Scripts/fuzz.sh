#!/usr/bin/env bash
# Builds a libFuzzer target with coverage and AddressSanitizer and runs it.
# Usage: Scripts/fuzz.sh safetensors|tokenizer [SECONDS]   (default 60)
# Crashing inputs are written to .build-fuzz/<target>/ as crash-*; rerun one with
#   .build-fuzz/fuzz-<target> .build-fuzz/<target>/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: Scripts/fuzz.sh safetensors|tokenizer [SECONDS]}
seconds=${2:-60}
case $target in
    safetensors) source=Fuzz/SafetensorsHeaderFuzzer.swift ;;
    tokenizer) source=Fuzz/TokenizerFuzzer.swift ;;
    *) echo "fuzz: unknown target $target (safetensors or tokenizer)" >&2; exit 2 ;;
esac
out=.build-fuzz
mkdir -p "$out/$target"
flags=(-O -parse-as-library -sanitize=fuzzer,address -swift-version 6 -I "$out" -I Sources/CSquireBLAS)

# Squire's modules, each a static library built with the fuzzer's instrumentation.
build() {  # module, sources…
    local module=$1; shift
    swiftc "${flags[@]}" -module-name "$module" -emit-module -emit-module-path "$out/$module.swiftmodule" \
        -emit-library -static -o "$out/lib$module.a" "$@"
}
build SquireCore Sources/SquireCore/*.swift
build SquireTensor Sources/SquireTensor/*.swift
build SquireModels Sources/SquireModels/*.swift
swiftc "${flags[@]}" -L "$out" -lSquireModels -lSquireTensor -lSquireCore -lblas -llapack \
    "$source" -o "$out/fuzz-$target"

echo "fuzz: running $target for $seconds s"
# New inputs go to $out/<target>; the committed seeds in Fuzz/corpus are read, never written.
"$out/fuzz-$target" -max_total_time="$seconds" -max_len=4096 -artifact_prefix="$out/$target/" \
    "$out/$target" "Fuzz/corpus/$target"
