#!/usr/bin/env bash
# What quantization costs, per dataset: trains the logistic head on frozen all-MiniLM-L6-v2
# (`squire train`, C chosen on 10% of the training split), quantizes the bundle to int8 and to
# int4 (groups of 32), and compares each with the float bundle on the test split: accuracy,
# macro-F1 and ECE (`squire eval`), label agreement and embedding cosine (`squire predict
# --embeddings`), and the encoder file's size.
# Needs ../shared/data and the model (Scripts/setup/fetch-model.sh). About 4 minutes per dataset.
# Usage: Scripts/figures/quantization-validation.sh [banking77 snips ...]   Output: a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
datasets=("${@:-banking77 snips}")
read -r -a datasets <<<"${datasets[*]}"
swift build -c release --product squire >/dev/null
squire=.build/release/squire
work=${WORK:-$(mktemp -d)}
echo "| dataset | weights | encoder file | share of float | test accuracy | macro-F1 | ECE | label agreement | mean cosine | min cosine |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for name in "${datasets[@]}"; do
    data=../shared/data/$name
    [[ -f $data/train.jsonl ]] || { echo "quantization-validation: no $data (../shared/data beside the repository)" >&2; exit 2; }
    [[ -d $work/$name-float ]] || $squire train --recipe logistic --data "$data/train.jsonl" --output "$work/$name-float" >&2
    $squire quantize --model "$work/$name-float" --bits 8 --output "$work/$name-int8" >&2
    $squire quantize --model "$work/$name-float" --bits 4 --group-size 32 --output "$work/$name-int4" >&2
    for kind in float int8 int4; do
        $squire eval --model "$work/$name-$kind" --data "$data/test.jsonl" --report "$work/$name-$kind-eval.json" >&2
        $squire predict --model "$work/$name-$kind" --input "$data/test.jsonl" --output "$work/$name-$kind-predictions.jsonl" --embeddings >&2
    done
    python3 - "$work" "$name" <<'PY'
import json, math, os, sys
work, name = sys.argv[1], sys.argv[2]
def lines(path): return [json.loads(l) for l in open(path)]
def size(kind): return os.path.getsize(f"{work}/{name}-{kind}/encoder/model.safetensors")
float_rows = lines(f"{work}/{name}-float-predictions.jsonl")
for kind, label in [("float", "float32"), ("int8", "int8"), ("int4", "int4, groups of 32")]:
    report = json.load(open(f"{work}/{name}-{kind}-eval.json"))
    m = report["metrics"]
    rows = lines(f"{work}/{name}-{kind}-predictions.jsonl")
    agree = sum(a["label"] == b["label"] for a, b in zip(float_rows, rows)) / len(rows)
    cos = []
    for a, b in zip(float_rows, rows):
        x, y = a["embedding"], b["embedding"]
        cos.append(sum(p * q for p, q in zip(x, y)) / math.sqrt(sum(p * p for p in x) * sum(q * q for q in y)))
    print(f"| {name} | {label} | {size(kind) / 1e6:.1f} MB | {size(kind) / size('float') * 100:.1f}% | {m['accuracy']:.4f} | {m['macro']['f1']:.4f} | {m['expected_calibration_error']:.4f} | {agree * 100:.2f}% | {sum(cos) / len(cos):.4f} | {min(cos):.4f} |")
PY
done
