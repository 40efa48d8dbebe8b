#!/usr/bin/env python3
"""Quality of the static tier against the encoder, with one and the same head.

For each dataset, reads `squire embed` outputs (train and test, static model and encoder),
fits scikit-learn's LogisticRegression(max_iter=1000) with C chosen by 5-fold stratified
GridSearchCV over Squire's default grid, and prints test accuracy for both embeddings as JSON.
A stand-in until static bundles exist (issue #32): Squire's own logistic head matches this
head within 0.1 point on the encoder's embeddings (Documentation/Figures.md, "Classifiers").

Usage: static-quality.py WORK DATASET... (WORK holds DATASET-{train,test}-{static,encoder}.jsonl)
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

GRID = [0.1, 0.3, 1, 3, 10, 30, 100]


def load(path, labels_path):
    vectors = [json.loads(line)["embedding"] for line in open(path)]
    labels = [json.loads(line)["label"] for line in open(labels_path)]
    return np.array(vectors, dtype=np.float32), np.array(labels)


def main():
    work, datasets = sys.argv[1], sys.argv[2:]
    results = {}
    for dataset in datasets:
        data = f"../shared/data/{dataset}"
        row = {}
        for kind in ("static", "encoder"):
            x, y = load(f"{work}/{dataset}-train-{kind}.jsonl", f"{data}/train.jsonl")
            xt, yt = load(f"{work}/{dataset}-test-{kind}.jsonl", f"{data}/test.jsonl")
            search = GridSearchCV(
                LogisticRegression(max_iter=1000), {"C": GRID},
                cv=StratifiedKFold(5, shuffle=True, random_state=0), n_jobs=2)
            search.fit(x, y)
            row[kind] = {"dimension": int(x.shape[1]), "C": search.best_params_["C"],
                         "test_accuracy": float((search.predict(xt) == yt).mean())}
        results[dataset] = row
        print(json.dumps({dataset: row}), flush=True)


if __name__ == "__main__":
    main()
