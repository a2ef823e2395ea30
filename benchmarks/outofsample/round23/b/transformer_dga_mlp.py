"""Fault-type classifier for oil-immersed power transformers from dissolved gas analysis (DGA).

Each sample is one oil sample: ppm of H2, CH4, C2H6, C2H4, C2H2, CO, CO2 plus the oil temperature and
the age of the unit. Labels follow the IEC 60599 fault families (PD, D1, D2, T1, T2, T3).
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FAULTS = ["PD", "D1", "D2", "T1", "T2", "T3"]
GASES = ["H2", "CH4", "C2H6", "C2H4", "C2H2", "CO", "CO2"]

# typical log10 ppm profile per fault family (H2, CH4, C2H6, C2H4, C2H2, CO, CO2)
PROFILES = np.array([
    [2.9, 1.6, 1.2, 0.4, -0.3, 2.3, 3.2],   # PD: hydrogen dominated
    [2.4, 1.5, 0.8, 1.6, 1.8, 2.4, 3.3],    # D1: acetylene present
    [2.6, 2.0, 1.0, 2.3, 2.2, 2.5, 3.3],    # D2: acetylene + ethylene
    [1.6, 1.8, 2.0, 1.0, -0.2, 2.6, 3.5],   # T1: ethane dominated
    [1.8, 2.2, 1.8, 2.0, 0.2, 2.6, 3.5],    # T2: methane/ethylene
    [2.0, 2.4, 1.5, 2.8, 0.9, 2.5, 3.4],    # T3: ethylene dominated
])


def make_samples(n, rng):
    y = rng.integers(0, len(FAULTS), size=n)
    severity = rng.normal(0.0, 0.35, size=(n, 1))            # overall gassing level of the unit
    logppm = PROFILES[y] + severity + rng.normal(0.0, 0.28, size=(n, len(GASES)))
    oil_temp = rng.normal(55, 9, size=(n, 1)) + 6 * (y[:, None] >= 3)
    age = rng.gamma(4.0, 6.0, size=(n, 1))
    ppm = 10 ** logppm
    X = np.hstack([np.log1p(ppm), oil_temp, age]).astype(np.float32)
    return X, y.astype(np.int64)


class DGANet(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, n_out)

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.gelu(self.fc2(x))
        return self.fc3(x)


def train(args, model, loader, optimizer, epoch):
    model.train()
    total, n = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        n += len(xb)
    return total / n


def test(model, loader):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    n = len(loader.dataset)
    return loss / n, correct / n


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    X, y = make_samples(2400, rng)
    X_tr, y_tr, X_va, y_va = X[:1900], y[:1900], X[1900:], y[1900:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)), batch_size=256)

    model = DGANet(X.shape[1], len(FAULTS))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        tr_loss = train(args, model, train_loader, optimizer, epoch)
        va_loss, va_acc = test(model, val_loader)
        print(f"epoch {epoch:2d}  train loss {tr_loss:.4f}  val loss {va_loss:.4f}  val acc {va_acc:.3f}")
    print(f"final val accuracy: {va_acc:.4f}")


if __name__ == "__main__":
    main()
