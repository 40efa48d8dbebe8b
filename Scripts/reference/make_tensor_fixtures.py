#!/usr/bin/env python3
"""Writes Tests/SquireTensorTests/Fixtures/tensor_reference.json: expected values for
SquireTensor's operations, computed by numpy and scipy in float64 from float32 inputs.

Usage: python3 Scripts/reference/make_tensor_fixtures.py
Needs: numpy, scipy (any recent version; these were made with numpy 2.4.6, scipy 1.17.1).

The SeededGenerator reference is a direct transcription of the published xoshiro256**
and SplitMix64 algorithms (Blackman & Vigna), independent of the Swift code.
"""
import json
from pathlib import Path

import numpy as np
import scipy
from scipy.special import erf

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def xoshiro(seed, n):
    s, m = [], seed
    for _ in range(4):
        m, v = splitmix64(m)
        s.append(v)
    rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK
    out = []
    for _ in range(n):
        out.append(rotl((s[1] * 5) & MASK, 7) * 9 & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


def f32(a):
    return np.asarray(a, dtype=np.float32)


def listed(a):
    return np.asarray(a, dtype=np.float64).tolist()


def main():
    rng = np.random.default_rng(20261123)
    x = f32(rng.normal(0, 3, size=(5, 13)))
    x[0, 0] = 40.0  # softmax must not overflow
    xd = x.astype(np.float64)
    gamma = f32(rng.normal(1, 0.2, size=13))
    beta = f32(rng.normal(0, 0.2, size=13))

    shifted = xd - xd.max(axis=1, keepdims=True)
    softmax = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    mean = xd.mean(axis=1, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=1, keepdims=True)
    layer_norm = (xd - mean) / np.sqrt(var + 1e-12) * gamma + beta
    l2 = xd / np.linalg.norm(xd, axis=1, keepdims=True)
    gelu = 0.5 * xd * (1 + erf(xd / np.sqrt(2)))

    a = f32(rng.normal(size=(6, 6)) + 6 * np.eye(6))
    b = f32(rng.normal(size=(6, 3)))
    m = f32(rng.normal(size=(6, 6)))
    spd = f32(m @ m.T + 6 * np.eye(6))
    sym = f32((m + m.T) / 2)
    rect = f32(rng.normal(size=(7, 4)))

    fixture = {
        "generator": {"seed": 42, "next": [str(v) for v in xoshiro(42, 8)],
                      "seed0_next": [str(v) for v in xoshiro(0, 4)]},
        "rows": {"x": listed(x), "gamma": listed(gamma), "beta": listed(beta),
                 "softmax": listed(softmax), "log_softmax": listed(log_softmax),
                 "layer_norm_eps_1e-12": listed(layer_norm), "l2_normalized": listed(l2), "gelu": listed(gelu),
                 "sum_axis0": listed(xd.sum(axis=0)), "sum_axis1": listed(xd.sum(axis=1)),
                 "max_axis1": listed(xd.max(axis=1)), "argmax_axis0": xd.argmax(axis=0).tolist()},
        "linalg": {"a": listed(a), "b": listed(b), "solve": listed(np.linalg.solve(a.astype(np.float64), b.astype(np.float64))),
                   "spd": listed(spd), "solve_spd": listed(np.linalg.solve(spd.astype(np.float64), b.astype(np.float64))),
                   "symmetric": listed(sym), "eigenvalues": listed(np.linalg.eigvalsh(sym.astype(np.float64))),
                   "rect": listed(rect), "singular_values": listed(np.linalg.svd(rect.astype(np.float64), compute_uv=False))},
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
    }
    out = Path(__file__).resolve().parents[2] / "Tests/SquireTensorTests/Fixtures/tensor_reference.json"
    out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
