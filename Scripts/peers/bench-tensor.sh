#!/usr/bin/env bash
# Runs the SquireTensor benchmarks RUNS times (default 3) and prints each benchmark's
# median of run medians, and the ratio of Tensor.matmul throughput to raw cblas_sgemm.
# Usage: Scripts/peers/bench-tensor.sh   (from the repository root; about 4 minutes a run)
set -euo pipefail
cd "$(dirname "$0")/../../Benchmarks"
runs=${RUNS:-3}
out=$(mktemp -d)
for run in $(seq 1 "$runs"); do
    echo "bench-tensor: run $run of $runs" >&2
    swift package --allow-writing-to-package-directory benchmark --target TensorBenchmarks \
        --metric wallClock --format markdown --no-progress > "$out/run$run.md" 2>/dev/null
done
python3 ../Scripts/peers/bench-summary.py "$out"/run*.md
