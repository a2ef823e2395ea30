"""Saddle fitting outcomes at a saddlery.

For each fitting appointment the saddler records the horse's breed, the saddle
tree type and gullet plate, the discipline, and four back-profile measurements
taken with a flexicurve. Outcome: 0 fits as is, 1 needs reflocking,
2 needs a different gullet, 3 wrong tree altogether.
Categorical fields are one-hot (sparse, left unscaled); only the measurements
are standardised. Validation loss is accumulated with reduction="sum" and
divided by the number of rows; training stops early on it and the best
weights are restored.
"""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(41)
rng = np.random.default_rng(41)

N = 2400
breed = rng.integers(0, 14, N)           # cob, TB, warmblood, Arab, Highland, ...
tree = rng.integers(0, 5, N)             # fixed, adjustable, treeless, flexible, wooden-spring
gullet = rng.integers(0, 6, N)           # narrow ... extra wide
discipline = rng.integers(0, 4, N)
breed_width = rng.normal(0, 1, 14)[breed]
wither_w = breed_width + rng.normal(0, 0.5, N)          # cm offset from the plate's nominal width
wither_h = rng.normal(0, 1, N)
back_len = rng.normal(0, 1, N)
asym = np.abs(rng.normal(0, 0.7, N))

plate_width = (gullet - 2.5) * 0.8
mismatch = np.abs(wither_w - plate_width)
tree_pen = np.array([0.0, -0.4, 0.8, 0.2, 0.5])[tree]
score_reflock = 1.3 * asym + 0.3 * (discipline == 1) - 0.6
score_gullet = 1.8 * mismatch - 1.2 + 0.3 * (tree == 1) * (-1)
score_tree = 1.0 * np.abs(back_len) * (tree == 2) + 0.8 * np.abs(wither_h) + tree_pen - 1.5
logits = np.stack([np.zeros(N), score_reflock, score_gullet, score_tree], 1) * 2.0
prob = np.exp(logits - logits.max(1, keepdims=True))
prob /= prob.sum(1, keepdims=True)
y = np.array([rng.choice(4, p=p) for p in prob])

onehots = [np.eye(k, dtype=np.float32)[v] for k, v in [(14, breed), (5, tree), (6, gullet), (4, discipline)]]
meas = np.stack([wither_w, wither_h, back_len, asym], 1).astype(np.float32)
idx = rng.permutation(N)
tr, va, te = idx[:1700], idx[1700:2050], idx[2050:]
meas = (meas - meas[tr].mean(0)) / meas[tr].std(0)
X = np.concatenate(onehots + [meas], 1)
print(f"{X.shape[1]} input columns, {np.mean(X[:, :29] == 0):.0%} of the one-hot block is zero")


def loader(rows, shuffle):
    return DataLoader(TensorDataset(torch.from_numpy(X[rows]), torch.from_numpy(y[rows])),
                      batch_size=64 if shuffle else 512, shuffle=shuffle)


train_loader, val_loader, test_loader = loader(tr, True), loader(va, False), loader(te, False)

model = nn.Sequential(nn.Linear(X.shape[1], 128), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(128, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 4))
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-3)


def evaluate(dl):
    model.eval()
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in dl:
            out = model(xb)
            total_loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return total_loss / n, correct / n


best, best_state, patience, bad = float("inf"), None, 6, 0
for epoch in range(1, 81):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        optimizer.step()
    val_loss, val_acc = evaluate(val_loader)
    if val_loss < best - 1e-4:
        best, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
    else:
        bad += 1
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} val loss {val_loss:.4f} val acc {val_acc:.3f}")
    if bad >= patience:
        print(f"early stop at epoch {epoch}, best val loss {best:.4f}")
        break

model.load_state_dict(best_state)
test_loss, test_acc = evaluate(test_loader)
print(f"majority-class test accuracy {np.mean(y[te] == np.bincount(y[tr]).argmax()):.3f}")
print(f"final test accuracy {test_acc:.3f}  test loss {test_loss:.3f}")
