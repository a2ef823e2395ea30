"""Human-activity recognition from 3-axis wrist accelerometer windows with a GRU.

Six activities (walk, run, stairs up, stairs down, sit, cycle) are simulated as periodic
gait signals with their own cadence, amplitude and axis mix, plus drift and sensor noise.
Micro-batches of 16 are accumulated to an effective batch of 64.
"""
import math
import random

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

SEQ, N_CLASSES = 64, 6


class ActivityWindows(Dataset):
    CADENCE = [1.8, 2.8, 1.5, 1.6, 0.0, 1.2]       # Hz
    AMP = [1.0, 2.2, 1.2, 1.4, 0.05, 0.6]
    AXES = [(1, .3, .2), (1, .5, .3), (.6, 1, .3), (.6, .3, 1), (.3, .3, 1), (.2, 1, .6)]

    def __init__(self, n, seed):
        g = np.random.default_rng(seed)
        t = np.arange(SEQ) / 25.0                                      # 25 Hz
        self.x = np.empty((n, SEQ, 3), dtype=np.float32)
        self.y = g.integers(0, N_CLASSES, size=n)
        for i, c in enumerate(self.y):
            f = self.CADENCE[c] * g.uniform(0.85, 1.15)
            ph = g.uniform(0, 2 * math.pi)
            base = self.AMP[c] * (np.sin(2 * math.pi * f * t + ph) + 0.3 * np.sin(4 * math.pi * f * t + 2 * ph))
            for a in range(3):
                self.x[i, :, a] = self.AXES[c][a] * base + g.normal(0, 0.35, SEQ) + g.normal(0, 0.2)
            self.x[i, :, 2] += 1.0                                    # gravity on z

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return torch.from_numpy(self.x[i]), int(self.y[i])


class GRUClassifier(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.inp = nn.Linear(3, 32)
        self.gru = nn.GRU(32, hidden, batch_first=True)
        self.out = nn.Linear(hidden, N_CLASSES)

    def forward(self, x):
        h, _ = self.gru(torch.relu(self.inp(x)))
        return self.out(h.mean(1))


def evaluate(model, loader):
    model.eval()
    correct = total = 0
    loss = 0.0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            loss += nn.functional.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
    return loss / total, correct / total


def main():
    torch.manual_seed(11); random.seed(11); np.random.seed(11)
    torch.set_num_threads(1)
    train_loader = DataLoader(ActivityWindows(1800, seed=1), batch_size=16, shuffle=True)
    val_loader = DataLoader(ActivityWindows(500, seed=2), batch_size=250)

    model = GRUClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss()
    accum_steps = 4

    for epoch in range(6):
        model.train()
        for step, (x, y) in enumerate(train_loader):
            loss = criterion(model(x), y) / accum_steps
            loss.backward()
            if (step + 1) % accum_steps == 0:
                optimizer.step()
                optimizer.zero_grad()
        val_loss, val_acc = evaluate(model, val_loader)
        print(f"epoch {epoch} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
    print(f"final val_loss={val_loss:.4f} val_acc={val_acc:.4f}")


if __name__ == "__main__":
    main()
