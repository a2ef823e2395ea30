"""Wrist-accelerometer activity recognition with a GRU over 3.2-second windows.

3-axis acceleration at 40 Hz (128 steps per window), five activities. Training
uses linear warm-up then cosine decay, gradient-norm clipping and an
exponential moving average of the weights (a deepcopy of the model) that is
used for evaluation.
"""
import copy
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

ACTIVITIES = ["sitting", "walking", "running", "cycling", "stairs"]
T, FS = 128, 40.0


def windows(n, rng):
    t = np.arange(T) / FS
    y = rng.integers(0, len(ACTIVITIES), n)
    X = np.zeros((n, T, 3), np.float32)
    for k in range(n):
        a = y[k]
        f = {0: 0.0, 1: 1.8, 2: 2.8, 3: 1.3, 4: 1.5}[a] * rng.uniform(0.85, 1.15)
        amp = {0: 0.02, 1: 0.35, 2: 0.9, 3: 0.25, 4: 0.45}[a]
        ph = rng.uniform(0, 2 * np.pi)
        tilt = rng.normal([0.0, 0.0, 1.0], 0.15)
        if a == 3:
            tilt = tilt + np.array([0.5, 0.0, -0.3])
        sig = np.stack([
            amp * np.sin(2 * np.pi * f * t + ph),
            0.5 * amp * np.sin(2 * np.pi * 2 * f * t + 2 * ph),
            amp * np.abs(np.sin(np.pi * f * t + ph)) * (1.6 if a == 4 else 1.0),
        ], 1)
        if a == 4:
            sig[:, 2] += 0.15 * np.sign(np.sin(2 * np.pi * 0.4 * t + ph))
        X[k] = tilt + sig + rng.normal(0, 0.12, (T, 3))
    return X, y


class GRUClassifier(nn.Module):
    def __init__(self, n_in=3, hidden=48, n_classes=5):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        out, h = self.gru(x)
        pooled = torch.cat([h[-1], out.mean(1)], dim=-1)
        return self.head(pooled)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, p in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(p.detach(), alpha=1 - decay)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = windows(2000, rng)
    X_tr, y_tr, X_va, y_va = X[:1600], y[:1600], X[1600:], y[1600:]
    mu, sd = X_tr.reshape(-1, 3).mean(0), X_tr.reshape(-1, 3).std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=200)

    model = GRUClassifier()
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)

    epochs = 8
    total = epochs * len(train_loader)
    warmup = 50
    optimizer = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=1e-2)
    schedule = lambda s: (s + 1) / warmup if s < warmup else \
        0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(epochs):
        model.train()
        run = 0.0
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=0.98)
            run += loss.item() * len(yb)

        correct, loss_sum = 0, 0.0
        with torch.no_grad():
            for xb, yb in val_loader:
                logits = ema(xb)
                loss_sum += criterion(logits, yb).item() * len(yb)
                correct += (logits.argmax(1) == yb).sum().item()
        print(f"epoch {epoch + 1} train_loss {run / len(y_tr):.4f} "
              f"ema_val_loss {loss_sum / len(y_va):.4f} ema_val_acc {correct / len(y_va):.4f}")
    print(f"final ema_val_acc {correct / len(y_va):.4f}")


if __name__ == "__main__":
    main()
