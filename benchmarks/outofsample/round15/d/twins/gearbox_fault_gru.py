"""Gearbox condition monitoring: classify 4 bearing states from 3-axis vibration windows
with a small GRU. Windows are synthesised from the fault frequencies of each state."""
import argparse
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_windows(n, length=48, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(length) / 256.0
    base = {0: (11.0, 0.0), 1: (23.0, 0.6), 2: (37.0, 0.9), 3: (51.0, 1.2)}
    X = np.empty((n, length, 3), dtype=np.float32)
    y = rng.integers(0, 4, size=n)
    for i in range(n):
        f, mod = base[int(y[i])]
        f = f * rng.uniform(0.9, 1.1)
        phase = rng.uniform(0, 2 * np.pi, size=3)
        shaft = np.sin(2 * np.pi * 6.0 * t)
        for a in range(3):
            sig = np.sin(2 * np.pi * f * t + phase[a]) * (1 + mod * shaft)
            X[i, :, a] = 0.6 * sig + rng.normal(0, 0.35, size=length)
    return torch.from_numpy(X), torch.from_numpy(y).long()


class Net(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.rnn = nn.GRU(3, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 4)

    def forward(self, x):
        out, h = self.rnn(x)
        return self.head(h[-1])


def evaluate(model, loader):
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    return correct / total


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--clip", type=float, default=5.0)
    args = p.parse_args()

    torch.manual_seed(0)
    Xtr, ytr = make_windows(2000, seed=1)
    Xva, yva = make_windows(600, seed=2)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)

    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()
            running += loss.item() * len(yb)
        acc = evaluate(model, val_loader)
        print(f"epoch {epoch} train_loss {running / len(Xtr):.4f} val_acc {acc:.4f}")
    print(f"final val_acc {acc:.4f}")


if __name__ == "__main__":
    main()
