"""PEFT (LoRA on torch) beside Squire's LoRA: the same model, the same adapter files.

The torch model is what Squire's `LoRAClassifier` computes: all-MiniLM-L6-v2 (`bert`), mean
pooling over the attention mask, L2 normalization, and a linear `classifier` — the head PEFT
saves through `modules_to_save`. Encoder dropout is off, as in Squire.

Usage (python from the peers' venv with `peft` installed):
  python Scripts/peers/peft-lora.py make-fixture MODEL_DIR OUT_DIR
      Trains a small adapter with PEFT (rank 2 on query and value, a few AdamW steps on the
      texts below) and writes OUT_DIR/adapter_config.json, adapter_model.safetensors,
      labels.json and expected.json (PEFT's logits for the texts). The Swift test
      `PEFTInteropTests` loads this adapter into Squire and compares.
  python Scripts/peers/peft-lora.py gradient-fixture MODEL_DIR ADAPTER_DIR
      Loads the adapter made by make-fixture with PEFT, takes one training step's gradients
      (cross-entropy on the texts below with every label moved to the next one, so the loss is
      large; dropout off) and writes ADAPTER_DIR/gradients.json: the loss and, per trainable
      tensor, its gradient's norm and first 8 elements. `PEFTInteropTests` compares Squire's.
  python Scripts/peers/peft-lora.py check-bundle MODEL_DIR BUNDLE_DIR SQUIRE_BINARY
      Loads the adapter of a Squire LoRA bundle (BUNDLE_DIR/adapter) with PEFT, runs it on
      the texts below, and compares its probabilities with `squire predict` on the bundle. An
      adapter whose classifier is an MLP (`classifier.layers.<i>`) loads into the MLP module below.
  python Scripts/peers/peft-lora.py accuracy MODEL_DIR TRAIN.jsonl TEST.jsonl RANK ALPHA TARGETS [EPOCHS]
      PEFT with the recipe `squire train --lora` uses: 10% of each label held out, a logistic
      regression (scikit-learn, C = 10) on the frozen embeddings as the classifier's start,
      lora_dropout 0.1, AdamW at 1e-3 (weight decay 0.01, not on biases) with 10% warm-up and
      linear decay, clipping at 1, batch 32, the epoch with the best validation loss kept
      (patience 1). Prints JSON with the test accuracy.
  python Scripts/peers/peft-lora.py accuracy MODEL_DIR TRAIN.jsonl TEST.jsonl RANK ALPHA TARGETS EPOCHS HIDDEN [SEED]
      The same with an MLP classifier (HIDDEN 0: the linear one; SEED, default 0, seeds torch,
      the held-out carve and the shuffles), as `squire train --recipe lora --hidden HIDDEN` trains it:
      Squire's MLP head (inputs standardized by the training embeddings' mean and standard
      deviation, Linear → GELU → dropout 0.5 → Linear, label smoothing 0.1) fitted first on the
      frozen embeddings (AdamW at 3e-4, weight decay 0.01, 5% warm-up, batch 32, clipping at 1,
      up to 30 epochs, the best validation loss on 10% of each label kept, patience 5) as the
      warm start, then trained with the adapters as above (label smoothing 0.1).
  python Scripts/peers/peft-lora.py epoch MODEL_DIR DATA.jsonl BATCH RANK ALPHA TARGETS
      Times one epoch of PEFT LoRA fine-tuning on DATA.jsonl (AdamW at 1e-3, lora_dropout
      0.1, 2 threads, texts tokenized per batch and padded to the batch's longest, cut at
      256 tokens). Prints JSON.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModel, AutoTokenizer

torch.set_num_threads(2)

TEXTS = [
    "I lost my card on the train this morning",
    "where is the refund for the jacket I sent back",
    "please change the delivery address to my new flat",
    "my card was stolen, block it now",
    "how long does a refund take to arrive",
    "I moved house last week and need to update my address",
    "the card machine swallowed my card",
    "can I get my money back for a cancelled order",
]
LABELS = ["card", "refund", "address", "card", "refund", "address", "card", "refund"]


class MeanPoolingClassifier(torch.nn.Module):
    def __init__(self, folder, label_count):
        super().__init__()
        self.bert = AutoModel.from_pretrained(folder, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
        self.classifier = torch.nn.Linear(self.bert.config.hidden_size, label_count)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        states = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).float()
        pooled = (states * mask).sum(1) / mask.sum(1)
        return self.classifier(F.normalize(pooled, dim=-1))


class MLPClassifier(torch.nn.Module):
    """Squire's MLPHead: (x − mean) · scale, then Linear → GELU → dropout → … → Linear."""

    def __init__(self, sizes, mean, scale, dropout):
        super().__init__()
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        # Not saved with the adapter: Squire folds the standardization into the first layer,
        # so a Squire adapter loads into zeros and ones here.
        self.register_buffer("mean", mean, persistent=False)
        self.register_buffer("scale", scale, persistent=False)
        self.dropout = torch.nn.Dropout(dropout)

    def forward(self, x):
        x = (x - self.mean) * self.scale
        for position, layer in enumerate(self.layers):
            x = layer(x)
            if position < len(self.layers) - 1:
                x = self.dropout(F.gelu(x))
        return x


