"""Harbour tug manoeuvre recognition from 4 s of winch/engine telemetry.

Each record is 40 samples (10 Hz) of rudder angle, engine load, towline tension and hull heave
logged on a harbour tug. Label: what the tug was doing (steady tow, pushing alongside,
turning assist, towing in swell). Model: an IRNN (ReLU RNN with identity recurrent init,
Le, Jaitly & Hinton 2015) trained with SGD + momentum and a cosine schedule.
"""
import argparse
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--hidden", type=int, default=64)
parser.add_argument("--seed", type=int, default=11)
args = parser.parse_args()

torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)

MANOEUVRES = ["steady_tow", "push_alongside", "turn_assist", "swell_tow"]


def log_records(n, T=40):
    t = np.arange(T) / 10.0
    y = rng.integers(0, len(MANOEUVRES), n)
    X = np.zeros((n, T, 4), np.float32)
    for i, k in enumerate(y):
        ph, sw = rng.uniform(0, 2 * np.pi), rng.uniform(0.6, 1.4)
        rudder = rng.normal(0, 0.3, T) + (np.sin(0.8 * sw * t + ph) if k == 2 else 0.0)
        load = 0.6 + 0.2 * rng.normal() + (0.5 if k == 1 else 0.0) + rng.normal(0, 0.25, T)
        amp = 0.7 if k == 3 else 0.25
        tension = 0.8 - (0.5 if k == 1 else 0.0) + amp * np.sin(2.5 * sw * t + ph) + rng.normal(0, 0.3, T)
        heave = rng.uniform(0.3, 1.0) * np.sin(1.2 * sw * t + ph + 1) + rng.normal(0, 0.3, T)
        X[i] = np.stack([rudder, load, tension, heave], -1)
    return X, y


X, y = log_records(2400)
train_ds = TensorDataset(torch.tensor(X[:1920]), torch.tensor(y[:1920]))
val_ds = TensorDataset(torch.tensor(X[1920:]), torch.tensor(y[1920:]))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=240)


class IRNN(nn.Module):
    def __init__(self, n_in, hidden, n_out):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True, nonlinearity="relu")
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.fc = nn.Linear(hidden, n_out)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def train(model, loader, optimizer, epoch):
    model.train()
    total, n = 0.0, 0
    for data, target in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(target)
        n += len(target)
    return total / n


def evaluate(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for data, target in loader:
            out = model(data)
            loss += nn.functional.cross_entropy(out, target, reduction="sum").item()
            correct += (out.argmax(1) == target).sum().item()
    return loss / len(loader.dataset), correct / len(loader.dataset)


model = IRNN(4, args.hidden, len(MANOEUVRES))
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
t0 = time.time()
for epoch in range(1, args.epochs + 1):
    tr_loss = train(model, train_loader, optimizer, epoch)
    va_loss, va_acc = evaluate(model, val_loader)
    scheduler.step()
    print(f"epoch {epoch}  train loss {tr_loss:.4f}  val loss {va_loss:.4f}  val acc {va_acc:.4f}")
print(f"final val accuracy {va_acc:.4f}  ({time.time() - t0:.1f}s)")
