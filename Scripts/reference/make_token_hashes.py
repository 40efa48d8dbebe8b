#!/usr/bin/env python3
"""Writes Tests/SquireModelsTests/Fixtures/dataset_token_hashes.json: for every text of the
datasets in ../shared/data, HF `tokenizers` ids (all-MiniLM-L6-v2's tokenizer.json, no
truncation, no padding), folded into one FNV-1a 64-bit hash per chunk of 256 texts.

The datasets stay out of the repository; the hashes let a test check parity on all of them
and point at the chunk that differs. Rerun this script with the same `tokenizers` version to
see the texts of a failing chunk (pass --show DATASET/FILE:CHUNK).

Usage: python3 Scripts/reference/make_token_hashes.py MODEL_DIR [--show banking77/test.jsonl:3]
Made with tokenizers 0.23.3 (the version of ../shared/reference).
"""
import json
import sys
from pathlib import Path

import tokenizers
from tokenizers import Tokenizer

CHUNK = 256
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
FILES = ["banking77/train.jsonl", "banking77/test.jsonl", "snips/train.jsonl", "snips/test.jsonl",
         "sms_spam/train.jsonl", "sms_spam/test.jsonl"]


def fnv1a(data: bytes, h: int = 0xCBF29CE484222325) -> int:
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def serialize(ids):
    # The same bytes the Swift test builds: ids joined by ",", each text ended by ";".
    return (",".join(map(str, ids)) + ";").encode()


def main():
    tok = Tokenizer.from_file(str(Path(sys.argv[1]) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    if len(sys.argv) > 3 and sys.argv[2] == "--show":
        name, chunk = sys.argv[3].rsplit(":", 1)
        texts = [json.loads(l)["text"] for l in open(DATA / name, encoding="utf-8")]
        for i, t in enumerate(texts[int(chunk) * CHUNK:(int(chunk) + 1) * CHUNK]):
            print(int(chunk) * CHUNK + i, json.dumps(t, ensure_ascii=False), tok.encode(t).ids)
        return
    result = {"tokenizers": tokenizers.__version__, "chunk": CHUNK, "files": {}}
    for name in FILES:
        texts = [json.loads(l)["text"] for l in open(DATA / name, encoding="utf-8")]
        hashes = []
        for start in range(0, len(texts), CHUNK):
            h = 0xCBF29CE484222325
            for enc in tok.encode_batch(texts[start:start + CHUNK]):
                h = fnv1a(serialize(enc.ids), h)
            hashes.append(f"{h:016x}")
        result["files"][name] = {"count": len(texts), "hashes": hashes}
        print(name, len(texts), "texts")
    out = ROOT / "Tests/SquireModelsTests/Fixtures/dataset_token_hashes.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