def adamw(named, lr):
    """AdamW with weight decay 0.01 on everything but biases, as Squire's trainer."""
    return torch.optim.AdamW([
        {"params": [p for n, p in named if not n.endswith("bias")], "weight_decay": 0.01},
        {"params": [p for n, p in named if n.endswith("bias")], "weight_decay": 0.0},
    ], lr=lr)


def linear_schedule(optimizer, steps, warmup_fraction):
    warmup = int(warmup_fraction * steps)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: (step + 1) / max(1, warmup) if step < warmup else max(0.0, (steps - step) / max(1, steps - warmup)))


def fit_mlp(features, targets, hidden, label_count, seed=0):
    """Squire's `MLPHead.fit` defaults on frozen features: the warm start of the MLP classifier."""
    import copy
    import random
    torch.manual_seed(seed)
    mean = features.mean(0)
    std = features.std(0, unbiased=False)
    scale = torch.where(std > 1e-6, 1 / std, torch.ones_like(std))
    head = MLPClassifier([features.shape[1], hidden, label_count], mean, scale, 0.5)
    by_label = {}
    for position, target in enumerate(targets.tolist()):
        by_label.setdefault(target, []).append(position)
    generator = random.Random(seed)
    held = set()
    for positions in by_label.values():
        generator.shuffle(positions)
        held.update(positions[:max(1, round(0.1 * len(positions)))])
    train = [i for i in range(len(targets)) if i not in held]
    valid = sorted(held)
    named = list(head.named_parameters())
    optimizer = adamw(named, 3e-4)
    schedule = linear_schedule(optimizer, 30 * ((len(train) + 31) // 32), 0.05)
    best, best_loss, waited = None, float("inf"), 0
    for epoch in range(30):
        head.train()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(seed + epoch)).tolist()
        for first in range(0, len(train), 32):
            batch = [train[i] for i in order[first:first + 32]]
            loss = F.cross_entropy(head(features[batch]), targets[batch], label_smoothing=0.1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            optimizer.step()
            schedule.step()
        head.eval()
        with torch.no_grad():
            validation_loss = F.cross_entropy(head(features[valid]), targets[valid]).item()
        if validation_loss < best_loss:
            best, best_loss, waited = copy.deepcopy(head.state_dict()), validation_loss, 0
        else:
            waited += 1
            if waited >= 5:
                break
    head.load_state_dict(best)
    return head


def encode(tokenizer, texts):
    inputs = tokenizer(texts, padding=True, truncation=True, max_length=256, return_tensors="pt")
    return {"input_ids": inputs["input_ids"], "attention_mask": inputs["attention_mask"]}


def make_fixture(folder, out):
    torch.manual_seed(0)
    labels = sorted(set(LABELS))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = LoraConfig(r=2, lora_alpha=4, lora_dropout=0.0, target_modules=["query", "value"], modules_to_save=["classifier"])
    model = get_peft_model(MeanPoolingClassifier(folder, len(labels)), config)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    inputs = encode(tokenizer, TEXTS)
    targets = torch.tensor([labels.index(label) for label in LABELS])
    model.train()
    for _ in range(30):
        loss = F.cross_entropy(model(**inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)
    with torch.no_grad():
        logits = model(**inputs)
    json.dump(labels, open(os.path.join(out, "labels.json"), "w"))
    json.dump({"texts": TEXTS, "logits": logits.tolist(), "peft": __import__("peft").__version__}, open(os.path.join(out, "expected.json"), "w"), indent=1)
    print(f"wrote {out}: final training loss {loss.item():.4f}")


def gradient_fixture(folder, adapter):
    labels = json.load(open(os.path.join(adapter, "labels.json")))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = PeftModel.from_pretrained(MeanPoolingClassifier(folder, len(labels)), adapter, is_trainable=True)
    model.train()
    targets = torch.tensor([(labels.index(label) + 1) % len(labels) for label in LABELS])
    loss = F.cross_entropy(model(**encode(tokenizer, TEXTS)), targets)
    loss.backward()
    tensors = {}
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            key = name.replace("base_model.model.", "").replace("bert.", "").replace(".default", "").replace("modules_to_save.", "")
            tensors[key] = {"norm": parameter.grad.norm().item(), "first": parameter.grad.flatten()[:8].tolist()}
    json.dump({"loss": loss.item(), "targets": targets.tolist(), "gradients": tensors}, open(os.path.join(adapter, "gradients.json"), "w"), indent=1)
    print(f"wrote {adapter}/gradients.json: loss {loss.item():.4f}, {len(tensors)} tensors")


def check_bundle(folder, bundle, squire):
    labels = json.load(open(os.path.join(bundle, "labels.json")))
    calibration = json.load(open(os.path.join(bundle, "config.json")))["calibration"]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    base = MeanPoolingClassifier(folder, len(labels))
    from safetensors import safe_open
    with safe_open(os.path.join(bundle, "adapter", "adapter_model.safetensors"), "pt") as weights:
        layers = sorted((int(key.split(".")[-2]), weights.get_slice(key).get_shape())
                        for key in weights.keys() if ".classifier.layers." in key and key.endswith(".weight"))
    if layers:
        # An MLP classifier: Linear → GELU → … → Linear, the standardization already folded in.
        sizes = [layers[0][1][1]] + [shape[0] for _, shape in layers]
        base.classifier = MLPClassifier(sizes, torch.zeros(sizes[0]), torch.ones(sizes[0]), 0.0)
    model = PeftModel.from_pretrained(base, os.path.join(bundle, "adapter"))
    model.eval()
    with torch.no_grad():
        logits = model(**encode(tokenizer, TEXTS))
    if calibration.get("method") == "temperature":
        logits = logits / calibration["temperature"]
    elif calibration.get("method", "none") != "none":
        sys.exit(f"check-bundle compares temperature-calibrated or uncalibrated bundles, not {calibration}")
    peft_probabilities = torch.softmax(logits, dim=-1)
    with tempfile.TemporaryDirectory() as work:
        texts = os.path.join(work, "texts.jsonl")
        with open(texts, "w") as f:
            for text in TEXTS:
                f.write(json.dumps({"text": text}) + "\n")
        predictions = os.path.join(work, "predictions.jsonl")
        subprocess.run([squire, "predict", "--model", bundle, "--input", texts, "--output", predictions], check=True)
        rows = [json.loads(line) for line in open(predictions)]
    squire_probabilities = torch.tensor([[row["probabilities"][label] for label in labels] for row in rows])
    worst = (squire_probabilities - peft_probabilities).abs().max().item()
    agree = sum(int(a == b) for a, b in zip(squire_probabilities.argmax(1).tolist(), peft_probabilities.argmax(1).tolist()))
    print(json.dumps({"texts": len(TEXTS), "worst_probability_difference": worst, "same_label": agree}))
    if worst > 1e-4 or agree != len(TEXTS):
        sys.exit("PEFT and Squire disagree on the Squire adapter")


def epoch(folder, data, batch_size, rank, alpha, targets):
    rows = [json.loads(line) for line in open(data) if line.strip()]
    labels = sorted({row["label"] for row in rows})
    tokenizer = AutoTokenizer.from_pretrained(folder)
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.1, target_modules=targets, modules_to_save=["classifier"])
    model = get_peft_model(MeanPoolingClassifier(folder, len(labels)), config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3, weight_decay=0.01)
    order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(0)).tolist()
    model.train()
    start = time.perf_counter()
    for first in range(0, len(rows), batch_size):
        batch = [rows[i] for i in order[first:first + batch_size]]
        logits = model(**encode(tokenizer, [row["text"] for row in batch]))
        loss = F.cross_entropy(logits, torch.tensor([labels.index(row["label"]) for row in batch]))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"epoch_seconds": elapsed, "examples": len(rows), "batch_size": batch_size, "trainable_parameters": trainable}))


