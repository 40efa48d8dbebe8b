"""Few-shot fine-tuning of the all-MiniLM-L6-v2 body, explored in torch (issue #33 research; torch
is a research tool here, never a product dependency). Scored on a DEV split drawn from the
training data outside the sample (never the test split) unless --test.

Usage: python finetune.py --dataset banking77 --k 8 --seed 0 --recipe NAME [--epochs E] [--lr LR] ...
Prints one JSON line per epoch: {"epoch", "dev_acc", "seconds"}.
"""
import argparse, json, os, time, random
import numpy as np
import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer
from sklearn.linear_model import LogisticRegression

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.."))
DATA = os.environ.get("DATA", f"{ROOT}/../shared/data")
SAMPLES = os.environ.get("SAMPLES", f"{ROOT}/.build-fewshot/samples")
MODEL = os.path.expanduser(os.environ.get("MODEL", "~/.cache/squire/models/all-MiniLM-L6-v2"))

ap = argparse.ArgumentParser()
ap.add_argument("--dataset", default="banking77"); ap.add_argument("--k", type=int, default=8)
ap.add_argument("--seed", type=int, default=0); ap.add_argument("--recipe", default="ce")
ap.add_argument("--epochs", type=int, default=10); ap.add_argument("--lr", type=float, default=5e-5)
ap.add_argument("--head-lr", type=float, default=None); ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--smoothing", type=float, default=0.0); ap.add_argument("--scale", type=float, default=20.0)
ap.add_argument("--names", action="store_true"); ap.add_argument("--C", type=float, default=10.0)
ap.add_argument("--dev", type=int, default=2000); ap.add_argument("--test", action="store_true")
ap.add_argument("--threads", type=int, default=1); ap.add_argument("--wd", type=float, default=0.01)
ap.add_argument("--freeze", type=int, default=0, help="freeze embeddings + first N layers")
ap.add_argument("--supcon-epochs", type=int, default=0); ap.add_argument("--pk", type=int, default=4); ap.add_argument("--name-anchor", action="store_true"); ap.add_argument("--probe-names", action="store_true"); ap.add_argument("--tau", type=float, default=0.05)
a = ap.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); random.seed(a.seed); np.random.seed(a.seed)

train = [json.loads(l) for l in open(f"{SAMPLES}/{a.dataset}-k{a.k}-s{a.seed}.jsonl")]
names = json.load(open(f"{SAMPLES}/{a.dataset}-names.json"))
labels = sorted(names)
lab = {n: i for i, n in enumerate(labels)}
if a.test:
    dev = [json.loads(l) for l in open(f"{DATA}/{a.dataset}/test.jsonl")]
else:
    pool = [json.loads(l) for l in open(f"{DATA}/{a.dataset}/train.jsonl")]
    used = {r["text"] for r in train}
    pool = [r for r in pool if r["text"] not in used]
    dev = [pool[i] for i in np.random.default_rng(1000 + a.seed).permutation(len(pool))[: a.dev]]
X = [r["text"] for r in train]; y = torch.tensor([lab[r["label"]] for r in train])
if a.names:
    X += [names[n] for n in labels]; y = torch.cat([y, torch.arange(len(labels))])
Xd = [r["text"] for r in dev]; yd = np.array([lab[r["label"]] for r in dev])

tok = AutoTokenizer.from_pretrained(MODEL)
body = AutoModel.from_pretrained(MODEL)


