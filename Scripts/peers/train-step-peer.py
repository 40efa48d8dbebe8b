"""torch's forward + backward through all-MiniLM-L6-v2, the peer of `squire bench --stage train-step`.

Usage: python Scripts/peers/train-step-peer.py MODEL_DIR TEXTS.jsonl BATCH PASSES
Prints JSON: sentences per second over PASSES passes of consecutive batches (after one warm-up
batch), with torch on 2 threads, FP32, the batch padded to its longest text as
transformers does; loss = sum of the mean-pooled states, as Squire's bench uses.
"""
import json
import sys
import time

import torch
from transformers import AutoModel, AutoTokenizer

folder, path, batch_size, passes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(2)
texts = [json.loads(line)["text"] for line in open(path) if line.strip()]
tokenizer = AutoTokenizer.from_pretrained(folder)
model = AutoModel.from_pretrained(folder)
model.train()
# Squire's encoder has no dropout; switch torch's off too so both do the same arithmetic.
for module in model.modules():
    if isinstance(module, torch.nn.Dropout):
        module.p = 0.0
batches = [texts[i:i + batch_size] for i in range(0, len(texts), batch_size)]


def step(batch):
    inputs = tokenizer(batch, padding=True, truncation=True, max_length=256, return_tensors="pt")
    states = model(**inputs).last_hidden_state
    mask = inputs["attention_mask"].unsqueeze(-1).float()
    pooled = (states * mask).sum(1) / mask.sum(1)
    model.zero_grad(set_to_none=True)
    pooled.sum().backward()


step(batches[0])
start = time.perf_counter()
for _ in range(passes):
    for batch in batches:
        step(batch)
elapsed = time.perf_counter() - start
print(json.dumps({"sentences_per_second": len(texts) * passes / elapsed, "batch_size": batch_size, "texts": len(texts)}))