def accuracy(folder, train_path, test_path, rank, alpha, targets, epochs=4, hidden=None, seed=0):
    import copy
    import random
    from sklearn.linear_model import LogisticRegression
    rows = [json.loads(line) for line in open(train_path) if line.strip()]
    test = [json.loads(line) for line in open(test_path) if line.strip()]
    labels = sorted({row["label"] for row in rows})
    index = {label: i for i, label in enumerate(labels)}
    torch.manual_seed(seed)
    generator = random.Random(seed)
    by_label = {}
    for position, row in enumerate(rows):
        by_label.setdefault(row["label"], []).append(position)
    held = set()
    for positions in by_label.values():
        generator.shuffle(positions)
        held.update(positions[:max(1, round(0.1 * len(positions)))])
    train = [rows[i] for i in range(len(rows)) if i not in held]
    validation = [rows[i] for i in sorted(held)]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    base = MeanPoolingClassifier(folder, len(labels))
    base.eval()

    def logits_of(model, texts):
        out = []
        with torch.no_grad():
            for first in range(0, len(texts), 64):
                out.append(model(**encode(tokenizer, texts[first:first + 64])))
        return torch.cat(out)

    # Warm start: a linear probe, or an MLP head, on the frozen normalized embeddings.
    base.classifier = torch.nn.Identity()
    features = logits_of(base, [row["text"] for row in train])
    train_targets = torch.tensor([index[row["label"]] for row in train])
    if hidden:
        base.classifier = fit_mlp(features, train_targets, hidden, len(labels), seed)
    else:
        probe = LogisticRegression(C=10, max_iter=1000).fit(features.numpy(), train_targets.numpy())
        base.classifier = torch.nn.Linear(features.shape[1], len(labels))
        with torch.no_grad():
            base.classifier.weight.copy_(torch.tensor(probe.coef_, dtype=torch.float32))
            base.classifier.bias.copy_(torch.tensor(probe.intercept_, dtype=torch.float32))
    smoothing = 0.1 if hidden else 0.0
    config = LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=0.1, target_modules=targets, modules_to_save=["classifier"])
    model = get_peft_model(base, config)
    trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    optimizer = adamw(trainable, 1e-3)
    schedule = linear_schedule(optimizer, epochs * ((len(train) + 31) // 32), 0.1)
    validation_targets = torch.tensor([index[row["label"]] for row in validation])
    best, best_loss, history = None, float("inf"), []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(1000 * seed + epoch)).tolist()
        for first in range(0, len(train), 32):
            batch = [train[i] for i in order[first:first + 32]]
            loss = F.cross_entropy(
                model(**encode(tokenizer, [row["text"] for row in batch])),
                torch.tensor([index[row["label"]] for row in batch]), label_smoothing=smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for _, p in trainable], 1.0)
            optimizer.step()
            schedule.step()
        model.eval()
        logits = logits_of(model, [row["text"] for row in validation])
        validation_loss = F.cross_entropy(logits, validation_targets).item()
        history.append({"epoch": epoch, "validation_loss": validation_loss,
                        "validation_accuracy": (logits.argmax(1) == validation_targets).float().mean().item()})
        print(json.dumps(history[-1]), file=sys.stderr)
        if validation_loss < best_loss:
            best, best_loss = copy.deepcopy({n: p.detach().clone() for n, p in trainable}), validation_loss
        elif epoch >= 2 and validation_loss >= best_loss:
            break
    with torch.no_grad():
        for name, p in trainable:
            p.copy_(best[name])
    model.eval()
    logits = logits_of(model, [row["text"] for row in test])
    test_accuracy = (logits.argmax(1) == torch.tensor([index[row["label"]] for row in test])).float().mean().item()
    print(json.dumps({"test_accuracy": test_accuracy, "history": history, "rank": rank, "alpha": alpha, "targets": targets,
                      "hidden": hidden, "seed": seed, "peft": __import__("peft").__version__, "torch": torch.__version__}))


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "make-fixture":
        make_fixture(*arguments)
    elif command == "gradient-fixture":
        gradient_fixture(*arguments)
    elif command == "check-bundle":
        check_bundle(*arguments)
    elif command == "accuracy":
        accuracy(arguments[0], arguments[1], arguments[2], int(arguments[3]), float(arguments[4]), arguments[5].split(","), *(int(a) or None if i == 1 else int(a) for i, a in enumerate(arguments[6:9])))
    elif command == "epoch":
        epoch(arguments[0], arguments[1], int(arguments[2]), int(arguments[3]), float(arguments[4]), arguments[5].split(","))
    else:
        sys.exit(__doc__)
