"""Seasoning grade of firewood lots at a log yard: green < part-seasoned < seasoned < kiln-dry.

Inputs per lot: pin-meter moisture at shell and mid depth on three sample splits (noisy,
the meter reads high on dense woods), wood density, mean log diameter, weeks stacked,
split/unsplit, covered/open stack, a kiln flag.  The grade is ordinal, so the model uses a
cumulative-link (CORAL) head: one shared score and K-1 ordered thresholds, trained with
binary cross-entropy on "grade > k" targets.

No torch.optim: plain SGD with heavy-ball momentum and decoupled weight decay on the
weight matrices, written out by hand, with a step decay of the learning rate.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import mean_absolute_error

torch.manual_seed(42)
rng = np.random.default_rng(42)
GRADES = ["green", "part-seasoned", "seasoned", "kiln-dry"]
K = len(GRADES)


def lots(n):
    density = rng.uniform(0.38, 0.75, n)                 # g/cm3, pine .. oak
    diam = rng.uniform(8, 30, n)                          # cm
    weeks = rng.gamma(2.0, 14.0, n)
    split = rng.random(n) < 0.7
    covered = rng.random(n) < 0.6
    kiln = rng.random(n) < 0.12
    rate = 0.045 * np.where(split, 1.7, 1.0)
    rate = rate * np.where(covered, 1.35, 1.0) * (0.55 / density) ** 1.5 * (15 / diam) ** 0.6
    mc = 12 + 48 * np.exp(-rate * weeks)                  # core moisture content, %
    mc = np.where(kiln, rng.uniform(8, 15, n), mc)
    reads = []
    for _ in range(3):
        gain = 1 + 1.5 * (density - 0.55)                  # the meter reads high on dense woods
        shell = mc * gain * rng.uniform(0.6, 0.8, n) + rng.normal(0, 5.0, n)
        mid = mc * gain * rng.uniform(0.85, 1.0, n) + rng.normal(0, 6.0, n)
        reads += [shell, mid]
    X = np.column_stack(reads + [density, diam, weeks, split, covered, kiln]).astype(np.float32)
    grade = np.digitize(mc + rng.normal(0, 1.5, n), [15.5, 22, 32])
    return X, K - 1 - grade                               # 0 green .. 3 kiln-dry


Xtr, ytr = lots(3000)
Xva, yva = lots(600)
Xte, yte = lots(1200)
cont = list(range(9))                                     # meter readings, density, diameter, weeks
mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)


def prep(X):
    X = X.copy()
    X[:, cont] = (X[:, cont] - mu) / sd
    return torch.from_numpy(X)


Xtr_t, Xva_t, Xte_t = prep(Xtr), prep(Xva), prep(Xte)
ytr_t, yva_t, yte_t = (torch.from_numpy(y).long() for y in (ytr, yva, yte))
print("grade counts (train):", np.bincount(ytr, minlength=K).tolist())


class Coral(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.score = nn.Linear(32, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(-1, 1, K - 1))

    def forward(self, x):
        return self.score(self.body(x)) - self.thresholds      # (N, K-1) logits of P(grade > k)


def coral_loss(logits, y):
    levels = (y.unsqueeze(1) > torch.arange(K - 1)).float()
    return F.binary_cross_entropy_with_logits(logits, levels)


def predict(logits):
    return (torch.sigmoid(logits) > 0.5).sum(1)


model = Coral(Xtr_t.shape[1])
velocity = [torch.zeros_like(p) for p in model.parameters()]
lr, momentum, wd, bs = 0.05, 0.9, 1e-4, 32

for epoch in range(30):
    if epoch in (18, 26):
        lr *= 0.3
    model.train()
    perm = torch.randperm(len(Xtr_t))
    for i in range(0, len(perm), bs):
        idx = perm[i:i + bs]
        loss = coral_loss(model(Xtr_t[idx]), ytr_t[idx])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                v.mul_(momentum).add_(p.grad)
                if p.dim() > 1:
                    p.mul_(1 - lr * wd)
                p -= lr * v
    model.eval()
    with torch.no_grad():
        vl = model(Xva_t)
        if epoch % 5 == 4:
            print(f"epoch {epoch + 1:2d} lr {lr:.4f} train loss {loss.item():.4f} val loss {coral_loss(vl, yva_t).item():.4f}"
                  f" val acc {(predict(vl) == yva_t).float().mean().item():.3f}")

with torch.no_grad():
    pred = predict(model(Xte_t)).numpy()
base = LogisticRegression(max_iter=3000).fit(Xtr_t.numpy(), ytr)
bp = base.predict(Xte_t.numpy())
maj = np.bincount(ytr).argmax()
print(f"majority grade: test acc {(yte == maj).mean():.3f} MAE {np.abs(yte - maj).mean():.3f}")
print(f"baseline multinomial logistic regression: test acc {(bp == yte).mean():.3f} MAE {mean_absolute_error(yte, bp):.3f}")
print(f"final CORAL MLP: test acc {(pred == yte).mean():.3f} MAE {mean_absolute_error(yte, pred):.3f}")
