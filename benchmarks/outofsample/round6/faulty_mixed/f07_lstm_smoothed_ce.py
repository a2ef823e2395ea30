"""Machine-state classification from multivariate sensor sequences with an LSTM.
Uses a hand-written label-smoothed cross-entropy (the codebase predates `label_smoothing=`)."""
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

SEQ_LEN, N_FEAT, N_CLASSES = 30, 3, 5


def generate(n, seed):
    g = np.random.default_rng(seed)
    t = np.linspace(0, 1, SEQ_LEN)
    y = g.integers(0, N_CLASSES, n)
    X = g.normal(0, 0.3, (n, SEQ_LEN, N_FEAT))
    for i, c in enumerate(y):
        if c == 0:                                   # idle: noise only
            pass
        elif c == 1:                                 # ramp-up in temperature channel
            X[i, :, 0] += 1.5 * t
        elif c == 2:                                 # vibration burst at a random moment
            s = g.integers(0, SEQ_LEN - 6)
            X[i, s:s + 6, 1] += 1.5 * np.sin(np.linspace(0, 3 * math.pi, 6))
        elif c == 3:                                 # periodic load cycles
            X[i, :, 2] += 0.8 * np.sin(2 * math.pi * g.uniform(3, 5) * t)
        else:                                        # cool-down
            X[i, :, 0] -= 1.5 * t
    return torch.tensor(X, dtype=torch.float32), torch.tensor(y)


class SensorLSTM(nn.Module):
    def __init__(self, n_feat=N_FEAT, hidden=48, n_classes=N_CLASSES):
        super().__init__()
        self.lstm = nn.LSTM(n_feat, hidden, num_layers=1, batch_first=True)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.head(self.drop(h[-1]))


def smoothed_cross_entropy(logits, target, eps=0.1):
    log_probs = F.log_softmax(logits, dim=-1)
    nll = log_probs.gather(1, target.unsqueeze(1)).squeeze(1)
    uniform = log_probs.mean(dim=-1)
    return ((1.0 - eps) * nll + eps * uniform).mean()


def evaluate(model, loader):
    model.eval()
    total, correct, n = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            logits = model(xb)
            total += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            n += len(yb)
    return total / n, correct / n


def main():
    torch.manual_seed(1234)
    X_tr, y_tr = generate(2000, seed=1)
    X_va, y_va = generate(500, seed=2)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_va, y_va), batch_size=250)

    model = SensorLSTM()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(1, 9):
        model.train()
        t0, running = time.time(), 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = smoothed_cross_entropy(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            running += loss.item()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"| epoch {epoch:2d} | {time.time() - t0:5.2f}s | train loss {running / len(train_loader):7.4f} "
              f"| val loss {val_loss:.4f} | val acc {val_acc:.4f}")
    print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
