#!/usr/bin/env python3
"""Summarizes Scripts/peers/bench-embed.sh output: per backend the median over rounds of batch-1 p50
latency and batch-32 throughput, and Squire's ratios against each peer.

Usage: bench-embed-summary.py RESULTS_DIR
"""
import glob
import json
import statistics
import sys
from pathlib import Path


def load(path):
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def main():
    out = Path(sys.argv[1])
    rows = {}
    for name in ("ort", "torch"):
        runs = [r for r in (load(p) for p in sorted(glob.glob(str(out / f"{name}-*.json")))) if r and "b32_sent_per_s" in r]
        if runs:
            rows[name] = {"b1": statistics.median(r["b1_p50_ms"]["median"] for r in runs),
                          "b32": statistics.median(r["b32_sent_per_s"]["median"] for r in runs),
                          "rss": statistics.median(r.get("peak_rss_mib", 0) for r in runs), "n": len(runs)}
    runs = [load(p) for p in sorted(glob.glob(str(out / "squire-[0-9]*.json")))]
    runs = [r for r in runs if r]
    by = lambda r, b: next(x for x in r["results"] if x["batch_size"] == b)
    rss = [int(Path(p).read_text().split()[-1]) / 1024 for p in glob.glob(str(out / "squire-rss-*.txt"))]
    rows["squire"] = {"b1": statistics.median(by(r, 1)["latency_ms"]["p50"] for r in runs),
                      "b32": statistics.median(by(r, 32)["sentences_per_second"] for r in runs),
                      "rss": statistics.median(rss) if rss else 0, "n": len(runs)}
    names = {"ort": "ONNX Runtime FP32", "torch": "sentence-transformers, torch FP32", "squire": "Squire FP32"}
    print("| backend | batch 1 p50 (ms) | batch 32 (sentences/s) | peak RSS (MiB) | rounds |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key in ("squire", "ort", "torch"):
        if key in rows:
            r = rows[key]
            print(f"| {names[key]} | {r['b1']:.2f} | {r['b32']:.1f} | {r['rss']:.0f} | {r['n']} |")
    s = rows["squire"]
    for key in ("ort", "torch"):
        if key in rows:
            print(f"\nSquire vs {names[key]}: batch-32 throughput {s['b32'] / rows[key]['b32']:.2f}x, "
                  f"batch-1 latency {s['b1'] / rows[key]['b1']:.2f}x (lower is better)")


if __name__ == "__main__":
    main()
