"""Heartbeat morphology classification (synthetic single-lead ECG beats).

Five beat types built from P/QRS/T Gaussian waves with baseline wander and noise.
Residual 1D CNN whose forward returns log-probabilities, trained with NLLLoss.
An exponential moving average of the weights (deepcopy) is evaluated and the whole
EMA model is saved with torch.save and reloaded for the final score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

BEAT_LEN = 180
FS = 360.0


def gauss(t, mu, sigma, amp):
    return amp * np.exp(-0.5 * ((t - mu) / sigma) ** 2)


def synth_beats(n, rng):
    t = np.arange(BEAT_LEN) / FS
    X = np.zeros((n, BEAT_LEN), dtype=np.float32)
    y = rng.integers(0, 5, n)
    for i, k in enumerate(y):
        jit = rng.normal(0, 0.004)
        p_amp = 0.15 if k != 1 else rng.uniform(-0.05, 0.05)
        qrs_w = 0.012 if k in (0, 1, 4) else rng.uniform(0.025, 0.035)
        qrs_amp = rng.uniform(0.9, 1.2) * (-1 if k == 2 and rng.random() < 0.5 else 1)
        t_amp = 0.3 if k != 2 else -0.35
        beat = (gauss(t, 0.16 + jit, 0.02, p_amp) + gauss(t, 0.25 + jit, qrs_w, qrs_amp)
                + gauss(t, 0.23 + jit, 0.006, -0.12) + gauss(t, 0.27 + jit, 0.006, -0.2)
                + gauss(t, 0.40 + jit, 0.04, t_amp))
        if k == 3:
            w = rng.uniform(0.2, 0.6)
            beat = (1 - w) * beat + w * (gauss(t, 0.25 + jit, 0.03, 0.9) + gauss(t, 0.40, 0.04, -0.2))
        if k == 4:
            beat += gauss(t, 0.05 + rng.uniform(0, 0.03), 0.003, rng.uniform(1.0, 1.5))
        beat += 0.1 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t + rng.uniform(0, 6.28))
        beat += rng.normal(0, 0.15, BEAT_LEN)
        X[i] = beat
    return X[:, None, :], y


class ResBlock(nn.Module):
    def __init__(self, ch, k=7):
        super().__init__()
        self.conv1 = nn.Conv1d(ch, ch, k, padding=k // 2, bias=False)
        self.bn1 = nn.BatchNorm1d(ch)
        self.conv2 = nn.Conv1d(ch, ch, k, padding=k // 2, bias=False)
        self.bn2 = nn.BatchNorm1d(ch)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        return F.relu(x + self.bn2(self.conv2(h)))


class BeatNet(nn.Module):
    def __init__(self, n_classes=5, ch=32):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(1, ch, 11, stride=2, padding=5, bias=False), nn.BatchNorm1d(ch), nn.ReLU())
        self.blocks = nn.Sequential(ResBlock(ch), nn.MaxPool1d(2), ResBlock(ch))
        self.fc = nn.Linear(ch, n_classes)

    def forward(self, x):
        h = self.blocks(self.stem(x)).mean(-1)
        return F.log_softmax(self.fc(h), dim=1)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    nll, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        out = model(xb)
        nll += F.nll_loss(out, yb, reduction="sum").item()
        correct += (out.argmax(1) == yb).sum().item()
        n += len(yb)
    return nll / n, correct / n


def main():
    torch.manual_seed(2)
    rng = np.random.default_rng(2)
    X, y = synth_beats(2500, rng)
    mu, sd = X[:2000].mean(), X[:2000].std()
    X = (X - mu) / sd
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:2000]), torch.from_numpy(y[:2000])),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X[2000:]), torch.from_numpy(y[2000:])), batch_size=256)

    model = BeatNet()
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    criterion = nn.NLLLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    epochs = 7
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=1e-4)
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            ema_update(ema, model, decay=0.98)
        scheduler.step()
        v_loss, v_acc = evaluate(model, val_loader)
        e_loss, e_acc = evaluate(ema, val_loader)
        print(f"epoch {epoch}: val nll {v_loss:.4f} acc {v_acc:.4f} | ema nll {e_loss:.4f} acc {e_acc:.4f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "beatnet_ema.pt")
        torch.save(ema, path)
        restored = torch.load(path, weights_only=False)
    _, acc = evaluate(restored, val_loader)
    print(f"final ema val_acc={acc:.4f}")


if __name__ == "__main__":
    main()
