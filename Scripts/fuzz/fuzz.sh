#!/usr/bin/env bash
# Builds libFuzzer targets with coverage and AddressSanitizer and runs them.
#
# Usage: Scripts/fuzz/fuzz.sh TARGET|all [SECONDS] [LIBFUZZER OPTION…]   (default 60 s)
#   TARGET     one of `targets` below (one Fuzz/*.swift each; its doc comment says what it checks)
#   all        every target in turn, SECONDS each; the libraries are built once, and every
#              target runs even after one fails (the exit status says whether any did)
#   SECONDS 0  build only
#   options    passed to libFuzzer, e.g. -print_final_stats=1
# Environment: FUZZ_OPTIMIZATION=-Onone (default -O) builds faster and fuzzes slower;
# FUZZ_BUILD=DIR builds and runs in DIR instead of .build-fuzz (crash inputs go there too).
#
# Squire's modules are compiled here, instrumented, as static libraries; a library is rebuilt
# only when a source of its module, a library it imports or the compiler flags changed. The
# HTTP stack SquireFrontier imports (AsyncHTTPClient, SwiftNIO, BoringSSL) is not ours to fuzz
# and takes many minutes to compile, so it comes uninstrumented from SwiftPM's release build
# (built first if need be; a no-op after `swift test -c release`).
#
# Crashing inputs are written to .build-fuzz/<target>/ as crash-* (or timeout-*, oom-*);
# rerun one with .build-fuzz/fuzz-<target> .build-fuzz/<target>/crash-…
# New inputs also go to .build-fuzz/<target>/; the committed corpus in Fuzz/corpus/<target>
# is read, never written. To minimize a corpus into a fresh folder:
#   .build-fuzz/fuzz-<target> -merge=1 NEW Fuzz/corpus/<target> .build-fuzz/<target>
set -euo pipefail
cd "$(dirname "$0")/../.."

# target → the Swift file that fuzzes it, and the library group it links.
targets=(
    safetensors tokenizer tokenizer-json vocab bundle-manifest bundle-config
    jsonl-dataset csv-dataset recorded-answers gate
    drift-budget drift-profile drift-state
    frontier-model-file openai-response anthropic-response
)
declare -A source=(
    [safetensors]=SafetensorsHeaderFuzzer [tokenizer]=TokenizerFuzzer [tokenizer-json]=TokenizerFileFuzzer
    [vocab]=VocabularyFileFuzzer [bundle-manifest]=BundleManifestFuzzer
    [bundle-config]=BundleConfigurationFuzzer [jsonl-dataset]=JSONLinesDatasetFuzzer
    [csv-dataset]=CSVDatasetFuzzer [recorded-answers]=RecordedAnswersFuzzer [gate]=GateFileFuzzer
    [drift-budget]=DriftBudgetFuzzer [drift-profile]=ReferenceProfileFuzzer
    [drift-state]=DriftMonitorStateFuzzer [frontier-model-file]=FrontierModelFileFuzzer
    [openai-response]=OpenAIResponseFuzzer [anthropic-response]=AnthropicResponseFuzzer
)
declare -A group=(
    [safetensors]=models [tokenizer]=models [tokenizer-json]=models [vocab]=models [bundle-manifest]=models
    [bundle-config]=models [jsonl-dataset]=eval [csv-dataset]=eval [recorded-answers]=eval [gate]=eval
    [drift-budget]=drift [drift-profile]=drift [drift-state]=drift
    [frontier-model-file]=frontier [openai-response]=frontier [anthropic-response]=frontier
)
usage="usage: Scripts/fuzz/fuzz.sh TARGET|all [SECONDS] [LIBFUZZER OPTION…]; targets: ${targets[*]}"
target=${1:?$usage}
seconds=${2:-60}
extra=("${@:3}")
if [[ $target == all ]]; then
    selected=("${targets[@]}")
elif [[ -v "source[$target]" ]]; then
    selected=("$target")
else
    echo "fuzz: unknown target $target; $usage" >&2
    exit 2
fi

