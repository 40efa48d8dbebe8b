#!/usr/bin/env python3
"""model2vec 0.10.0 as a peer for the static-embedding tier (issue #32): StaticModel.encode
throughput on the peer harness's 512 sentences, as it runs by default, and the wall time of
distill(all-MiniLM-L6-v2, pca_dims=256).

encode: one call `model.encode(sentences)` on the 512 sentences (list order) with every default:
max_length 512, normalize from config.json (true), batch_size 1024 (so one batch), and
use_multiprocessing=True, which only starts joblib threads above multiprocessing_threshold=10000
sentences, so it does not here. Tokenization is included (HF `tokenizers` encode_batch_fast, which
runs on rayon threads, TOKENIZERS_PARALLELISM unset = on). A sample = back-to-back calls filling at
least 0.5 s; sentences/s = 512 x calls / wall. Each round takes SAMPLES samples and reports their
median. Also reported per round: the process's CPU seconds / wall (cores it actually used), and
encode(str) of each sentence alone (batch 1, per-call latency p50/p95).

Rounds are interleaved with an optional Squire command (--squire-cmd, run through the shell after
each model2vec round, its stdout kept) so the two run side by side in one sitting. Before each timed
step the script waits (at most --wait-quiet s) until the machine is < 15% busy, and records how many
cores other processes used during the step ("foreign_cores").

Run (venv from Scripts/fixtures/static-requirements.txt, model from make-static-fixtures.py):
  .build-model2vec/venv/bin/python Scripts/peers/model2vec-encode-bench.py [--rounds 3] [--no-distill]
      [--model .build-model2vec/m2v-minilm-256] [--squire-cmd '...'] [--json-out FILE]
      [--write-sentences FILE]
"""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse
import hashlib
import importlib.util
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT.parent / "shared" / "reference" / "peers"
HZ = os.sysconf("SC_CLK_TCK")


