"""Early warning of ripening defects in a cheese cave.

Every wheel on a shelf gets a 6.5-day trace (160 steps) from the shelf sensors: temperature,
relative humidity, CO2, ammonia and the wheel's rind surface moisture. An affineur labels what
the wheel showed at the next turning: fine, late blowing, blue-mould invasion or rind cracking.
A GRU reads the whole trace; training keeps an exponential moving average of the weights
(deepcopy), evaluates the EMA copy, stops early on validation loss and saves the whole EMA model.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(5)
rng = np.random.default_rng(5)

T, N = 160, 1400
CLASSES = ["fine", "late-blowing", "blue-mould", "rind-cracking"]
labels = rng.choice(4, size=N, p=[0.52, 0.16, 0.18, 0.14])
t = np.arange(T)


def trace(label):
    temp = 11.5 + 0.4 * np.sin(2 * np.pi * t / 24) + np.cumsum(rng.normal(0, 0.03, T))
    rh = 92 + 1.5 * np.sin(2 * np.pi * t / 24 + 1) + np.cumsum(rng.normal(0, 0.08, T))
    co2 = 1500 + np.cumsum(rng.normal(0, 8, T))
    nh3 = 10 + np.cumsum(rng.normal(0, 0.1, T))
    moist = 0.5 + np.cumsum(rng.normal(0, 0.005, T))
    onset = rng.integers(20, 110)
    ramp = np.clip((t - onset) / 40.0, 0, 1)
    if label == 1:                    # late blowing: a warm spell then a CO2 rise from inside the wheel
        temp += 1.2 * ramp
        co2 += 500 * ramp ** 2
    elif label == 2:                  # mould: sustained humidity and a slow ammonia climb
        rh += 3.0 * ramp
        nh3 += 5 * ramp
    elif label == 3:                  # cracking: drying air, rind moisture falls late
        rh -= 4.0 * ramp
        moist -= 0.15 * ramp
    x = np.stack([temp, rh, co2, nh3, moist], 1)
    return x + rng.normal(0, [0.1, 0.4, 20, 0.4, 0.01], (T, 5))


X = np.stack([trace(c) for c in labels]).astype(np.float32)
tr, va, te = np.arange(0, 900), np.arange(900, 1150), np.arange(1150, N)
mu, sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
X = (X - mu) / sd
Xt, yt = torch.from_numpy(X), torch.from_numpy(labels).long()
train_loader = DataLoader(TensorDataset(Xt[tr], yt[tr]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(Xt[va], yt[va]), batch_size=250)
test_loader = DataLoader(TensorDataset(Xt[te], yt[te]), batch_size=250)


class CaveGRU(nn.Module):
    def __init__(self, n_in=5, hidden=48, n_classes=4):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 48), nn.ReLU(), nn.Linear(48, n_classes))

    def forward(self, x):
        out, h = self.gru(x)
        feats = torch.cat([h[-1], out.mean(1)], dim=1)        # last state and mean over the trace
        return self.head(feats)


model = CaveGRU()
ema = copy.deepcopy(model)
for p in ema.parameters():
    p.requires_grad_(False)
EMA_DECAY = 0.98

counts = np.bincount(labels[tr], minlength=4)
class_w = torch.tensor(len(tr) / (4 * counts), dtype=torch.float32)
criterion = nn.CrossEntropyLoss(weight=class_w)
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)


def evaluate(net, loader):
    net.eval()
    loss_sum, n, correct, recall_hits, recall_tot = 0.0, 0, 0, np.zeros(4), np.zeros(4)
    with torch.no_grad():
        for xb, yb in loader:
            out = net(xb)
            loss_sum += F.cross_entropy(out, yb, reduction="sum").item()
            pred = out.argmax(1)
            correct += (pred == yb).sum().item()
            n += len(yb)
            for c in range(4):
                m = yb == c
                recall_hits[c] += (pred[m] == c).sum().item()
                recall_tot[c] += m.sum().item()
    return loss_sum / n, correct / n, float(np.mean(recall_hits / np.maximum(recall_tot, 1)))


best, bad_epochs, patience = math.inf, 0, 4
for epoch in range(1, 31):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(EMA_DECAY).add_(pm, alpha=1 - EMA_DECAY)
    val_loss, val_acc, val_bacc = evaluate(ema, val_loader)
    print(f"epoch {epoch:2d}  EMA val loss {val_loss:.4f}  acc {val_acc:.3f}  balanced acc {val_bacc:.3f}")
    if val_loss < best - 1e-4:
        best, bad_epochs = val_loss, 0
        torch.save(ema, "/tmp/cheese_cave_gru_ema.pt")
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop after epoch {epoch}")
            break

final = torch.load("/tmp/cheese_cave_gru_ema.pt", weights_only=False)
test_loss, test_acc, test_bacc = evaluate(final, test_loader)
print(f"test balanced accuracy {test_bacc:.3f}  accuracy {test_acc:.3f}  loss {test_loss:.4f}")
