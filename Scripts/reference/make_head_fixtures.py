"""Reference values for SquireModels' logistic head and calibration.

Writes Tests/SquireModelsTests/Fixtures/head_reference.json. Run once with a Python that has
numpy, scipy and scikit-learn (the versions used are recorded in the file):

    python Scripts/reference/make_head_fixtures.py

scikit-learn's LogisticRegression(solver="lbfgs") gives the coefficients, intercepts,
probabilities and iteration counts, fitted to a tight tolerance so the optimum is the
reference; the objective value is sklearn's own: mean weighted log loss plus
||W||^2 / (2 C sum(weights)). Temperature scaling has no scikit-learn function: the
reference temperature minimizes the validation negative log-likelihood by
scipy.optimize.minimize_scalar on log T. Platt scaling is scikit-learn's
CalibratedClassifierCV(method="sigmoid") fit, sklearn.calibration._sigmoid_calibration.
"""
import json
import pathlib

import numpy as np
import scipy
import scipy.optimize
import scipy.special
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.linear_model import LogisticRegression

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SquireModelsTests/Fixtures/head_reference.json"
rng = np.random.default_rng(20261123)


def blobs(n, d, k, spread, weights=None):
    centers = rng.normal(size=(k, d)) * 1.5
    classes = rng.choice(k, size=n, p=weights)
    x = centers[classes] + rng.normal(size=(n, d)) * spread
    # Float32-representable, so Swift (Float features) and sklearn see the same numbers.
    return x.astype(np.float32).astype(np.float64), classes


def objective(model, x, y, c, sample_weight):
    proba = model.predict_proba(x)
    index = np.searchsorted(model.classes_, y)
    loss = -np.log(proba[np.arange(len(y)), index])
    total = sample_weight.sum()
    return float((sample_weight * loss).sum() / total + (model.coef_ ** 2).sum() / (2 * c * total))


def case(name, x, classes, names, c, class_weight=None):
    y = np.array([names[i] for i in classes])
    model = LogisticRegression(C=c, class_weight=class_weight, tol=1e-10, max_iter=100_000)
    model.fit(x, y)
    # The same fit at scikit-learn's default tolerance, for the iteration count.
    default = LogisticRegression(C=c, class_weight=class_weight, max_iter=1000).fit(x, y)
    if class_weight == "balanced":
        counts = {label: (y == label).sum() for label in model.classes_}
        sample_weight = np.array([len(y) / (len(model.classes_) * counts[label]) for label in y])
    else:
        sample_weight = np.ones(len(y))
    return {
        "name": name,
        "features": x.tolist(),
        "labels": y.tolist(),
        "c": c,
        "class_weight": class_weight or "uniform",
        "classes": model.classes_.tolist(),
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "probabilities": model.predict_proba(x).tolist(),
        "objective": objective(model, x, y, c, sample_weight),
        "default_tolerance_iterations": int(default.n_iter_[0]),
    }


def temperature_case():
    n, k = 300, 5
    logits = rng.normal(size=(n, k)) * 3
    # Overconfident logits: labels drawn from softmax(logits / 2.5).
    p = scipy.special.softmax(logits / 2.5, axis=1)
    labels = np.array([rng.choice(k, p=row) for row in p])
    logits32 = logits.astype(np.float32).astype(np.float64)

    def nll(log_t):
        logp = scipy.special.log_softmax(logits32 / np.exp(log_t), axis=1)
        return -logp[np.arange(n), labels].mean()

    best = scipy.optimize.minimize_scalar(nll, bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
    return {"logits": logits32.tolist(), "labels": labels.tolist(), "temperature": float(np.exp(best.x)), "nll": float(best.fun)}


def platt_case():
    n = 250
    margins = rng.normal(size=n) * 4
    # Overconfident margins: labels drawn from sigmoid(margin / 3 - 0.4).
    labels = (rng.random(n) < scipy.special.expit(margins / 3 - 0.4)).astype(int)
    margins32 = margins.astype(np.float32).astype(np.float64)
    # scikit-learn's Platt fit (CalibratedClassifierCV(method="sigmoid")): p = 1 / (1 + exp(a·f + b)).
    a, b = _sigmoid_calibration(margins32, labels)
    return {"margins": margins32.tolist(), "labels": labels.tolist(), "a": float(a), "b": float(b)}


x, c4 = blobs(160, 6, 4, 1.4)
xb, cb = blobs(140, 5, 2, 1.8)
xi, ci = blobs(200, 4, 3, 1.2, weights=[0.7, 0.2, 0.1])
cases = [
    case("multinomial", x, c4, ["billing", "cancel", "refund", "shipping"], 1.0),
    case("strong_regularization", x, c4, ["billing", "cancel", "refund", "shipping"], 0.05),
    case("binary", xb, cb, ["ham", "spam"], 0.5),
    case("balanced", xi, ci, ["common", "rare", "rarest"], 2.0, "balanced"),
]
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "generator": "Scripts/reference/make_head_fixtures.py",
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "scikit-learn": sklearn.__version__},
    "logistic": cases,
    "temperature": temperature_case(),
    "platt": platt_case(),
}))
print("wrote", OUT)
