#!/usr/bin/env bash
# Builds a libFuzzer target with coverage and AddressSanitizer and runs it.
# Usage: Scripts/fuzz/fuzz.sh safetensors|tokenizer [SECONDS]   (default 60)
# Crashing inputs are written to .build-fuzz/<target>/ as crash-*; rerun one with
#   .build-fuzz/fuzz-<target> .build-fuzz/<target>/crash-…
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${1:?usage: Scripts/fuzz/fuzz.sh safetensors|tokenizer [SECONDS]}
seconds=${2:-60}
case $target in
    safetensors) source=Fuzz/SafetensorsHeaderFuzzer.swift ;;
    tokenizer) source=Fuzz/TokenizerFuzzer.swift ;;
    *) echo "fuzz: unknown target $target (safetensors or tokenizer)" >&2; exit 2 ;;
esac
out=.build-fuzz
mkdir -p "$out/$target"
# The language settings Package.swift gives every target.
flags=(-O -parse-as-library -sanitize=fuzzer,address -swift-version 6 -package-name squire
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault
    -enable-upcoming-feature MemberImportVisibility -I "$out" -I Sources/CSquireBLAS)

# Squire's modules, each a static library built with the fuzzer's instrumentation.
build() {  # module, sources…
    local module=$1; shift
    swiftc "${flags[@]}" -module-name "$module" -emit-module -emit-module-path "$out/$module.swiftmodule" \
        -emit-library -static -o "$out/lib$module.a" "$@"
}
# SquireTensor's C kernels as SwiftPM builds them: a static library, and a module map for Swift.
kernels=$out/CSquireTensorKernels
mkdir -p "$kernels"
printf 'module CSquireTensorKernels {\n    header "%s"\n    export *\n}\n' \
    "$PWD/Sources/CSquireTensorKernels/include/CSquireTensorKernels.h" >"$kernels/module.modulemap"
for file in Sources/CSquireTensorKernels/*.c; do
    clang -O2 -fsanitize=fuzzer-no-link,address -I Sources/CSquireTensorKernels/include -c "$file" \
        -o "$kernels/$(basename "$file" .c).o"
done
ar rcs "$out/libCSquireTensorKernels.a" "$kernels"/*.o
flags+=(-I "$kernels")

# Every Swift file of a module, its subfolders' too.
sources() { find "Sources/$1" -name '*.swift' | sort; }
build SquireCore $(sources SquireCore)
build SquireTensor $(sources SquireTensor)
build SquireModels $(sources SquireModels)
swiftc "${flags[@]}" -L "$out" -lSquireModels -lSquireTensor -lSquireCore -lCSquireTensorKernels -lblas -llapack \
    -lFoundation -lFoundationEssentials \
    "$source" -o "$out/fuzz-$target"

echo "fuzz: running $target for $seconds s"
# New inputs go to $out/<target>; the committed seeds in Fuzz/corpus are read, never written.
"$out/fuzz-$target" -max_total_time="$seconds" -max_len=4096 -artifact_prefix="$out/$target/" \
    "$out/$target" "Fuzz/corpus/$target"
