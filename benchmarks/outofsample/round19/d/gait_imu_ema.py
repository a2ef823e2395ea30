"""Gait pattern classification from a shank-worn IMU (3-axis accel + 3-axis gyro, 2 s @ 50 Hz).

Classes: normal, antalgic (limping), shuffling (parkinsonian), ataxic (irregular), stair ascent.
Split by subject. 1-D CNN with a memory-lean Swish (custom autograd.Function), OneCycle LR per
batch, gradient clipping, label smoothing, an EMA copy of the weights that is evaluated and saved.
"""
import copy
import io

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

FS, N = 50, 100
CLASSES = ["normal", "antalgic", "shuffling", "ataxic", "stairs"]


def make_subject(rng, n_per_class):
    cadence = rng.uniform(0.85, 1.15)       # strides per second
    height = rng.uniform(0.8, 1.2)
    X, y = [], []
    t = np.arange(N) / FS
    for k in range(5):
        for _ in range(n_per_class):
            f = cadence * rng.uniform(0.92, 1.08) * [1.0, 0.85, 1.3, 0.9, 0.8][k]
            ph = rng.uniform(0, 2 * np.pi)
            w = 2 * np.pi * f * t + ph
            if k == 3:  # ataxic: irregular stride timing
                w = w + np.cumsum(rng.normal(0, 0.08, N))
            swing = np.sin(w)
            if k == 1:  # antalgic: short stance on one side -> asymmetric waveform
                swing = np.sin(w + 0.6 * np.sin(w))
            amp = height * [1.0, 0.85, 0.6, 0.95, 1.05][k]
            ax = amp * swing + 0.15 * np.sin(2 * w)
            ay = 0.3 * amp * np.cos(w) + (0.35 if k == 4 else 0.0) * (1 + np.sin(w))  # stairs: extra vertical lift
            az = 1.0 + 0.4 * amp * np.abs(np.sin(w)) + (0.25 * np.sin(3 * w) if k == 3 else 0)
            gx = 2.0 * amp * np.cos(w)
            gy = 0.5 * amp * np.sin(w + 1.0) * (1.6 if k == 3 else 1.0)
            gz = 0.3 * np.sin(2 * w) + (0.4 * rng.normal(size=N) if k == 3 else 0)
            sig = np.stack([ax, ay, az, gx, gy, gz]) + rng.normal(0, 0.65, (6, N))
            X.append(sig)
            y.append(k)
    return np.array(X, dtype=np.float32), np.array(y)


class SwishFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * torch.sigmoid(x)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return grad_out * (s * (1 + x * (1 - s)))


class Swish(nn.Module):
    def forward(self, x):
        return SwishFn.apply(x)


def block(cin, cout, k):
    return nn.Sequential(nn.Conv1d(cin, cout, k, padding=k // 2), nn.BatchNorm1d(cout), Swish())


class GaitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(block(6, 32, 7), nn.MaxPool1d(2), block(32, 64, 5), nn.MaxPool1d(2),
                                      block(64, 64, 3), nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.classifier = nn.Sequential(nn.Dropout(0.25), nn.Linear(64, 5))

    def forward(self, x):
        return self.classifier(self.features(x))


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)
    for be, bm in zip(ema.buffers(), model.buffers()):
        be.copy_(bm)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    loss_sum, correct, n = 0.0, 0, 0
    for xb, yb in loader:
        logits = model(xb)
        loss_sum += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
        n += len(yb)
    return loss_sum / n, correct / n


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    subjects = [make_subject(rng, 24) for _ in range(14)]
    Xtr = np.concatenate([s[0] for s in subjects[:11]]); ytr = np.concatenate([s[1] for s in subjects[:11]])
    Xva = np.concatenate([s[0] for s in subjects[11:]]); yva = np.concatenate([s[1] for s in subjects[11:]])
    mu, sd = Xtr.mean((0, 2), keepdims=True), Xtr.std((0, 2), keepdims=True)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy(yva)), batch_size=256)

    model = GaitNet()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 12
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, epochs=epochs,
                                                    steps_per_epoch=len(train_loader))
    for epoch in range(1, epochs + 1):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            scheduler.step()
            ema_update(ema, model, decay=0.97)
        vl, va = evaluate(ema, val_loader)
        if epoch % 3 == 0:
            print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.2e} ema val loss {vl:.4f} acc {va:.4f}")

    buf = io.BytesIO()
    torch.save(ema, buf)
    buf.seek(0)
    restored = torch.load(buf, weights_only=False)
    vl, va = evaluate(restored, val_loader)
    print(f"final val accuracy {va:.4f}  val loss {vl:.4f} (EMA weights, reloaded)")


if __name__ == "__main__":
    main()