def embed(texts, grad=False):
    b = tok(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
    with torch.set_grad_enabled(grad):
        h = body(**b).last_hidden_state
        m = b["attention_mask"].unsqueeze(-1).float()
        e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return F.normalize(e, dim=-1)


def embed_all(texts):
    body.eval()
    return torch.cat([embed(texts[i:i + 128]) for i in range(0, len(texts), 128)])


def evaluate(head):
    E = embed_all(Xd)
    with torch.no_grad():
        return float((head(E).argmax(1).numpy() == yd).mean())


C = len(labels)
t0 = time.time()


def probe_acc():
    """Dev accuracy of a logistic probe (C = a.C) on the body's current embeddings."""
    E = embed_all(X).numpy(); yy = y.numpy()
    if a.probe_names and not a.names:
        E = np.concatenate([E, embed_all([names[n] for n in labels]).numpy()]); yy = np.concatenate([yy, np.arange(len(labels))])
    m = LogisticRegression(C=a.C, max_iter=3000).fit(E, yy)
    return float((m.predict(embed_all(Xd).numpy()) == yd).mean())


if a.supcon_epochs:
    print(json.dumps({"supcon_epoch": 0, "probe_dev_acc": probe_acc()}), flush=True)
# Stage 1 (optional): supervised contrastive on the body (in-batch, same label = positive).
if a.supcon_epochs:
    opt = torch.optim.AdamW(body.parameters(), lr=a.lr, weight_decay=a.wd)
    by = {c: (y == c).nonzero().flatten().tolist() for c in range(len(labels))}
    for ep in range(a.supcon_epochs):
        body.train()
        # P labels x K examples per batch (PK sampling), so every anchor has positives.
        order = []
        for c in torch.randperm(len(labels)).tolist():
            m = by[c][:]; random.shuffle(m); order += [m[i:i + a.pk] for i in range(0, len(m), a.pk)]
        random.shuffle(order)
        per = max(1, a.batch * 4 // a.pk)
        for i in range(0, len(order), per):
            idx = torch.tensor([j for g in order[i:i + per] for j in g])
            if a.name_anchor:
                # Texts against their label names (multiple-negatives ranking both ways).
                cs = sorted(set(y[idx].tolist()))
                En = embed([names[labels[c]] for c in cs], grad=True)
                E = embed([X[j] for j in idx], grad=True)
                tgt = torch.tensor([cs.index(int(c)) for c in y[idx]])
                loss = F.cross_entropy(E @ En.T / a.tau, tgt)
                opt.zero_grad(); loss.backward(); opt.step(); continue
            E = embed([X[j] for j in idx], grad=True); yy = y[idx]
            S = E @ E.T / a.tau
            eye = torch.eye(len(idx), dtype=torch.bool)
            S = S.masked_fill(eye, -1e9)
            pos = (yy[:, None] == yy[None, :]) & ~eye
            logp = S - torch.logsumexp(S, 1, keepdim=True)
            has = pos.sum(1) > 0
            loss = -(logp * pos).sum(1)[has] / pos.sum(1)[has]
            loss = loss.mean(); opt.zero_grad(); loss.backward(); opt.step()
        print(json.dumps({"supcon_epoch": ep + 1, "probe_dev_acc": probe_acc(), "seconds": round(time.time() - t0, 1)}), flush=True)

# Head init: logistic probe on frozen (or supcon'ed) embeddings, or cosine prototypes.
E0 = embed_all(X).numpy()
if a.recipe in ("ce", "probe"):
    lr_ = LogisticRegression(C=a.C, max_iter=3000).fit(E0, y.numpy())
    head = torch.nn.Linear(E0.shape[1], C)
    head.weight.data = torch.tensor(lr_.coef_, dtype=torch.float32); head.bias.data = torch.tensor(lr_.intercept_, dtype=torch.float32)
elif a.recipe == "cos":
    P = torch.stack([torch.tensor(E0)[y == c].mean(0) for c in range(C)])
    W = torch.nn.Parameter(F.normalize(P, dim=-1))
    class Cos(torch.nn.Module):
        def __init__(s): super().__init__(); s.W = W
        def forward(s, E): return a.scale * F.normalize(E, dim=-1) @ F.normalize(s.W, dim=-1).T
    head = Cos()
print(json.dumps({"epoch": 0, "dev_acc": evaluate(head), "seconds": round(time.time() - t0, 1)}), flush=True)
if a.recipe == "probe":
    raise SystemExit
for i, layer in enumerate([body.embeddings] + list(body.encoder.layer)):
    if i <= a.freeze and a.freeze > 0:
        for p in layer.parameters(): p.requires_grad = False
params = [{"params": [p for p in body.parameters() if p.requires_grad], "lr": a.lr},
          {"params": head.parameters(), "lr": a.head_lr or a.lr}]
opt = torch.optim.AdamW(params, weight_decay=a.wd)
steps = a.epochs * ((len(X) + a.batch - 1) // a.batch); warm = int(0.1 * steps); n = 0
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (steps - s) / max(1, steps - warm)) if s >= warm else (s + 1) / max(1, warm))
for ep in range(a.epochs):
    body.train(); perm = torch.randperm(len(X))
    for i in range(0, len(X), a.batch):
        idx = perm[i:i + a.batch]
        logits = head(embed([X[j] for j in idx], grad=True))
        loss = F.cross_entropy(logits, y[idx], label_smoothing=a.smoothing)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    print(json.dumps({"epoch": ep + 1, "dev_acc": evaluate(head), "loss": round(float(loss), 4), "seconds": round(time.time() - t0, 1)}), flush=True)
