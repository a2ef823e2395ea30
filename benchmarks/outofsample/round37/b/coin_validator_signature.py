"""Coin acceptor for ticket machines: denomination (or slug/counterfeit) from the coil signature.

As a coin rolls through the chute the inductive sensor gives a 32-sample eddy-current trace; the
acceptor also measures diameter (optical gate) and weight (piezo). Counterfeits and slugs are rare
(~3%) but are the class that matters, so the loss is class-weighted and we report balanced accuracy.
1-D CNN on the trace + the two scalars; OneCycle schedule, gradient clipping as a guard rail.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
torch.set_num_threads(1)
rng = np.random.default_rng(17)

# 10c, 20c, 50c, 1, 2 (alloy conductivity, diameter mm, mass g), then slugs
COINS = [(0.35, 19.75, 4.10), (0.35, 22.25, 5.74), (0.35, 24.25, 7.80), (0.55, 23.25, 7.50), (0.45, 25.75, 8.50)]
SHARES = np.array([0.22, 0.22, 0.20, 0.18, 0.15, 0.03])
N_CLS, T = len(SHARES), 32
t = np.linspace(0, 1, T)


def insert_coins(n):
    y = rng.choice(N_CLS, size=n, p=SHARES)
    trace = np.empty((n, T), np.float32)
    scal = np.empty((n, 2), np.float32)
    for i, c in enumerate(y):
        if c < 5:
            cond, dia, mass = COINS[c]
        else:                                   # slug: washer or foreign coin close to a real one
            cond, dia, mass = COINS[rng.integers(0, 5)]
            cond = cond + rng.choice([-1, 1]) * rng.uniform(0.08, 0.2)
            mass = mass * rng.uniform(0.9, 1.1)
        speed = rng.uniform(0.8, 1.25)
        centre = 0.5 + rng.normal(0, 0.04)
        width = dia / 100 / speed
        amp = cond * (1 + 0.02 * rng.normal())
        trace[i] = amp * np.exp(-((t - centre) ** 2) / (2 * width ** 2)) + rng.normal(0, 0.015, T)
        scal[i] = [dia + rng.normal(0, 0.25), mass + rng.normal(0, 0.12)]
    return trace, scal, y


tr_trace, tr_scal, ytr = insert_coins(3000)
va_trace, va_scal, yva = insert_coins(1000)
s_mu, s_sd = tr_scal.mean(0), tr_scal.std(0)
t_mu, t_sd = tr_trace.mean(), tr_trace.std()


def tensors(trace, scal, y):
    return (torch.from_numpy((trace - t_mu) / t_sd).unsqueeze(1), torch.from_numpy((scal - s_mu) / s_sd),
            torch.from_numpy(y))


train_loader = DataLoader(TensorDataset(*tensors(tr_trace, tr_scal, ytr)), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(*tensors(va_trace, va_scal, yva)), batch_size=500)


class Acceptor(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
            nn.Conv1d(16, 32, 5, padding=2, stride=2), nn.ReLU(),
            nn.Conv1d(32, 32, 3, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool1d(4),
        )
        self.head = nn.Sequential(nn.Linear(32 * 4 + 2, 64), nn.ReLU(), nn.Linear(64, N_CLS))

    def forward(self, trace, scal):
        h = self.conv(trace).flatten(1)
        return self.head(torch.cat([h, scal], 1))


counts = np.bincount(ytr, minlength=N_CLS)
weights = torch.tensor(len(ytr) / (N_CLS * counts), dtype=torch.float32)
criterion = nn.CrossEntropyLoss(weight=weights)

model = Acceptor()
epochs = 14
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                steps_per_epoch=len(train_loader))


def balanced_accuracy(model, loader):
    model.eval()
    preds, ys = [], []
    with torch.no_grad():
        for trace, scal, y in loader:
            preds.append(model(trace, scal).argmax(1))
            ys.append(y)
    p, y = torch.cat(preds), torch.cat(ys)
    recalls = [(p[y == c] == c).float().mean().item() for c in range(N_CLS)]
    return float(np.mean(recalls)), recalls[-1]


for epoch in range(epochs):
    model.train()
    running = 0.0
    for trace, scal, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(trace, scal), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=10.0)
        optimizer.step()
        scheduler.step()
        running += loss.item()
    bal, slug_rec = balanced_accuracy(model, val_loader)
    print(f"epoch {epoch + 1:2d} train loss {running / len(train_loader):.4f}  val balanced acc {bal:.3f}  slug recall {slug_rec:.3f}")

print(f"final val balanced accuracy {bal:.3f}  slug recall {slug_rec:.3f}")
