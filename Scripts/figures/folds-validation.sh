#!/usr/bin/env bash
# How Squire chooses hyperparameters (Documentation/Figures.md, "Choosing hyperparameters"): on
# BANKING77, SNIPS and SMS spam, with fold seeds 0–2,
#   - `squire train` with the default logistic head (5-fold cross-validation, one-standard-error
#     rule) and with `--selection best`, each measured on the test split by `squire eval`;
#   - beside them scikit-learn's GridSearchCV(LogisticRegression(max_iter=1000)) over the same
#     C grid, on the same embeddings and the very same folds (read from Squire's report and
#     passed as a PredefinedSplit), its refitted model scored on the same test split;
#   - the MLP head, chosen the same way;
#   - stability: every training embedding multiplied by (1 + 1e-6·z), z standard normal, noise
#     seeds 1–3, fold seed 0 — the choice must not move;
#   - time: the logistic head's selection and refit on BANKING77 against GridSearchCV(n_jobs=2)
#     with the same grid and folds, interleaved round by round.
# Needs ../shared/data, the model (Scripts/setup/fetch-model.sh) and scikit-learn
# (pip install scikit-learn==1.9.1). About 2 hours on 2 cores, most of it the MLP on BANKING77
# and SNIPS; HEADS=logistic, SEEDS=0, ROUNDS=0, DATASETS=... shorten it. Results accumulate in
# WORK/results.jsonl and are printed as Markdown tables at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-.build-folds-validation}"
seeds="${SEEDS:-0 1 2}"
rounds="${ROUNDS:-5}"
datasets="${DATASETS:-banking77 snips sms_spam}"
heads="${HEADS:-logistic mlp}"
python="${PYTHON:-python3}"
"$python" -c "import sklearn" 2>/dev/null || { echo "needs scikit-learn: pip install scikit-learn==1.9.1 (or set PYTHON)" >&2; exit 2; }
[ -d ../shared/data/banking77 ] || { echo "needs ../shared/data" >&2; exit 2; }
# SQUIRE: a squire binary to use instead of building one (a copy keeps a long run's figures
# from changing under it when the package is rebuilt meanwhile).
squire="${SQUIRE:-}"
[ -n "$squire" ] || { swift build -c release --product squire >/dev/null && squire=.build/release/squire; }
script=Scripts/figures/folds-validation.py
mkdir -p "$work"
results="$work/results.jsonl"
: >"$results"

json_field() { "$python" -c "import json,sys; print(json.load(sys.stdin)$1)"; }
record() { echo "$1" >>"$results"; }

# Trains a head on precomputed embeddings and scores it on the test split: prints the test
# accuracy and the chosen setting (which may hold spaces, so last). Arguments: dataset, output
# name, then `squire train` options.
train_and_eval() {
    local dataset=$1 name=$2
    shift 2
    local data="../shared/data/$dataset" bundle="$work/$name"
    "$squire" train --data "$data/train.jsonl" --embeddings "$work/$dataset-train-embeddings.jsonl" \
        --output "$bundle" --report "$bundle.report.json" "$@" >"$bundle.log" 2>&1
    "$squire" eval --data "$data/test.jsonl" --model "$bundle" --report "$bundle.eval-report.json" --json >"$bundle.eval.json"
    echo "$(json_field "['accuracy']" <"$bundle.eval.json") $(json_field "['chosen']" <"$bundle.report.json")"
}

