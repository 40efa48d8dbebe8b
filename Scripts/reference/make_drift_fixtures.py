"""Reference values for SquireDrift's statistics.

Writes Tests/SquireDriftTests/Fixtures/drift_reference.json. Run once with a Python that has
numpy, scipy, torch and alibi-detect (versions recorded in the file):

    python Scripts/reference/make_drift_fixtures.py

scipy gives the Kolmogorov–Smirnov test (ks_2samp, exact, and the Kolmogorov limit
kstwobign for large samples), the chi-square test (chi2_contingency), the Jensen–Shannon
distance and the Wasserstein distance; alibi-detect's PyTorch MMDDrift gives the MMD²
statistic and its median-heuristic bandwidth. The population stability index is not in
scipy or alibi-detect: its values come from the numpy transcription `psi` below (quantile
bins of the reference, proportions floored at 1e-4).
"""
import json
import pathlib

import alibi_detect
import numpy as np
import scipy
import scipy.stats as st
import torch
from alibi_detect.cd import MMDDrift
from scipy.spatial.distance import jensenshannon

OUT = pathlib.Path(__file__).resolve().parents[2] / "Tests/SquireDriftTests/Fixtures/drift_reference.json"
rng = np.random.default_rng(20261123)


def psi(reference, current, bins=10):
    edges = np.unique(np.quantile(reference, np.arange(1, bins) / bins))
    def proportions(values):
        index = np.searchsorted(edges, values, side="left")  # bins (e[k-1], e[k]]
        return np.bincount(index, minlength=len(edges) + 1) / len(values)
    r = np.maximum(proportions(reference), 1e-4)
    c = np.maximum(proportions(current), 1e-4)
    return float(np.sum((c - r) * np.log(c / r)))


samples = []
for name, a, b in [
    ("same", rng.normal(0, 1, 300), rng.normal(0, 1, 200)),
    ("shifted", rng.normal(0, 1, 250), rng.normal(0.4, 1.2, 180)),
    ("ties", rng.integers(0, 6, 120).astype(float), rng.integers(1, 7, 90).astype(float)),
    ("small", rng.uniform(0, 1, 7), rng.uniform(0.3, 1.3, 5)),
    ("confidences", rng.beta(8, 2, 400), rng.beta(5, 3, 400)),
]:
    ks = st.ks_2samp(a, b, method="exact")
    samples.append({
        "name": name, "reference": a.tolist(), "current": b.tolist(),
        "ks_statistic": float(ks.statistic), "ks_p_exact": float(ks.pvalue),
        "wasserstein": float(st.wasserstein_distance(a, b)),
        "psi": psi(a, b),
    })

# Large samples: the p-value comes from the Kolmogorov limit.
a, b = rng.normal(0, 1, 3000), rng.normal(0.05, 1, 2500)
d = st.ks_2samp(a, b).statistic
en = len(a) * len(b) / (len(a) + len(b))
large = {"reference": a.tolist(), "current": b.tolist(), "ks_statistic": float(d),
         "ks_p_limit": float(st.kstwobign.sf(np.sqrt(en) * d))}

categorical = []
for name, ref, cur in [
    ("many", {"a": 120, "b": 80, "c": 40, "d": 10}, {"a": 50, "b": 70, "c": 30, "d": 25, "e": 5}),
    ("two", {"yes": 90, "no": 110}, {"yes": 70, "no": 60}),
    ("close", {"x": 300, "y": 290, "z": 310}, {"x": 101, "y": 99, "z": 100}),
]:
    keys = sorted(set(ref) | set(cur))
    table = np.array([[ref.get(k, 0) for k in keys], [cur.get(k, 0) for k in keys]])
    chi2, p, dof, _ = st.chi2_contingency(table)
    categorical.append({"name": name, "reference": ref, "current": cur, "chi2": float(chi2), "p_value": float(p), "dof": int(dof),
                        "jensen_shannon": float(jensenshannon(table[0], table[1], base=2))})

mmd = []
for name, shift in [("same", 0.0), ("shifted", 0.6)]:
    x_ref = rng.normal(0, 1, (80, 6)).astype(np.float64)
    x = (rng.normal(0, 1, (60, 6)) + shift).astype(np.float64)
    detector = MMDDrift(x_ref, backend="pytorch", p_val=0.05, n_permutations=2000, device="cpu")
    result = detector.predict(x, return_distance=True)["data"]
    sigma = float(detector._detector.kernel.sigma.detach().cpu().numpy().ravel()[0])
    mmd.append({"name": name, "reference": x_ref.tolist(), "current": x.tolist(), "mmd2": float(result["distance"]),
                "p_value": float(result["p_val"]), "sigma": sigma})

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "torch": torch.__version__, "alibi-detect": alibi_detect.__version__},
    "samples": samples, "large": large, "categorical": categorical, "mmd": mmd,
}) + "\n")
print("wrote", OUT)
