"""Condition grade (0 = sound ... 4 = replace now) of planks on footpath rope bridges.

Inspectors record mid-span deflection under a test load, pin-probe depth, moisture, age,
plank thickness, span position, plus the timber species and the bridge's exposure class
(categoricals, embedded). Grades are ordinal, so the head predicts the K-1 cumulative
"grade > k" events with one shared score and ordered cut points, trained with
BCEWithLogitsLoss on the cumulative targets (y > k). Evaluated by grade MAE and exact-grade
accuracy against always predicting the median grade.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
K = 5
SPECIES = ["larch", "oak", "douglas", "chestnut", "spruce", "iroko"]
DURABILITY = np.array([0.6, 0.2, 0.5, 0.3, 1.0, 0.0])


def inspect(n):
    sp = rng.integers(0, len(SPECIES), n)
    expo = rng.integers(0, 3, n)                        # sheltered / valley / gorge spray
    age = rng.gamma(3.0, 4.0, n)
    thick = rng.normal(50, 4, n)
    pos = rng.uniform(0, 1, n)                           # 0 at the anchor, 0.5 mid-span
    moist = rng.normal(18 + 5 * expo, 4, n)
    decay = 0.08 * age * (0.5 + DURABILITY[sp]) * (1 + 0.4 * expo) + 0.05 * (moist - 18) \
        + rng.normal(0, 0.45, n)
    probe = np.clip(2 + 4 * decay + rng.normal(0, 1.5, n), 0, None)
    defl = 8 + 1.5 * decay - 0.2 * (thick - 50) + 4 * np.sin(np.pi * pos) + rng.normal(0, 1.2, n)
    grade = np.digitize(decay, [0.6, 1.3, 2.0, 2.8])
    Xn = np.column_stack([defl, probe, moist, age, thick, np.sin(np.pi * pos)]).astype(np.float32)
    Xc = np.column_stack([sp, expo]).astype(np.int64)
    return Xn, Xc, grade.astype(np.int64)


Xn_tr, Xc_tr, g_tr = inspect(2400)
Xn_va, Xc_va, g_va = inspect(600)
mu, sd = Xn_tr.mean(0), Xn_tr.std(0)
Xn_tr, Xn_va = (Xn_tr - mu) / sd, (Xn_va - mu) / sd


def cumulative(g):
    return (g[:, None] > np.arange(K - 1)[None, :]).astype(np.float32)


class PlankGrader(nn.Module):
    def __init__(self, n_num, hidden=48):
        super().__init__()
        self.species = nn.Embedding(len(SPECIES), 4)
        self.exposure = nn.Embedding(3, 2)
        self.body = nn.Sequential(nn.Linear(n_num + 6, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, 1))
        # ordered cut points: first one free, then positive gaps
        self.first_cut = nn.Parameter(torch.tensor(-1.5))
        self.log_gaps = nn.Parameter(torch.zeros(K - 2))

    def forward(self, x_num, x_cat):
        h = torch.cat([x_num, self.species(x_cat[:, 0]), self.exposure(x_cat[:, 1])], dim=1)
        score = self.body(h)
        cuts = torch.cumsum(torch.cat([self.first_cut.view(1), self.log_gaps.exp()]), 0)
        return score - cuts            # logits of P(grade > k), k = 0..K-2


def tensors(Xn, Xc, g):
    return torch.from_numpy(Xn), torch.from_numpy(Xc), torch.from_numpy(cumulative(g)), torch.from_numpy(g)


tr = tensors(Xn_tr, Xc_tr, g_tr)
va = tensors(Xn_va, Xc_va, g_va)
loader = DataLoader(TensorDataset(*tr[:3]), batch_size=64, shuffle=True)
model = PlankGrader(Xn_tr.shape[1])
opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
loss_fn = nn.BCEWithLogitsLoss()


def evaluate(xn, xc, cum, g):
    model.eval()
    with torch.no_grad():
        logits = model(xn, xc)
        loss = loss_fn(logits, cum).item()
        pred = (torch.sigmoid(logits) > 0.5).sum(1)
    model.train()
    return loss, (pred - g).abs().float().mean().item(), (pred == g).float().mean().item()


for epoch in range(30):
    for xn, xc, cum in loader:
        opt.zero_grad()
        loss = loss_fn(model(xn, xc), cum)
        loss.backward()
        opt.step()
    if epoch % 5 == 4:
        vl, mae, acc = evaluate(*va)
        print(f"epoch {epoch + 1:2d} train loss {loss.item():.3f} val loss {vl:.3f} MAE {mae:.3f} exact {acc:.3f}")

vl, mae, acc = evaluate(*va)
median = int(np.median(g_tr))
print(f"grade shares {np.round(np.bincount(g_tr, minlength=K) / len(g_tr), 2).tolist()}")
print(f"final val grade MAE {mae:.3f} exact {acc:.3f} "
      f"(median-grade baseline MAE {np.abs(g_va - median).mean():.3f}, exact {(g_va == median).mean():.3f})")
