#!/usr/bin/env bash
# Runs the tests of Squire's concurrent paths under ThreadSanitizer (Documentation/Figures.md,
# "Thread sanitizer"): the encoder's batches on the worker threads, the cascade, the drift
# watch and closed loop, the live slot and version store, the semantic cache and its model
# wrappers, the static embedder's batches over the cores and heads on it, the frontier
# client against a loopback server, and labelling with batches in flight. Not in CI: the
# instrumented build takes 15-25 minutes on two cores. Exit 0 when every selected test
# passes with no report.
# Usage: Scripts/sanitizers/thread-sanitizer.sh [extra swift-test arguments]
set -euo pipefail
cd "$(dirname "$0")/../.."
suites='WorkerThreadsTests|MatMulTests|EmbeddingParityTests|CascadeTests|CascadeFailureTests|ShadowAndCanaryTests'
suites+='|DriftMonitorStreamTests|ClosedLoopTests|ClosedLoopFaultTests|LiveModelTests|ModelVersionsTests'
suites+='|FrontierClientTests|FrontierGeneratorTests|TeacherLabelingTests|EvalRunnerTests|BundleRaceTests'
suites+='|SemanticCacheTests|CachedModelTests|RateLimitTests|RequestDialectTests|FailedCallCostTests'
suites+='|StaticEmbedderTests|StaticHeadTests|MicrosecondTierGuideTests'
log=.build-tsan.log
# Release with debug info: the encoder tests run the real model, far too slow unoptimized.
# halt_on_error makes the first race fail the run instead of scrolling past.
# Suppressions: reports that are not races in Squire, each with its reason.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/Scripts/sanitizers/thread-sanitizer.supp" \
    swift test -c release --sanitize=thread --build-path .build-tsan --filter "$suites" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if grep -q "WARNING: ThreadSanitizer" "$log"; then
    echo "thread-sanitizer: races reported (above; the whole log is in $log)" >&2
    exit 1
fi
[ "$status" -eq 0 ] || { echo "thread-sanitizer: tests failed (exit $status)" >&2; exit "$status"; }
echo "thread-sanitizer: $(grep -Eo 'Test run with [0-9]+ tests' "$log" | tail -1 | grep -Eo '[0-9]+') tests, no race reported"
