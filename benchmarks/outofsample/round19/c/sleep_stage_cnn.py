"""Sleep staging (W / N1 / N2 / N3 / REM) from single-channel EEG windows with a small 1-D CNN.

Class-weighted, label-smoothed cross-entropy; an EMA copy of the weights is what gets evaluated
and saved.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, f1_score
from torch.utils.data import DataLoader, TensorDataset

FS = 64          # Hz
WIN = 10 * FS    # 10-s windows
STAGES = ["W", "N1", "N2", "N3", "REM"]
SHARES = [0.20, 0.07, 0.40, 0.13, 0.20]


def synth_night(n, rng):
    t = np.arange(WIN) / FS
    y = rng.choice(len(STAGES), size=n, p=SHARES)
    X = np.empty((n, WIN), dtype=np.float32)
    for i, s in enumerate(y):
        amp = rng.lognormal(0, 0.25)                      # electrode / subject gain
        sig = rng.normal(0, 1.3, WIN)                      # background
        def osc(f_lo, f_hi, a):
            f = rng.uniform(f_lo, f_hi)
            return a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
        if s == 0:       # wake: alpha + muscle
            sig += osc(8.5, 11.5, rng.uniform(0.3, 1.8)) + rng.normal(0, 0.9, WIN) * (rng.random() < 0.5)
        elif s == 1:     # N1: theta, alpha fading
            sig += osc(4, 7, rng.uniform(0.5, 1.4)) + osc(8.5, 11.5, rng.uniform(0.0, 1.0))
        elif s == 2:     # N2: spindles and K-complexes on theta
            sig += osc(4, 7, rng.uniform(0.3, 1.0))
            for _ in range(rng.integers(0, 3)):
                c = rng.uniform(1, 9)
                env = np.exp(-0.5 * ((t - c) / 0.35) ** 2)
                sig += rng.uniform(0.6, 1.8) * env * np.sin(2 * np.pi * rng.uniform(11.5, 14.5) * t)
            if rng.random() < 0.5:
                c = rng.uniform(1, 9)
                sig -= rng.uniform(1.5, 4.0) * np.exp(-0.5 * ((t - c) / 0.25) ** 2)
        elif s == 3:     # N3: high-amplitude delta
            sig += osc(0.5, 2.0, rng.uniform(1.2, 3.5)) + osc(0.5, 2.0, rng.uniform(0.5, 2.0))
        else:            # REM: sawtooth theta, low tone
            f = rng.uniform(2, 4)
            sig += (rng.random() < 0.6) * 1.2 * (2 * ((f * t + rng.random()) % 1) - 1) + osc(4, 7, rng.uniform(0.4, 1.2))
        X[i] = amp * sig
    return X, y


class StageNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        def block(c_in, c_out, k, stride=1):
            return nn.Sequential(nn.Conv1d(c_in, c_out, k, stride=stride, padding=k // 2),
                                 nn.BatchNorm1d(c_out), nn.ReLU())
        self.features = nn.Sequential(
            block(1, 16, 9, stride=2), nn.MaxPool1d(2),
            block(16, 32, 7), nn.MaxPool1d(2),
            block(32, 64, 5), nn.MaxPool1d(2),
            block(64, 64, 3),
            nn.AdaptiveAvgPool1d(1),
        )
        self.dropout = nn.Dropout(0.3)
        self.fc = nn.Linear(64, n_classes)

    def forward(self, x):
        return self.fc(self.dropout(self.features(x.unsqueeze(1)).flatten(1)))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm.detach(), alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(model, loader, class_weights):
    model.eval()
    total, n, preds, ys = 0.0, 0, [], []
    for x, y in loader:
        logits = model(x)
        total += F.cross_entropy(logits, y, weight=class_weights, reduction="sum").item()
        n += len(y)
        preds.append(logits.argmax(1))
        ys.append(y)
    preds, ys = torch.cat(preds).numpy(), torch.cat(ys).numpy()
    return total / n, balanced_accuracy_score(ys, preds), f1_score(ys, preds, average="macro")


def main():
    torch.manual_seed(42)
    rng = np.random.default_rng(42)
    X, y = synth_night(3600, rng)
    n_tr = 2800
    scale = X[:n_tr].std()
    X = torch.from_numpy(X / scale)
    y = torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(X[:n_tr], y[:n_tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[n_tr:], y[n_tr:]), batch_size=200)

    counts = torch.bincount(y[:n_tr], minlength=len(STAGES)).float()
    class_weights = (counts.sum() / (len(STAGES) * counts)).sqrt()

    model = StageNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    criterion = nn.CrossEntropyLoss(weight=class_weights, label_smoothing=0.05)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    epochs = 7
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

    for epoch in range(epochs):
        model.train()
        for x, t in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(x), t)
            loss.backward()
            optimizer.step()
            ema_update(ema, model, decay=0.98)
        scheduler.step()
        val_loss, bacc, mf1 = evaluate(ema, val_loader, class_weights)
        print(f"epoch {epoch + 1}: train loss {loss.item():.3f}  EMA val loss {val_loss:.3f}  "
              f"balanced acc {bacc:.3f}  macro-F1 {mf1:.3f}")

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "stagenet_ema.pt")
        torch.save(ema, path)
        restored = torch.load(path, weights_only=False)
    val_loss, bacc, mf1 = evaluate(restored, val_loader, class_weights)
    print(f"final EMA model: val balanced accuracy {bacc:.4f}, macro-F1 {mf1:.4f}")


if __name__ == "__main__":
    main()
