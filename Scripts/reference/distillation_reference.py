"""Reference values for Tests/SquireModelsTests/DistillationTests.swift.

The distillation loss of Hinton et al. as PyTorch users write it:
    alpha * T^2 * kl_div(log_softmax(z / T), softmax(log(q) / T), batchmean)
    + (1 - alpha) * cross_entropy(z, y)
and its gradient with respect to the logits z, by autograd.

Run: ~/.cache/squire-peers/venv/bin/python Scripts/reference/distillation_reference.py
"""
import json

import torch
import torch.nn.functional as F

z = torch.tensor([[1.5, -0.3, 0.2, 2.0], [0.1, 0.4, -1.2, 0.0], [-2.0, 3.0, 0.5, 0.5]], dtype=torch.float64, requires_grad=True)
q = torch.tensor([[0.6, 0.05, 0.05, 0.3], [0.25, 0.5, 0.0, 0.25], [0.01, 0.9, 0.04, 0.05]], dtype=torch.float64)
y = torch.tensor([3, 1, 1])
T, alpha = 2.0, 0.5

q_t = torch.softmax(torch.log(q) / T, dim=1)
soft = F.kl_div(F.log_softmax(z / T, dim=1), q_t, reduction="batchmean")
hard = F.cross_entropy(z, y)
loss = alpha * T * T * soft + (1 - alpha) * hard
loss.backward()
print(json.dumps({"torch": torch.__version__, "loss": loss.item(), "gradient": z.grad.tolist()}))
