"""Beachcombed sea glass: sort shards by the glass they came from (colour family and
era) from a bench scanner's colour, UV and shape readings. Class-weighted softmax,
hand-written SGD with momentum, balanced accuracy as the score."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(21)
torch.set_num_threads(1)

ORIGINS = ["clear_bottle", "brown_beer", "green_wine", "cobalt_medicine", "uranium_vaseline", "milk_glass"]
SHARE = [0.58, 0.18, 0.14, 0.05, 0.02, 0.03]


def scan_shards(n=5000, seed=21):
    rng = np.random.default_rng(seed)
    y = rng.choice(len(ORIGINS), size=n, p=SHARE)
    hue_c = np.array([0.15, 0.08, 0.30, 0.62, 0.22, 0.10])[y]
    sat_c = np.array([0.05, 0.55, 0.45, 0.60, 0.40, 0.05])[y]
    val_c = np.array([0.85, 0.35, 0.45, 0.40, 0.70, 0.95])[y]
    uv_c = np.array([0.05, 0.03, 0.05, 0.04, 0.80, 0.10])[y]
    opq_c = np.array([0.10, 0.15, 0.15, 0.10, 0.20, 0.90])[y]
    hue = (hue_c + rng.normal(0, 0.09, n)) % 1.0
    sat = np.clip(sat_c + rng.normal(0, 0.22, n), 0, 1)
    val = np.clip(val_c + rng.normal(0, 0.22, n), 0, 1)
    uv = np.clip(uv_c + rng.normal(0, 0.3, n), 0, 1)            # green glow under 365 nm
    opacity = np.clip(opq_c + rng.normal(0, 0.3, n), 0, 1)
    frost = rng.beta(3, 2, n)                                      # surface frosting
    thick = rng.lognormal(np.log(np.array([3.0, 3.5, 4.0, 2.5, 3.0, 3.5])[y]), 0.25)
    rounding = rng.beta(2, 2, n)
    X = np.stack([np.cos(2 * np.pi * hue), np.sin(2 * np.pi * hue), sat, val, uv, opacity,
                  frost, np.log(thick), rounding], 1).astype(np.float32)
    return X, y.astype(np.int64)


X, y = scan_shards()
perm = np.random.default_rng(0).permutation(len(y))
tr, va = perm[:4000], perm[4000:]
mu, sd = X[tr].mean(0), X[tr].std(0)
X_tr, y_tr = torch.from_numpy((X[tr] - mu) / sd), torch.from_numpy(y[tr])
X_va, y_va = torch.from_numpy((X[va] - mu) / sd), torch.from_numpy(y[va])

counts = torch.bincount(y_tr, minlength=len(ORIGINS)).float()
class_weight = (counts.sum() / (len(ORIGINS) * counts)) ** 0.5      # tempered inverse frequency

model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, len(ORIGINS)))
lr, momentum, wd = 0.02, 0.9, 5e-4
velocity = [torch.zeros_like(p) for p in model.parameters()]


def balanced_accuracy(pred, true):
    recalls = [(pred[true == c] == c).float().mean().item() for c in range(len(ORIGINS)) if (true == c).any()]
    return float(np.mean(recalls))


batch = 64
for epoch in range(20):
    model.train()
    order = torch.randperm(len(y_tr))
    for i in range(0, len(order), batch):
        idx = order[i:i + batch]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx], weight=class_weight)
        model.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                g = p.grad + wd * p
                v.mul_(momentum).add_(g)
                p -= lr * v
    if epoch % 5 == 4:
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            print(f"epoch {epoch + 1:2d}  train_loss {loss.item():.4f}  val_loss {F.cross_entropy(logits, y_va, weight=class_weight).item():.4f}  "
                  f"val_bal_acc {balanced_accuracy(logits.argmax(1), y_va):.4f}")

model.eval()
with torch.no_grad():
    pred = model(X_va).argmax(1)
print(f"final val balanced_acc {balanced_accuracy(pred, y_va):.4f}  accuracy {(pred == y_va).float().mean().item():.4f}")
