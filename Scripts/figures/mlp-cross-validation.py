"""Cross-validates MLP head recipes on training embeddings only, beside scikit-learn's LogisticRegression.

A NumPy replica of MLPHead's training (standardized inputs, one GELU hidden layer, dropout,
AdamW with decoupled weight decay, 5% linear warm-up then linear decay, gradient clipping at
norm 1, batches of 32, torch's nn.Linear initialization) used to choose MLPHead's defaults
without looking at a test split (Documentation/Figures.md, "Classifiers"). Not bit-identical to
Squire: it compares recipes, and Squire's own figures come from `squire train` / `squire eval`.

Usage (embeddings from `squire embed`, e.g. as Scripts/figures/heads-validation.sh writes them):
    python Scripts/figures/mlp-cross-validation.py TRAIN_EMB TRAIN_DATA CONFIGS_JSON [FOLDS]
CONFIGS_JSON is a list of settings, e.g.
    '[{"kind": "lr", "C": 10}, {"epochs": 30, "wd": 0.1}, {"epochs": 30, "wd": 0.1, "smooth": 0.1}]'
with keys H (hidden width), p (dropout), lr, wd, epochs, smooth (label smoothing), ensemble
(averaged seeds). Prints one JSON line per setting: mean accuracy over the stratified folds
(seed 0), each fold's, and the mean accuracy after every epoch.
"""
import importlib.util, json, sys, time
from pathlib import Path
import numpy as np
from scipy.special import erf
from sklearn.model_selection import StratifiedKFold
from sklearn.linear_model import LogisticRegression

# heads-validation.py's loader, by path: the Scripts name files in kebab case, which `import` cannot.
_spec = importlib.util.spec_from_file_location("heads_validation", Path(__file__).with_name("heads-validation.py"))
_heads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_heads)
load = _heads.load

def gelu(z): return 0.5 * z * (1 + erf(z / np.sqrt(2)))
def dgelu(z): return 0.5 * (1 + erf(z / np.sqrt(2))) + z * np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)

def fit(x, y, C, xv, H=512, p=0.5, lr=3e-4, wd=0.01, epochs=30, smooth=0.0, seed=0, bs=32, warm=0.05):
    """Trains on (x, y) and returns the logits for xv after every epoch."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    mu, sd = x.mean(0), x.std(0); sd[sd < 1e-6] = 1
    xs = (x - mu) / sd
    b = 1 / np.sqrt(d); W1 = rng.uniform(-b, b, (H, d)).astype(np.float32); b1 = rng.uniform(-b, b, H).astype(np.float32)
    b = 1 / np.sqrt(H); W2 = rng.uniform(-b, b, (C, H)).astype(np.float32); b2 = rng.uniform(-b, b, C).astype(np.float32)
    P = [W1, b1, W2, b2]; decay = [True, False, True, False]
    m = [np.zeros_like(q) for q in P]; v = [np.zeros_like(q) for q in P]
    steps_per = (n + bs - 1) // bs; total = steps_per * epochs; wsteps = max(1, int(warm * total)); t = 0
    T = np.full((C,), smooth / C, np.float32)
    hist = []
    def predict(xq):
        z = ((xq - mu) / sd) @ P[0].T + P[1]
        return gelu(z) @ P[2].T + P[3]
    for ep in range(epochs):
        order = rng.permutation(n)
        for s in range(steps_per):
            idx = order[s * bs:(s + 1) * bs]; xb = xs[idx]; yb = y[idx]; B = len(idx)
            z = xb @ P[0].T + P[1]; a = gelu(z)
            mask = (rng.random(a.shape) >= p).astype(np.float32) / (1 - p); ad = a * mask
            lo = ad @ P[2].T + P[3]; lo -= lo.max(1, keepdims=True); pr = np.exp(lo); pr /= pr.sum(1, keepdims=True)
            tgt = np.tile(T, (B, 1)); tgt[np.arange(B), yb] += 1 - smooth
            g = (pr - tgt) / B
            gW2 = g.T @ ad; gb2 = g.sum(0); ga = (g @ P[2]) * mask; gz = ga * dgelu(z)
            gW1 = gz.T @ xb; gb1 = gz.sum(0)
            G = [gW1, gb1, gW2, gb2]
            norm = np.sqrt(sum((q * q).sum() for q in G))
            if norm > 1: G = [q / norm for q in G]
            t += 1
            rate = lr * (t / wsteps if t <= wsteps else max(0.0, (total - t) / max(1, total - wsteps)))
            for i in range(4):
                m[i] = 0.9 * m[i] + 0.1 * G[i]; v[i] = 0.999 * v[i] + 0.001 * G[i] * G[i]
                mh = m[i] / (1 - 0.9 ** t); vh = v[i] / (1 - 0.999 ** t)
                if decay[i]: P[i] *= (1 - rate * wd)
                P[i] -= rate * mh / (np.sqrt(vh) + 1e-8)
        hist.append(predict(xv))
    return hist

if __name__ == "__main__":
    x, ylab = load(sys.argv[1], sys.argv[2])
    labels = sorted(set(ylab)); y = np.array([labels.index(l) for l in ylab]); C = len(labels)
    configs = json.loads(sys.argv[3])
    folds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    skf = StratifiedKFold(folds, shuffle=True, random_state=0)
    for cfg in configs:
        t0 = time.time(); accs = []; curves = []
        for k, (tr, te) in enumerate(skf.split(x, y)):
            if cfg.get("kind") == "lr":
                mdl = LogisticRegression(C=cfg["C"], max_iter=1000).fit(x[tr], y[tr]); accs.append((mdl.predict(x[te]) == y[te]).mean()); continue
            ens = cfg.get("ensemble", 1); kw = {k2: v for k2, v in cfg.items() if k2 not in ("kind", "ensemble")}
            summed = None
            for e in range(ens):
                lg = np.stack(fit(x[tr], y[tr], C, x[te], seed=e, **kw))  # epochs x n x C
                summed = lg if summed is None else summed + lg
            curve = (summed.argmax(2) == y[te][None]).mean(1); curves.append(curve); accs.append(curve[-1])
        out = {"cfg": cfg, "mean_final": float(np.mean(accs)), "folds": [round(float(a), 4) for a in accs], "sec": round(time.time() - t0)}
        if curves: out["mean_curve"] = [round(float(c), 4) for c in np.mean(curves, 0)]
        print(json.dumps(out), flush=True)
