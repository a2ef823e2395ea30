"""Rhythm classification from single-lead ECG strips with a GRU.

Strips are 4 s at 50 Hz (200 samples) after band-pass and decimation. Classes:
sinus rhythm, atrial fibrillation (irregular RR, no P wave), sinus with premature
ventricular beats. Training uses warm-up + cosine decay, routine gradient-norm clipping
and an exponential moving average of the weights (a deepcopy of the model) that is the
model we evaluate and ship.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FS, T = 50, 200


def beat(t, center, width, amp):
    return amp * np.exp(-0.5 * ((t - center) / width) ** 2)


def synth_strip(label, rng):
    t = np.arange(T) / FS
    x = np.zeros(T)
    hr = rng.uniform(55, 110) / 60.0
    rr = 1.0 / hr
    pos = rng.uniform(0, rr)
    while pos < t[-1] + 0.5:
        cur_rr = rr
        pvc = label == 2 and rng.random() < 0.3
        if label == 1:
            cur_rr = rr * rng.uniform(0.5, 1.5)
        if pvc:
            x += beat(t, pos, 0.06, -1.2) + beat(t, pos + 0.15, 0.08, 0.6)
            cur_rr = rr * 1.5
        else:
            if label != 1:
                x += beat(t, pos - 0.16, 0.035, 0.2)           # P wave
            x += beat(t, pos, 0.025, 1.0) + beat(t, pos + 0.25, 0.05, 0.3)
        pos += cur_rr
    if label == 1:
        x += 0.08 * np.sin(2 * np.pi * rng.uniform(5, 8) * t + rng.uniform(0, 6))  # f-waves
    x += 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t) + rng.normal(0, 0.05, T)
    return x.astype(np.float32)


def make_set(n, rng):
    y = rng.integers(0, 3, n)
    x = np.stack([synth_strip(k, rng) for k in y])
    return torch.from_numpy(x)[..., None], torch.from_numpy(y).long()


class RhythmGRU(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.conv = nn.Conv1d(1, 16, kernel_size=7, stride=2, padding=3)
        self.gru = nn.GRU(16, hidden, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, 3)

    def forward(self, x):                       # x: (B, T, 1)
        h = F.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        out, _ = self.gru(h)
        return self.head(out.mean(dim=1))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)


def accuracy(model, loader):
    model.eval()
    correct = n = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            n += len(yb)
    return correct / n


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    xtr, ytr = make_set(1000, rng)
    xva, yva = make_set(400, rng)
    mu, sd = xtr.mean(), xtr.std()
    train_loader = DataLoader(TensorDataset((xtr - mu) / sd, ytr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset((xva - mu) / sd, yva), batch_size=200)

    model = RhythmGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 8
    total = epochs * len(train_loader)
    warmup = len(train_loader)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else 0.5 * (1 + math.cos(math.pi * (s - warmup) / (total - warmup))))

    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=min(0.99, (1 + step) / (10 + step)))
            step += 1
        print(f"epoch {epoch + 1} loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e} "
              f"val_acc {accuracy(model, val_loader):.4f} ema_val_acc {accuracy(ema, val_loader):.4f}")
    print(f"final ema_val_acc {accuracy(ema, val_loader):.4f}")


if __name__ == "__main__":
    main()
