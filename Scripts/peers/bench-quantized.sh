#!/usr/bin/env bash
# Quantized sentence embedding against float and against ONNX Runtime's dynamic int8 model
# (per-channel weights), interleaved in one sitting on the peer harness's 512 sentences
# (batch 1 and batch 32, tokenization included, 2 threads): per round ORT int8, Squire float,
# Squire int8, Squire int4 (groups of 32).
# Needs the peer harness set up once (../shared/reference/peers/run_all.sh) and the model.
# Usage: ROUNDS=3 Scripts/peers/bench-quantized.sh      Output: per-round figures and median ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
export PEERS_DIR=${PEERS_DIR:-$HOME/.cache/squire-peers}
peers=../shared/reference/peers
python=$PEERS_DIR/venv/bin/python
[[ -x $python && -f $PEERS_DIR/onnx/minilm_int8_pc.onnx ]] || { echo "bench-quantized: set up the peers first: bash $peers/run_all.sh" >&2; exit 2; }
[[ -f $PEERS_DIR/sentences.txt ]] || (cd $peers && $python embed_bench.py --dump-sentences > "$PEERS_DIR/sentences.txt")
swift build -c release --product squire >/dev/null
out=$(mktemp -d)
squire() { .build/release/squire bench --input "$PEERS_DIR/sentences.txt" --batch-size 1,32 --passes 3 --json "$@"; }
for round in $(seq 1 "$rounds"); do
    echo "bench-quantized: round $round of $rounds" >&2
    (cd $peers && $python embed_bench.py --backend ort-int8-pc --passes-b1 3 --passes-b32 5 2>/dev/null) > "$out/ort-$round.json"
    squire > "$out/float-$round.json"
    squire --bits 8 > "$out/int8-$round.json"
    squire --bits 4 --group-size 32 > "$out/int4-$round.json"
done
$python - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def squire(kind, r):
    results = json.load(open(f"{out}/{kind}-{r}.json"))["results"]
    b1 = next(x for x in results if x["batch_size"] == 1)["latency_ms"]["p50"]
    b32 = next(x for x in results if x["batch_size"] == 32)["sentences_per_second"]
    return b1, b32
def ort(r):
    d = json.load(open(f"{out}/ort-{r}.json"))
    return d["b1_p50_ms"]["median"], d["b32_sent_per_s"]["median"]
rows = {k: [] for k in ["ort-int8-pc", "float", "int8", "int4"]}
for r in range(1, rounds + 1):
    rows["ort-int8-pc"].append(ort(r))
    for kind in ["float", "int8", "int4"]:
        rows[kind].append(squire(kind, r))
    print(f"round {r}: " + ", ".join(f"{k} {v[-1][0]:.2f} ms / {v[-1][1]:.1f} per s" for k, v in rows.items()))
print("| backend | batch 1 p50 (ms) | batch 32 (sentences/s) |")
print("| --- | ---: | ---: |")
for k, v in rows.items():
    print(f"| {k} | {statistics.median(x[0] for x in v):.2f} | {statistics.median(x[1] for x in v):.1f} |")
def ratios(a, b, i): return [x[i] / y[i] for x, y in zip(rows[a], rows[b])]
for kind in ["int8", "int4"]:
    print(f"{kind} vs float: batch-32 throughput {statistics.median(ratios(kind, 'float', 1)):.2f}x "
          f"(rounds {', '.join(f'{x:.2f}' for x in ratios(kind, 'float', 1))}), batch-1 latency {statistics.median(ratios(kind, 'float', 0)):.2f}x")
    print(f"{kind} vs ONNX Runtime int8 per-channel: batch-32 throughput {statistics.median(ratios(kind, 'ort-int8-pc', 1)):.2f}x "
          f"(rounds {', '.join(f'{x:.2f}' for x in ratios(kind, 'ort-int8-pc', 1))}), batch-1 latency {statistics.median(ratios(kind, 'ort-int8-pc', 0)):.2f}x")
PY
