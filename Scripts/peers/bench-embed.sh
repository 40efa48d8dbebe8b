#!/usr/bin/env bash
# Squire's sentence embedding against the peers, interleaved in one sitting: for each round,
# ONNX Runtime FP32, then Squire, then sentence-transformers on torch FP32, on the peer
# harness's 512 sentences (batch 1 and batch 32, tokenization included, 2 threads).
#
# Needs the peer harness set up once (../shared/reference/peers/run_all.sh, or its venv and
# `embed_bench.py --step export`), and a release build of squire.
# Usage: ROUNDS=3 Scripts/peers/bench-embed.sh      Output: a Markdown table of medians and ratios.
#        SKIP_TORCH=1 leaves out sentence-transformers (its rounds take longest).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/squire-peers}
peers=../shared/reference/peers
python=$PEERS_DIR/venv/bin/python
[[ -x $python && -f $PEERS_DIR/onnx/minilm_fp32.onnx ]] || { echo "bench-embed: set up the peers first: bash $peers/run_all.sh" >&2; exit 2; }
[[ -f $PEERS_DIR/sentences.txt ]] || (cd $peers && $python embed_bench.py --dump-sentences > "$PEERS_DIR/sentences.txt")
swift build -c release --product squire >/dev/null
out=$(mktemp -d)
for round in $(seq 1 "$rounds"); do
    echo "bench-embed: round $round of $rounds" >&2
    (cd $peers && $python embed_bench.py --backend ort-fp32 --passes-b1 3 --passes-b32 5 2>/dev/null) > "$out/ort-$round.json"
    /usr/bin/time -f '%M' -o "$out/squire-rss-$round.txt" .build/release/squire bench \
        --input "$PEERS_DIR/sentences.txt" --batch-size 1,32 --passes 3 --json > "$out/squire-$round.json"
    if [[ ${SKIP_TORCH:-0} != 1 ]]; then
        (cd $peers && $python embed_bench.py --backend st-fp32 --passes-b1 3 --passes-b32 5 2>/dev/null) > "$out/torch-$round.json" || true
    fi
done
python3 Scripts/peers/bench-embed-summary.py "$out"
