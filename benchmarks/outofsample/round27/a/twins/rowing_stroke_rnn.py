"""Estimate stroke rate (strokes/min) of a rowing shell from a 12 s window of its
IMU surge acceleration, pitch rate and seat-slide potentiometer, sampled at 12.5 Hz.

Recurrent regressor over the window; targets standardised with training statistics.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(7)
rng = np.random.default_rng(7)

T, FS = 120, 12.5


def make_sessions(n):
    t = np.arange(T) / FS
    spm = rng.uniform(18, 38, size=n)                 # strokes per minute
    crew = rng.integers(1, 9, size=n)                 # single .. eight
    ratio = rng.uniform(0.35, 0.5, size=n)            # drive/recovery ratio
    X = np.empty((n, T, 3), dtype=np.float32)
    for i in range(n):
        f = spm[i] / 60.0
        phase = (f * t + rng.uniform()) % 1.0
        drive = phase < ratio[i]
        surge = np.where(drive, np.sin(np.pi * phase / ratio[i]),
                         -0.4 * np.sin(np.pi * (phase - ratio[i]) / (1 - ratio[i])))
        surge *= 1.0 + 0.08 * crew[i]
        pitch = 0.3 * np.sin(2 * np.pi * phase + 0.6) + 0.05 * rng.standard_normal(T)
        slide = np.where(drive, phase / ratio[i], 1 - (phase - ratio[i]) / (1 - ratio[i]))
        X[i, :, 0] = surge + 0.15 * rng.standard_normal(T)
        X[i, :, 1] = pitch
        X[i, :, 2] = slide + 0.05 * rng.standard_normal(T)
    return X, spm.astype(np.float32)


X, y = make_sessions(1400)
Xtr, ytr, Xva, yva = X[:1100], y[:1100], X[1100:], y[1100:]
mu, sd = Xtr.reshape(-1, 3).mean(0), Xtr.reshape(-1, 3).std(0)
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
ym, ys = ytr.mean(), ytr.std()

train_loader = DataLoader(TensorDataset(torch.from_numpy(Xtr), torch.from_numpy((ytr - ym) / ys)),
                          batch_size=32, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xva), torch.from_numpy((yva - ym) / ys)),
                        batch_size=128)


class StrokeRNN(nn.Module):
    def __init__(self, n_in=3, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(n_in, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight_hh"):
                nn.init.orthogonal_(p)
            elif name.startswith("weight_ih"):
                nn.init.xavier_uniform_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out.mean(1)).squeeze(-1)


model = StrokeRNN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.MSELoss()

for epoch in range(8):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item() * len(xb)
        n += len(xb)
    model.eval()
    sq = 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            sq += ((model(xb) - yb) ** 2).sum().item()
    val_mse = sq / len(val_loader.dataset)
    print(f"epoch {epoch + 1}  train_mse {total / n:.4f}  val_mse {val_mse:.4f}")

model.eval()
with torch.no_grad():
    pred = torch.cat([model(xb) for xb, _ in val_loader]).numpy() * ys + ym
mae = float(np.mean(np.abs(pred - yva)))
if not math.isfinite(mae):
    mae = float("nan")
print(f"final val MAE {mae:.3f} strokes/min")