out=${FUZZ_BUILD:-.build-fuzz}
mkdir -p "$out"
# Whole-module builds, as SwiftPM's release builds; FUZZ_OPTIMIZATION=-Onone compiles in a
# quarter of the time, for short runs that mostly replay the corpus (CI), at a fraction of
# the executions per second. Then the language settings Package.swift gives every target.
flags=("${FUZZ_OPTIMIZATION:--O}" -wmo -num-threads 2
    -parse-as-library -sanitize=fuzzer,address -swift-version 6 -package-name squire
    -enable-upcoming-feature ExistentialAny -enable-upcoming-feature InternalImportsByDefault
    -enable-upcoming-feature MemberImportVisibility -I "$out" -I Sources/CSquireBLAS)

# The flags, in a file that changes only when they do, so a change rebuilds everything.
# Named per process: two runs at once (plateau.sh on two cores) must not take each other's.
printf '%s\n' "${flags[@]}" >"$out/flags.new.$$"
if cmp -s "$out/flags.new.$$" "$out/flags"; then rm "$out/flags.new.$$"; else mv "$out/flags.new.$$" "$out/flags"; fi

# Whether $1 is missing or older than any of the other paths (files, or folders searched whole).
stale() {
    local product=$1
    shift
    [[ ! -e $product ]] || [[ -n $(find "$@" -newer "$product" -print -quit 2>/dev/null) ]]
}

# A Squire module as an instrumented static library, in dependency order: module, imports…
build() {
    local module=$1
    shift
    local imports=()
    for dependency in "$@"; do imports+=("$out/$dependency.swiftmodule"); done
    stale "$out/lib$module.a" "Sources/$module" "${imports[@]}" "$out/flags" || return 0
    echo "fuzz: building $module"
    local files=()
    # Every Swift file of the module, its subfolders' too.
    while IFS= read -r file; do files+=("$file"); done < <(find "Sources/$module" -name '*.swift' | sort)
    # swiftc adds its objects to an existing archive: one from other flags would keep objects
    # whose names this build does not reuse, and link them.
    rm -f "$out/lib$module.a"
    swiftc "${flags[@]}" ${module_flags[$module]:-} -module-name "$module" -emit-module \
        -emit-module-path "$out/$module.swiftmodule" -emit-library -static -o "$out/lib$module.a" "${files[@]}"
}

