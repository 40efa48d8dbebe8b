"""scikit-learn beside Squire's cross-validated choice of the logistic head's C, on the same
embeddings and the very same folds.

Called by Scripts/figures/folds-validation.sh, which writes the embeddings with `squire embed`
and the folds with `squire train --report` (its "folds" field). Needs scikit-learn (1.9.1 was
used: pip install scikit-learn==1.9.1). Usage:

    python Scripts/figures/folds-validation.py gridsearch TRAIN_EMB TRAIN_DATA TEST_EMB TEST_DATA REPORT
        -> JSON: GridSearchCV(LogisticRegression(max_iter=1000), {"C": the report's grid},
           cv=the report's folds, n_jobs=2): the chosen C, every C's mean fold accuracy, the
           fit's seconds (the search and the refit), and the refitted model's test accuracy
           and macro-F1
    python Scripts/figures/folds-validation.py perturb EMB OUT SEED
        -> writes EMB with every component multiplied by (1 + 1e-6 z), z standard normal
           (numpy's default_rng(SEED)), as float32 values: the last-bit differences another
           CPU's kernels would give, a little larger
    python Scripts/figures/folds-validation.py summary RESULTS
        -> the Markdown tables of Documentation/Figures.md from the script's results file
"""
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

# heads-validation.py's loader, by path: the Scripts name files in kebab case, which `import` cannot.
_spec = importlib.util.spec_from_file_location("heads_validation", Path(__file__).with_name("heads-validation.py"))
_heads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_heads)
load = _heads.load


def grid_search(train_embeddings, train_data, test_embeddings, test_data, report_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import GridSearchCV, PredefinedSplit

    x, y = load(train_embeddings, train_data)
    xt, yt = load(test_embeddings, test_data)
    report = json.load(open(report_path))
    grid = [float(c["setting"].removeprefix("C=")) for c in report["cross_validation"]["candidates"]]
    assignments = report["folds"]["assignments"]
    if len(assignments) == 1:
        cv = PredefinedSplit(np.array(assignments[0]))
    else:
        # Repeated folds: every (repeat, fold) split, in Squire's order.
        cv = [(np.flatnonzero(np.array(a) != k), np.flatnonzero(np.array(a) == k))
              for a in assignments for k in range(max(a) + 1)]
    search = GridSearchCV(LogisticRegression(max_iter=1000), {"C": grid}, cv=cv, n_jobs=2, scoring="accuracy")
    start = time.perf_counter()
    search.fit(x, y)
    seconds = time.perf_counter() - start
    predicted = search.predict(xt)
    return {
        "c": search.best_params_["C"], "seconds": seconds,
        "means": {str(c): float(m) for c, m in zip(grid, search.cv_results_["mean_test_score"])},
        "accuracy": accuracy_score(yt, predicted), "macro_f1": f1_score(yt, predicted, average="macro"),
    }


def perturb(path, out, seed):
    rng = np.random.default_rng(seed)
    with open(path) as source, open(out, "w") as target:
        for line in source:
            row = json.loads(line)
            vector = np.array(row["embedding"], dtype=np.float64)
            noisy = (vector * (1 + 1e-6 * rng.standard_normal(vector.shape))).astype(np.float32)
            row["embedding"] = [float(v) for v in noisy]
            target.write(json.dumps(row) + "\n")


def summary(path):
    rows = [json.loads(line) for line in open(path)]
    # Timing rounds carry no dataset.
    datasets = sorted({r["dataset"] for r in rows if "dataset" in r}, key=["banking77", "snips", "sms_spam"].index)

    def pick(kind, dataset):
        return [r for r in rows if r["kind"] == kind and r["dataset"] == dataset]

    print("| dataset | seed | Squire default: C | test accuracy | Squire --selection best: C | test accuracy | GridSearchCV: C | test accuracy | MLP: chosen | test accuracy |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for dataset in datasets:
        by_seed = {}
        for kind in ("default", "best", "sklearn", "mlp"):
            for r in pick(kind, dataset):
                by_seed.setdefault(r["seed"], {})[kind] = r
        for seed in sorted(by_seed):
            s = by_seed[seed]

            def cell(kind, key, prefix=""):
                value = s.get(kind, {}).get(key)
                return "" if value is None else f"{prefix}{value:.4f}" if isinstance(value, float) and key == "accuracy" else f"{prefix}{value}"

            print(f"| {dataset} | {seed} | {cell('default', 'chosen')} | {cell('default', 'accuracy')} "
                  f"| {cell('best', 'chosen')} | {cell('best', 'accuracy')} "
                  f"| {cell('sklearn', 'c', 'C=')} | {cell('sklearn', 'accuracy')} "
                  f"| {cell('mlp', 'chosen')} | {cell('mlp', 'accuracy')} |")
    print()
    print("| dataset | Squire default, mean | GridSearchCV, mean | difference (points) | --selection best = GridSearchCV's C | MLP, mean | MLP − logistic (points) |")
    print("| --- | ---: | ---: | ---: | --- | ---: | ---: |")
    for dataset in datasets:
        def mean(kind):
            values = [r["accuracy"] for r in pick(kind, dataset)]
            return statistics.mean(values) if values else float("nan")

        same = all(b["chosen"] == f"C={float(k['c'])}" for b, k in
                   zip(sorted(pick("best", dataset), key=lambda r: r["seed"]),
                       sorted(pick("sklearn", dataset), key=lambda r: r["seed"])))
        print(f"| {dataset} | {mean('default'):.4f} | {mean('sklearn'):.4f} | {100 * (mean('default') - mean('sklearn')):+.2f} "
              f"| {'yes' if same else 'no'} | {mean('mlp'):.4f} | {100 * (mean('mlp') - mean('default')):+.2f} |")
    stability = [r for r in rows if r["kind"] == "stability"]
    if stability:
        print()
        print("| dataset | unperturbed choice | noise seed 1 | noise seed 2 | noise seed 3 | same |")
        print("| --- | --- | --- | --- | --- | --- |")
        for dataset in datasets:
            runs = {r["noise"]: r["chosen"] for r in stability if r["dataset"] == dataset}
            if not runs:
                continue
            base = runs.get(0, "")
            noisy = [runs.get(n, "") for n in (1, 2, 3)]
            print(f"| {dataset} | {base} | {' | '.join(noisy)} | {'yes' if all(c == base for c in noisy) else 'no'} |")
    timing = [r for r in rows if r["kind"] == "time"]
    if timing:
        squire = [r["squire"] for r in timing]
        peer = [r["sklearn"] for r in timing]
        ratios = ", ".join(f"{a / b:.2f}" for a, b in zip(squire, peer))
        print()
        print(f"Selecting the logistic head on BANKING77 (search and refit), {len(timing)} interleaved rounds: "
              f"Squire {', '.join(f'{v:.1f}' for v in squire)} s; GridSearchCV(n_jobs=2) "
              f"{', '.join(f'{v:.1f}' for v in peer)} s; ratio of medians "
              f"{statistics.median(squire) / statistics.median(peer):.2f} (rounds {ratios})")


def main():
    mode = sys.argv[1]
    if mode == "gridsearch":
        print(json.dumps(grid_search(*sys.argv[2:7])))
    elif mode == "perturb":
        perturb(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "summary":
        summary(sys.argv[2])


if __name__ == "__main__":
    main()
