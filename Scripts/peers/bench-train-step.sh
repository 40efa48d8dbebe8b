#!/usr/bin/env bash
# The encoder's training step (forward + backward through all-MiniLM-L6-v2, batch 32) against
# torch on 2 threads, interleaved round by round on the peer harness's 512 sentences.
# Needs the peers' venv (torch, transformers; see Scripts/peers/bench-embed.sh) and the model.
# Usage: ROUNDS=5 Scripts/peers/bench-train-step.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-5}
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/squire-peers}
python=$PEERS_DIR/venv/bin/python
model=${SQUIRE_MODEL_DIR:-$HOME/.cache/squire/models/all-MiniLM-L6-v2}
[[ -x $python ]] || { echo "bench-train-step: set up the peers first: bash ../shared/reference/peers/run_all.sh" >&2; exit 2; }
[[ -f $PEERS_DIR/sentences.txt ]] || (cd ../shared/reference/peers && $python embed_bench.py --dump-sentences > "$PEERS_DIR/sentences.txt")
swift build -c release --product squire >/dev/null
texts=$(mktemp --suffix=.jsonl)
$python -c "import json,sys; [print(json.dumps({'text': l.rstrip('\n')})) for l in open(sys.argv[1])]" "$PEERS_DIR/sentences.txt" > "$texts"
ratios=()
for round in $(seq 1 "$rounds"); do
    squire=$(.build/release/squire bench --input "$texts" --stage train-step --batch-size 32 --passes 1 --json |
        $python -c "import json,sys; print(json.load(sys.stdin)['results'][0]['sentences_per_second'])")
    torch=$($python Scripts/peers/train-step-peer.py "$model" "$texts" 32 1 2>/dev/null |
        $python -c "import json,sys; print(json.load(sys.stdin)['sentences_per_second'])")
    echo "round $round: squire $squire sentences/s, torch $torch sentences/s"
    ratios+=("$($python -c "print($squire / $torch)")")
done
$python -c "import statistics,sys; r=[float(x) for x in sys.argv[1:]]; print(f'median throughput ratio squire / torch: {statistics.median(r):.2f} (rounds: {\", \".join(f\"{x:.2f}\" for x in r)})')" "${ratios[@]}"
rm -f "$texts"