# SquireTensor's C kernels as SwiftPM builds them: a static library, and a module map for Swift.
kernels=$out/CSquireTensorKernels
flags+=(-I "$kernels")
build_kernels() {
    stale "$out/libCSquireTensorKernels.a" Sources/CSquireTensorKernels "$out/flags" || return 0
    mkdir -p "$kernels"
    printf 'module CSquireTensorKernels {\n    header "%s"\n    export *\n}\n' \
        "$PWD/Sources/CSquireTensorKernels/include/CSquireTensorKernels.h" >"$kernels/module.modulemap"
    for file in Sources/CSquireTensorKernels/*.c; do
        clang -O2 -fsanitize=fuzzer-no-link,address -I Sources/CSquireTensorKernels/include -c "$file" \
            -o "$kernels/$(basename "$file" .c).o"
    done
    ar rcs "$out/libCSquireTensorKernels.a" "$kernels"/*.o
}

# SquireFrontier's HTTP stack from SwiftPM's release build: its modules to import, its C
# modules' maps (as SwiftPM passes them when it compiles SquireFrontier), and every object of
# every package dependency in one archive, from which the linker takes only what is used.
declare -A module_flags=()
build_dependencies() {
    swift build -c release --target AsyncHTTPClient >"$out/swiftpm.log" 2>&1 || {
        cat "$out/swiftpm.log" >&2
        return 1
    }
    local bin
    bin=$(swift build -c release --show-bin-path)
    # After $out in the search path, so Squire's own modules are the instrumented ones.
    module_flags[SquireFrontier]="-I $bin/Modules"
    local map
    while read -r map; do
        module_flags[SquireFrontier]+=" -Xcc -fmodule-map-file=$map"
    done < <(grep -ho -- '-fmodule-map-file=[^" ]*' .build/release.yaml | sed 's/^-fmodule-map-file=//' | sort -u |
        grep -v '/CSquire' || true)
    local objects=()
    local folder
    for folder in "$bin"/*.build; do
        case $(basename "$folder" .build) in
            Squire* | CSquire* | *Tests | GradientCheck | LoopbackHTTPServer | *-tool) continue ;;
        esac
        while IFS= read -r -d '' object; do objects+=("$object"); done < <(find "$folder" -name '*.o' -print0)
    done
    if stale "$out/libSwiftPMDependencies.a" "${objects[@]}"; then
        rm -f "$out/libSwiftPMDependencies.a"
        # Thin (the objects stay where SwiftPM put them) and appended, not replaced: packages
        # share file names such as Errors.swift.o, which `ar r` would let overwrite each other.
        ar qcsT "$out/libSwiftPMDependencies.a" "${objects[@]}"
    fi
}

# The libraries each group links, in link order, and the extra sources its targets share.
declare -A libraries=(
    [models]="-lSquireModels -lSquireTensor -lSquireCore -lCSquireTensorKernels -lswiftSynchronization -lblas -llapack"
    [eval]="-lSquireEval -lSquireCore"
    [drift]="-lSquireDrift -lSquireCore"
    [frontier]="-lSquireFrontier -lSquireCore -lSwiftPMDependencies -lswiftSynchronization"
)
declare -A shared=([drift]=Fuzz/Support/DriftFixture.swift)
declare -A built=()
build_group() {
    [[ -v "built[$1]" ]] && return 0
    build SquireCore
    case $1 in
        models)
            build_kernels
            build SquireTensor
            build SquireModels SquireCore SquireTensor
            ;;
        eval) build SquireEval SquireCore ;;
        drift) build SquireDrift SquireCore ;;
        frontier)
            build_dependencies
            build SquireFrontier SquireCore
            ;;
    esac
    built[$1]=1
}

# Builds every selected target before running any, so `all` fails early on a build error.
for name in "${selected[@]}"; do
    build_group "${group[$name]}"
    binary=$out/fuzz-$name
    sources=("Fuzz/${source[$name]}.swift" Fuzz/Support/ScratchFolder.swift ${shared[${group[$name]}]:-})
    linked=()
    archives=()
    for library in ${libraries[${group[$name]}]}; do
        linked+=("$library")
        [[ ! -f $out/lib${library#-l}.a ]] || archives+=("$out/lib${library#-l}.a")
    done
    if stale "$binary" "${sources[@]}" "${archives[@]}" "$out/flags"; then
        echo "fuzz: linking $name"
        # shellcheck disable=SC2086 # the flags are words
        swiftc "${flags[@]}" ${module_flags[SquireFrontier]:-} -L "$out" "${linked[@]}" -lFoundation \
            -lFoundationEssentials "${sources[@]}" -o "$binary"
    fi
done
((seconds > 0)) || exit 0

# Leaks in Foundation, not in Squire, would stop every run at its first empty file.
export LSAN_OPTIONS="suppressions=$PWD/Scripts/fuzz/leaks.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
# Swift's own crash backtracer reads the crashed process's memory, which AddressSanitizer
# reports as a second crash; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
failed=()
for name in "${selected[@]}"; do
    mkdir -p "$out/$name" "Fuzz/corpus/$name"
    echo "fuzz: running $name for $seconds s"
    # -timeout: an input that takes 10 s is a hang worth reporting, not something to wait 20 minutes for.
    "$out/fuzz-$name" -max_total_time="$seconds" -max_len=4096 -timeout=10 -artifact_prefix="$out/$name/" \
        "${extra[@]}" "$out/$name" "Fuzz/corpus/$name" || failed+=("$name")
done
if ((${#failed[@]})); then
    echo "fuzz: failed: ${failed[*]} (inputs in .build-fuzz/<target>/)" >&2
    exit 1
fi
