#!/usr/bin/env bash
# Classifiers on BANKING77, SNIPS and SMS spam (Documentation/Figures.md, "Classifiers"): `squire train` with
# the logistic and MLP heads on frozen all-MiniLM-L6-v2 embeddings and with the tiny
# transformer trained from scratch, each measured on the test split by `squire eval`; beside
# the logistic head, scikit-learn's LogisticRegression at the C Squire chose, fitted on the
# very same embeddings. Then LogisticHead.fit against scikit-learn's lbfgs on BANKING77,
# interleaved round by round. Needs ../shared/data, the model (Scripts/setup/fetch-model.sh) and
# scikit-learn. About 35 minutes; HEADS="logistic mlp" and ROUNDS=0 shorten it.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-heads-validation}"
rounds="${ROUNDS:-5}"
heads="${HEADS:-logistic mlp tiny-transformer}"
python="${PYTHON:-python3}"
"$python" -c "import sklearn" 2>/dev/null || { echo "needs scikit-learn: pip install scikit-learn (or set PYTHON)" >&2; exit 2; }
[ -d ../shared/data/banking77 ] || { echo "needs ../shared/data" >&2; exit 2; }
swift build -c release --product squire >/dev/null
squire=.build/release/squire
mkdir -p "$work"

json_field() { "$python" -c "import json,sys; print(json.load(sys.stdin)$1)"; }

echo "| dataset | head | chosen | test accuracy | test macro-F1 | scikit-learn LR, same C: accuracy | macro-F1 |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: |"
for dataset in banking77 snips sms_spam; do
    data="../shared/data/$dataset"
    for split in train test; do
        [ -f "$work/$dataset-$split-embeddings.jsonl" ] ||
            "$squire" embed --input "$data/$split.jsonl" --output "$work/$dataset-$split-embeddings.jsonl"
    done
    for head in $heads; do
        bundle="$work/$dataset-$head"
        "$squire" train --data "$data/train.jsonl" --head "$head" --output "$bundle" --report "$bundle.report.json" >"$bundle.log" 2>&1
        "$squire" eval --data "$data/test.jsonl" --model "$bundle" --report "$bundle.eval.json" --json >"$bundle.eval.headline.json"
        accuracy=$(json_field "['accuracy']" <"$bundle.eval.headline.json")
        macro=$(json_field "['macro_f1']" <"$bundle.eval.headline.json")
        if [ "$head" = tiny-transformer ]; then
            # The report is the refit's: the epochs chosen on the carve, run on all the data.
            chosen="$(json_field "['epochs']" <"$bundle.report.json") epochs"
        else
            chosen=$(json_field "['chosen']" <"$bundle.report.json")
        fi
        peer="| | "
        if [ "$head" = logistic ]; then
            c=${chosen#C=}
            "$python" Scripts/figures/heads-validation.py accuracy "$work/$dataset-train-embeddings.jsonl" "$data/train.jsonl" \
                "$work/$dataset-test-embeddings.jsonl" "$data/test.jsonl" "$c" >"$bundle.sklearn.json"
            peer="| $(json_field "['accuracy']" <"$bundle.sklearn.json") | $(json_field "['macro_f1']" <"$bundle.sklearn.json") |"
        fi
        printf '| %s | %s | %s | %.4f | %.4f %s\n' "$dataset" "$head" "$chosen" "$accuracy" "$macro" "$peer"
    done
done

[ "$rounds" -gt 0 ] || exit 0
echo
echo "LogisticHead.fit vs scikit-learn lbfgs on BANKING77 (10,003 x 384, 77 labels, C = 10, tol 1e-4), $rounds interleaved rounds:"
for round in $(seq "$rounds"); do
    swift_seconds=$("$squire" bench --stage fit-logistic --input "$work/banking77-train-embeddings.jsonl" \
        --labels ../shared/data/banking77/train.jsonl --c 10 --passes 1 --json | json_field "['results'][0]['fit_seconds']['p50']")
    sklearn=$("$python" Scripts/figures/heads-validation.py fit-time "$work/banking77-train-embeddings.jsonl" ../shared/data/banking77/train.jsonl 10)
    sklearn_seconds=$(echo "$sklearn" | json_field "['seconds']")
    echo "round $round: squire $swift_seconds s, scikit-learn $sklearn_seconds s ($(echo "$sklearn" | json_field "['iterations']") iterations)"
    echo "$swift_seconds $sklearn_seconds" >>"$work/fit-times.txt"
done
"$python" - "$work/fit-times.txt" "$rounds" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])][-int(sys.argv[2]):]
ratios = [s / k for s, k in rows]
print(f"median time ratio squire / scikit-learn: {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
PY