for dataset in $datasets; do
    data="../shared/data/$dataset"
    for split in train test; do
        [ -f "$work/$dataset-$split-embeddings.jsonl" ] ||
            "$squire" embed --input "$data/$split.jsonl" --output "$work/$dataset-$split-embeddings.jsonl"
    done
    for seed in $seeds; do
        for head in $heads; do
            if [ "$head" = logistic ]; then
                read -r accuracy chosen < <(train_and_eval "$dataset" "$dataset-$seed-default" --seed "$seed")
                record "{\"kind\": \"default\", \"dataset\": \"$dataset\", \"seed\": $seed, \"chosen\": \"$chosen\", \"accuracy\": $accuracy}"
                read -r accuracy chosen < <(train_and_eval "$dataset" "$dataset-$seed-best" --seed "$seed" --selection best)
                record "{\"kind\": \"best\", \"dataset\": \"$dataset\", \"seed\": $seed, \"chosen\": \"$chosen\", \"accuracy\": $accuracy}"
                peer=$("$python" "$script" gridsearch "$work/$dataset-train-embeddings.jsonl" "$data/train.jsonl" \
                    "$work/$dataset-test-embeddings.jsonl" "$data/test.jsonl" "$work/$dataset-$seed-default.report.json")
                record "$(echo "$peer" | "$python" -c "import json,sys; r=json.load(sys.stdin); r.update(kind='sklearn', dataset='$dataset', seed=$seed); print(json.dumps(r))")"
            else
                read -r accuracy chosen < <(train_and_eval "$dataset" "$dataset-$seed-$head" --seed "$seed" --head "$head")
                record "{\"kind\": \"$head\", \"dataset\": \"$dataset\", \"seed\": $seed, \"chosen\": \"$chosen\", \"accuracy\": $accuracy}"
            fi
            tail -1 "$results"
        done
    done
    # Stability: last-bit noise on every training embedding must not move the default choice.
    if [[ " $heads " == *" logistic "* ]]; then
        [ -f "$work/$dataset-0-default.report.json" ] ||
            train_and_eval "$dataset" "$dataset-0-default" --seed 0 >/dev/null
        record "{\"kind\": \"stability\", \"dataset\": \"$dataset\", \"noise\": 0, \"chosen\": \"$(json_field "['chosen']" <"$work/$dataset-0-default.report.json")\"}"
        for noise in 1 2 3; do
            noisy="$work/$dataset-train-embeddings-noise$noise.jsonl"
            "$python" "$script" perturb "$work/$dataset-train-embeddings.jsonl" "$noisy" "$noise"
            "$squire" train --data "$data/train.jsonl" --embeddings "$noisy" --seed 0 \
                --output "$work/$dataset-noise$noise" --report "$work/$dataset-noise$noise.report.json" >/dev/null 2>&1
            record "{\"kind\": \"stability\", \"dataset\": \"$dataset\", \"noise\": $noise, \"chosen\": \"$(json_field "['chosen']" <"$work/$dataset-noise$noise.report.json")\"}"
            tail -1 "$results"
            rm -f "$noisy"
        done
    fi
done

# Time: Squire's selection and refit against GridSearchCV's fit (its search and refit), round
# by round, so the load of the machine falls on both alike.
if [ "$rounds" -gt 0 ]; then
    data=../shared/data/banking77
    for split in train test; do
        [ -f "$work/banking77-$split-embeddings.jsonl" ] ||
            "$squire" embed --input "$data/$split.jsonl" --output "$work/banking77-$split-embeddings.jsonl"
    done
    for round in $(seq "$rounds"); do
        "$squire" train --data "$data/train.jsonl" --embeddings "$work/banking77-train-embeddings.jsonl" \
            --output "$work/banking77-timing" --report "$work/banking77-timing.report.json" >/dev/null 2>&1
        squire_seconds=$("$python" -c "import json; r = json.load(open('$work/banking77-timing.report.json')); print(r['selection_seconds'] + r['refit_seconds'])")
        sklearn_seconds=$("$python" "$script" gridsearch "$work/banking77-train-embeddings.jsonl" "$data/train.jsonl" \
            "$work/banking77-test-embeddings.jsonl" "$data/test.jsonl" "$work/banking77-timing.report.json" |
            json_field "['seconds']")
        record "{\"kind\": \"time\", \"round\": $round, \"squire\": $squire_seconds, \"sklearn\": $sklearn_seconds}"
        tail -1 "$results"
    done
fi

echo
grep -m1 'model name' /proc/cpuinfo
"$python" "$script" summary "$results"
