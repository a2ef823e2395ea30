"""Rail-track geometry: from a 48 m stretch recorded by the track recording
car (gauge, cross-level, alignment, vertical profile, one sample per metre)
predict the track-quality index the next inspection will report (mm).

A small Transformer encoder with learned positions and mean pooling. Linear
warm-up then cosine decay (per step), gradient clipping at 1.0. Validation
error is accumulated with reduction="sum" and divided by the number of
segments once at the end, so the last, short batch is weighted correctly.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
L_SEG, C = 48, 4


def segments(n):
    z = np.cumsum(rng.normal(0, 0.35, (n, C, L_SEG)), -1)
    z -= z.mean(-1, keepdims=True)
    z *= rng.uniform(0.5, 2.0, (n, 1, 1))
    # occasional dipped joints / voids: local profile and cross-level defects
    for i in np.where(rng.random(n) < 0.35)[0]:
        p = rng.integers(4, L_SEG - 4)
        w = np.exp(-0.5 * ((np.arange(L_SEG) - p) / rng.uniform(1, 3)) ** 2)
        z[i, 3] -= rng.uniform(2, 6) * w
        z[i, 1] += rng.uniform(-3, 3) * w
    gauge = 1435 + z[:, 0] * 0.8
    twist = np.abs(z[:, 1, 3:] - z[:, 1, :-3]).max(-1)                    # cross-level change over 3 m
    sd_align = z[:, 2].std(-1)
    sd_prof = np.abs(np.diff(z[:, 3], 2, -1)).mean(-1)
    growth = 1.0 + 0.3 * (np.abs(gauge - 1435).max(-1) > 2.5)
    tqi = (1.2 * twist + 1.5 * sd_align + 6.0 * sd_prof) * growth + rng.normal(0, 0.3, n)
    x = np.stack([gauge - 1435, z[:, 1], z[:, 2], z[:, 3]], -1)            # (n, L, C)
    return x.astype(np.float32), tqi.astype(np.float32)


X, y = segments(3000)
tr, va = slice(0, 2500), slice(2500, None)
x_mu, x_sd = X[tr].mean((0, 1)), X[tr].std((0, 1))
y_mu, y_sd = y[tr].mean(), y[tr].std()
Xn, yn = (X - x_mu) / x_sd, (y - y_mu) / y_sd
train_loader = DataLoader(TensorDataset(torch.from_numpy(Xn[tr]), torch.from_numpy(yn[tr])), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(torch.from_numpy(Xn[va]), torch.from_numpy(yn[va])), batch_size=256)


class TrackEncoder(nn.Module):
    def __init__(self, d=32, heads=4, layers=1):
        super().__init__()
        self.proj = nn.Linear(C, d)
        self.pos = nn.Parameter(torch.randn(1, L_SEG, d) * 0.02)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=64, dropout=0.05, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        h = self.encoder(self.proj(x) + self.pos)
        return self.out(self.norm(h.mean(1))).squeeze(-1)


model = TrackEncoder()
epochs = 10
total = epochs * len(train_loader)
warm = 40
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.02)
scheduler = torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / (total - warm))))


def validate(net):
    net.eval()
    sse = sae = 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            pred = net(xb)
            sse += F.mse_loss(pred, yb, reduction="sum").item()
            sae += F.l1_loss(pred, yb, reduction="sum").item()
    n = len(val_loader.dataset)
    return math.sqrt(sse / n) * y_sd, sae / n * y_sd, sse / n


for epoch in range(epochs):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        running += loss.item() * len(yb)
    rmse, mae, vmse = validate(model)
    print(f"epoch {epoch + 1:2d} train mse {running / len(train_loader.dataset):.3f}  val mse {vmse:.3f}  RMSE {rmse:.3f} mm  MAE {mae:.3f} mm")
print(f"val TQI RMSE {rmse:.3f} mm  MAE {mae:.3f} mm  R^2 {1 - (rmse / y[va].std()) ** 2:.3f}")
