"""Reference values for SquireEval's metrics and tests.

Writes Tests/SquireEvalTests/Fixtures/eval_reference.json. Run once with a Python that has
numpy, scikit-learn, scipy, torch and torchmetrics (the versions used are recorded in the file):

    python Scripts/reference/make_eval_fixtures.py

scikit-learn gives accuracy, precision/recall/F1 (per class and macro/micro/weighted),
the confusion matrix, top-k accuracy, log loss, the Brier score and the ROC figures;
torchmetrics gives the expected calibration error; scipy gives McNemar's exact test
(binomtest), the paired percentile bootstrap and percentiles. The area under the
risk-coverage curve has no scikit-learn function: it is a direct numpy transcription of
its definition (Geifman et al., 2019), with tied confidences kept together.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.stats
import sklearn
import sklearn.metrics as m
import torch
import torchmetrics
from torchmetrics.functional.classification import multiclass_calibration_error

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SquireEvalTests/Fixtures/eval_reference.json"
rng = np.random.default_rng(20261123)


def aurc(confidence, correct):
    order = np.argsort(-confidence, kind="stable")
    conf, corr = confidence[order], correct[order]
    n = len(conf)
    total, start = 0.0, 0
    while start < n:
        end = start
        while end < n and conf[end] == conf[start]:
            end += 1
        risk = 1 - corr[:end].mean()
        total += (end - start) * risk
        start = end
    return total / n


def case(name, labels, expected, probs, oos=None):
    # scikit-learn's probability metrics read columns in sorted label order.
    order = np.argsort(labels)
    labels = [labels[i] for i in order]
    probs = probs[:, order]
    predicted = [labels[i] for i in probs.argmax(axis=1)]
    union = sorted(set(expected) | set(predicted))
    p, r, f, s = m.precision_recall_fscore_support(expected, predicted, labels=union, zero_division=0)
    averages = {}
    for avg in ("macro", "micro", "weighted"):
        ap, ar, af, _ = m.precision_recall_fscore_support(expected, predicted, average=avg, zero_division=0)
        averages[avg] = {"precision": ap, "recall": ar, "f1": af}
    y_index = np.array([labels.index(e) for e in expected])
    top_k = {k: m.top_k_accuracy_score(y_index, probs, k=k, labels=list(range(len(labels)))) for k in (2, 3, 5) if k < len(labels)}
    confidence = probs.max(axis=1)
    correct = np.array([a == b for a, b in zip(expected, predicted)], dtype=float)
    ece = multiclass_calibration_error(
        torch.tensor(probs, dtype=torch.float64), torch.tensor(y_index), num_classes=len(labels), n_bins=15, norm="l1").item()
    result = {
        "name": name,
        "labels": labels,
        "expected": list(expected),
        "probabilities": probs.tolist(),
        "accuracy": m.accuracy_score(expected, predicted),
        "per_class": [{"label": l, "precision": a, "recall": b, "f1": c, "support": int(d)} for l, a, b, c, d in zip(union, p, r, f, s)],
        "averages": averages,
        "confusion_labels": union,
        "confusion": m.confusion_matrix(expected, predicted, labels=union).tolist(),
        "top_k": {str(k): v for k, v in top_k.items()},
        "log_loss": m.log_loss(expected, probs, labels=labels),
        "brier": m.brier_score_loss(expected, probs, labels=labels, scale_by_half=False) if len(labels) > 2
        else m.brier_score_loss(expected, probs[:, 1], pos_label=labels[1], scale_by_half=False),
        "ece": ece,
        "aurc": aurc(confidence, correct),
    }
    if oos is not None:
        in_scope = [i for i, l in enumerate(labels) if l != oos]
        score = 1 - probs[:, in_scope].max(axis=1)
        positive = np.array([e == oos for e in expected], dtype=int)
        fpr, tpr, _ = m.roc_curve(positive, score, drop_intermediate=False)
        result["oos"] = {
            "label": oos,
            "auroc": m.roc_auc_score(positive, score),
            "fpr_at_95_tpr": float(fpr[np.argmax(tpr >= 0.95)]),
        }
    return result


def dirichlet(n, k, alpha, sharpen_to=None):
    probs = rng.dirichlet([alpha] * k, size=n)
    if sharpen_to is not None:
        # Make the true label likelier so accuracy is realistic, then renormalize.
        probs[np.arange(n), sharpen_to] += rng.uniform(0, 1.5, size=n)
        probs /= probs.sum(axis=1, keepdims=True)
    return probs


cases = []
labels = ["billing", "card", "refund", "transfer", "other", "rare"]
truth = rng.choice(5, size=400, p=[0.35, 0.25, 0.2, 0.15, 0.05])  # "rare" never expected
cases.append(case("multiclass", labels, [labels[i] for i in truth], dirichlet(400, 6, 0.6, truth)))

labels = ["ham", "spam"]
truth = rng.choice(2, size=250, p=[0.8, 0.2])
cases.append(case("binary", labels, [labels[i] for i in truth], dirichlet(250, 2, 1.0, truth)))

labels = ["book", "play", "weather", "oos"]
truth = rng.choice(4, size=300, p=[0.3, 0.3, 0.25, 0.15])
probs = dirichlet(300, 4, 0.8, truth)
cases.append(case("out_of_scope", labels, [labels[i] for i in truth], probs, oos="oos"))

labels = ["a", "b", "c"]
truth = rng.choice(3, size=120)
probs = np.round(dirichlet(120, 3, 1.0, truth), 1)  # coarse confidences: many ties
probs[probs.sum(axis=1) == 0] = 1 / 3
probs /= probs.sum(axis=1, keepdims=True)
probs += np.arange(3) * 1e-9  # break argmax ties deterministically but keep confidences tied per row pattern
probs /= probs.sum(axis=1, keepdims=True)
cases.append(case("ties", labels, [labels[i] for i in truth], probs))

mcnemar = []
for b, c in [(0, 0), (3, 0), (5, 12), (40, 25), (1, 1), (200, 260)]:
    n = b + c
    mcnemar.append({"b": b, "c": c, "p_value": 1.0 if n == 0 else scipy.stats.binomtest(min(b, c), n, 0.5).pvalue})

# Paired bootstrap of candidate − baseline on 500 examples.
n = 500
classes = ["x", "y", "z", "w"]
truth = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
baseline = np.where(rng.uniform(size=n) < 0.80, truth, rng.choice(4, size=n))
candidate = np.where(rng.uniform(size=n) < 0.78, truth, rng.choice(4, size=n))


def macro_f1(t, p):
    return m.f1_score(t, p, average="macro", zero_division=0)


bootstrap = {"expected": [classes[i] for i in truth], "baseline": [classes[i] for i in baseline],
             "candidate": [classes[i] for i in candidate], "confidence_level": 0.95, "resamples": 10000}
for metric, fn in (("accuracy", m.accuracy_score), ("macro_f1", macro_f1)):
    result = scipy.stats.bootstrap(
        (truth, candidate, baseline), lambda t, c, b: fn(t, c) - fn(t, b), paired=True, vectorized=False,
        n_resamples=10000, confidence_level=0.95, method="percentile", rng=np.random.default_rng(7))
    bootstrap[metric] = {"difference": fn(truth, candidate) - fn(truth, baseline),
                         "lower": result.confidence_interval.low, "upper": result.confidence_interval.high}

latencies = rng.lognormal(-3, 0.6, size=137)
percentiles = {"seconds": latencies.tolist(), **{f"p{q}": float(np.percentile(latencies * 1000, q)) for q in (50, 95, 99)}}

OUT.write_text(json.dumps({
    "versions": {"numpy": np.__version__, "scikit-learn": sklearn.__version__, "scipy": scipy.__version__,
                 "torch": torch.__version__, "torchmetrics": torchmetrics.__version__},
    "cases": cases, "mcnemar": mcnemar, "bootstrap": bootstrap, "percentiles": percentiles,
}, indent=1) + "\n")
print("wrote", OUT)
