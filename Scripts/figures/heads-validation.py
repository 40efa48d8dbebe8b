"""scikit-learn beside Squire's heads on the same frozen embeddings.

Called by Scripts/figures/heads-validation.sh, which writes the embeddings with `squire embed`.
Usage:
    python Scripts/figures/heads-validation.py accuracy TRAIN_EMB TRAIN_DATA TEST_EMB TEST_DATA C
        -> JSON: scikit-learn LogisticRegression(C) test accuracy and macro-F1
    python Scripts/figures/heads-validation.py fit-time TRAIN_EMB TRAIN_DATA C
        -> JSON: seconds of one LogisticRegression(C, tol=1e-4, max_iter=1000).fit and its n_iter_
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def load(embeddings_path, data_path):
    x = np.array([json.loads(line)["embedding"] for line in open(embeddings_path)], dtype=np.float32)
    y = np.array([json.loads(line)["label"] for line in open(data_path) if line.strip()])
    assert len(x) == len(y), (embeddings_path, data_path)
    return x, y


def main():
    mode = sys.argv[1]
    if mode == "accuracy":
        x, y = load(sys.argv[2], sys.argv[3])
        xt, yt = load(sys.argv[4], sys.argv[5])
        model = LogisticRegression(C=float(sys.argv[6]), max_iter=1000).fit(x, y)
        predicted = model.predict(xt)
        print(json.dumps({"accuracy": accuracy_score(yt, predicted), "macro_f1": f1_score(yt, predicted, average="macro"),
                          "iterations": int(model.n_iter_[0])}))
    elif mode == "fit-time":
        x, y = load(sys.argv[2], sys.argv[3])
        start = time.perf_counter()
        model = LogisticRegression(C=float(sys.argv[4]), tol=1e-4, max_iter=1000).fit(x, y)
        print(json.dumps({"seconds": time.perf_counter() - start, "iterations": int(model.n_iter_[0])}))


if __name__ == "__main__":
    main()