def peer_sentences():
    spec = importlib.util.spec_from_file_location("embed_bench", PEERS / "embed_bench.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert len(mod.SENTENCES) == 512
    return mod.SENTENCES, mod.SENT_SHA


def cpu_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - (v[3] + v[4]), sum(v[:8])


def busy_fraction(window=1.0):
    b0, t0 = cpu_jiffies()
    time.sleep(window)
    b1, t1 = cpu_jiffies()
    return (b1 - b0) / max(1, t1 - t0)


def wait_quiet(limit, threshold=0.15):
    t0 = time.time()
    while True:
        b = busy_fraction()
        if b < threshold or time.time() - t0 > limit:
            return {"busy_before": round(b, 3), "waited_s": round(time.time() - t0, 1)}


def own_cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Meter:
    """Wall, this process's CPU and other processes' CPU over a block."""

    def __enter__(self):
        self.b0, self.c0, self.w0 = cpu_jiffies()[0], own_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.w0
        own = own_cpu() - self.c0
        busy = (cpu_jiffies()[0] - self.b0) / HZ
        self.own_cores = own / self.wall
        self.foreign_cores = max(0.0, busy - own) / self.wall


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def machine():
    info = {"nproc": os.cpu_count(), "python": platform.python_version()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                info["cpu"] = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        pass
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            k = k.strip()
            if k in ("cpu family", "model", "stepping", "cpu MHz") and k not in info:
                info[k] = v.strip()
            if k == "model name" and "cpu" not in info:
                info["cpu"] = v.strip()
    return info


def round_encode(model, sentences, samples, min_sample_s=0.5):
    import numpy as np
    model.encode(sentences)  # warm-up
    rates = []
    with Meter() as m:
        for _ in range(samples):
            calls, t0 = 0, time.perf_counter()
            while True:
                model.encode(sentences)
                calls += 1
                dt = time.perf_counter() - t0
                if dt >= min_sample_s:
                    break
            rates.append(len(sentences) * calls / dt)
    lat = []
    for s in sentences:
        t0 = time.perf_counter()
        model.encode(s)
        lat.append((time.perf_counter() - t0) * 1e6)
    out = model.encode(sentences)
    return {
        "b512_sent_per_s": {"median": statistics.median(rates), "min": min(rates), "max": max(rates), "samples": len(rates)},
        "own_cores": round(m.own_cores, 2), "foreign_cores": round(m.foreign_cores, 3),
        "b1_us": {"p50": pct(lat, 50), "p95": pct(lat, 95), "mean": statistics.mean(lat)},
        "output_dtype": str(out.dtype), "output_shape": list(out.shape),
        "output_sha256_16": hashlib.sha256(np.ascontiguousarray(out).tobytes()).hexdigest()[:16],
    }


def time_distill(base):
    from model2vec.distill import distill
    import torch
    with Meter() as m:
        distill(model_name=base, pca_dims=256)
    return {"wall_s": round(m.wall, 2), "own_cores": round(m.own_cores, 2),
            "foreign_cores": round(m.foreign_cores, 3), "torch_threads": torch.get_num_threads()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=str(ROOT / ".build-model2vec" / "m2v-minilm-256"))
    ap.add_argument("--base", default=os.environ.get("SQUIRE_MODEL_DIR", os.path.expanduser("~/.cache/squire/models/all-MiniLM-L6-v2")))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--samples", type=int, default=7)
    ap.add_argument("--squire-cmd", default=None, help="shell command run after each model2vec round")
    ap.add_argument("--no-distill", action="store_true")
    ap.add_argument("--wait-quiet", type=float, default=120.0)
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--write-sentences", default=None, help="write the 512 sentences, one a line, and exit")
    a = ap.parse_args()

    sentences, sha = peer_sentences()
    if a.write_sentences:
        Path(a.write_sentences).write_text("\n".join(sentences) + "\n")
        return
    import model2vec
    from model2vec import StaticModel

    if not Path(a.model, "model.safetensors").exists():
        sys.exit(f"no model2vec model in {a.model}: run Scripts/fixtures/make-static-fixtures.py first")
    t0 = time.perf_counter()
    model = StaticModel.from_pretrained(a.model)
    load_s = time.perf_counter() - t0
    res = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "model2vec": model2vec.__version__,
           "model": a.model, "load_s": round(load_s, 3), "sentences": len(sentences), "sentences_sha256_16": sha,
           "tokenizers_parallelism": os.environ.get("TOKENIZERS_PARALLELISM", "(unset)"),
           "rayon_num_threads": os.environ.get("RAYON_NUM_THREADS", "(unset)"), "rounds": []}
    for r in range(a.rounds):
        q = wait_quiet(a.wait_quiet)
        rr = {"round": r + 1, "model2vec": round_encode(model, sentences, a.samples), "quiet": q}
        e = rr["model2vec"]
        print(f"round {r + 1}: model2vec encode {e['b512_sent_per_s']['median']:.0f} sent/s "
              f"[{e['b512_sent_per_s']['min']:.0f}-{e['b512_sent_per_s']['max']:.0f}], "
              f"{e['own_cores']} cores used, foreign {e['foreign_cores']}; batch 1 p50 {e['b1_us']['p50']:.0f} us",
              file=sys.stderr, flush=True)
        if a.squire_cmd:
            wait_quiet(a.wait_quiet)
            with Meter() as m:
                p = subprocess.run(a.squire_cmd, shell=True, capture_output=True, text=True, cwd=ROOT)
            rr["squire"] = {"rc": p.returncode, "stdout": p.stdout[-20000:], "stderr_tail": p.stderr[-2000:],
                            "wall_s": round(m.wall, 2), "foreign_cores": round(m.foreign_cores, 3)}
        res["rounds"].append(rr)
    meds = [rr["model2vec"]["b512_sent_per_s"]["median"] for rr in res["rounds"]]
    res["encode_sent_per_s_median_of_rounds"] = statistics.median(meds)
    res["encode_sent_per_s_range"] = [min(meds), max(meds)]
    if not a.no_distill:
        res["distill_quiet"] = wait_quiet(a.wait_quiet)
        res["distill"] = time_distill(a.base)
        print(f"distill: {res['distill']['wall_s']} s wall (foreign {res['distill']['foreign_cores']})", file=sys.stderr)
    text = json.dumps(res, indent=1)
    if a.json_out:
        Path(a.json_out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
