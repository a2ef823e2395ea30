"""Surface soil moisture (m3/m3) at the latest C-band SAR overpass, from the field's last 24 overpasses.

Sequence channels per overpass: VV and VH backscatter (dB), incidence angle, NDVI, 6-day rain sum,
air temperature. Static: land cover and soil texture as one-hot columns. A small temporal CNN is
trained with a one-cycle schedule (stepped per batch) under bfloat16 autocast.
"""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(21)
rng = np.random.default_rng(21)

N_FIELDS, T = 3000, 24
COVER = ["wheat", "maize", "grass", "bare", "orchard"]
TEXTURE = ["sand", "loam", "clay"]


def fields():
    cover = rng.integers(len(COVER), size=N_FIELDS)
    texture = rng.integers(len(TEXTURE), size=N_FIELDS)
    capacity = np.array([0.22, 0.34, 0.44])[texture]
    drain = np.array([0.80, 0.88, 0.93])[texture]
    veg_peak = np.array([0.75, 0.85, 0.6, 0.12, 0.55])[cover]
    phase = rng.uniform(0, 2 * np.pi, N_FIELDS)
    seq = np.zeros((N_FIELDS, T, 6), np.float32)
    sm = capacity * rng.uniform(0.3, 0.8, N_FIELDS)
    for t in range(T):
        temp = 14 + 9 * np.sin(2 * np.pi * t / T + phase) + rng.normal(0, 2, N_FIELDS)
        rain = np.where(rng.random(N_FIELDS) < 0.45, rng.gamma(1.2, 9.0, N_FIELDS), 0.0)
        ndvi = np.clip(veg_peak * (0.55 + 0.45 * np.sin(2 * np.pi * t / T + phase - 1)) + rng.normal(0, 0.04, N_FIELDS), 0.05, 0.95)
        et = 0.004 * np.clip(temp, 0, None) * (0.5 + ndvi)
        sm = np.clip(sm * drain ** (1 + 0.03 * temp / 10) - et + 0.0045 * rain, 0.03, capacity)
        inc = rng.uniform(30, 45, N_FIELDS)
        attenuation = np.exp(-2 * 0.9 * ndvi / np.cos(np.radians(inc)))          # water cloud model
        vv_lin = 0.12 * ndvi * np.cos(np.radians(inc)) * (1 - attenuation) + attenuation * (0.02 + 0.55 * sm) * np.cos(np.radians(inc)) ** 2
        vh_lin = 0.03 * ndvi * (1 - attenuation) + attenuation * (0.004 + 0.08 * sm)
        speckle = rng.gamma(8, 1 / 8, (2, N_FIELDS))                                 # 8-look speckle
        seq[:, t] = np.column_stack([10 * np.log10(vv_lin * speckle[0]), 10 * np.log10(vh_lin * speckle[1]),
                                     inc, ndvi, rain, temp])
    static = np.concatenate([np.eye(len(COVER))[cover], np.eye(len(TEXTURE))[texture]], 1).astype(np.float32)
    return seq, static, sm.astype(np.float32)


seq, static, sm = fields()
n_tr = 2400
s_mu, s_sd = seq[:n_tr].reshape(-1, 6).mean(0), seq[:n_tr].reshape(-1, 6).std(0)
seq = (seq - s_mu) / s_sd
y_mu, y_sd = sm[:n_tr].mean(), sm[:n_tr].std()
y = (sm - y_mu) / y_sd

to_t = torch.tensor
train_ds = TensorDataset(to_t(seq[:n_tr]), to_t(static[:n_tr]), to_t(y[:n_tr]).unsqueeze(1))
val_ds = TensorDataset(to_t(seq[n_tr:]), to_t(static[n_tr:]), to_t(y[n_tr:]).unsqueeze(1))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True, drop_last=True)
val_loader = DataLoader(val_ds, batch_size=300)


class TemporalCNN(nn.Module):
    def __init__(self, c_in=6, n_static=8, ch=48):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(c_in, ch, 3, padding=1), nn.BatchNorm1d(ch), nn.ReLU(),
            nn.Conv1d(ch, ch, 3, padding=2, dilation=2), nn.BatchNorm1d(ch), nn.ReLU(),
            nn.Conv1d(ch, ch, 3, padding=4, dilation=4), nn.BatchNorm1d(ch), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * ch + n_static, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x_seq, x_static):
        h = self.conv(x_seq.transpose(1, 2))
        summary = torch.cat([h[:, :, -1], h.mean(2), x_static], 1)
        return self.head(summary)


model = TemporalCNN()
epochs = 14
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=epochs * len(train_loader),
                                                pct_start=0.3)
loss_fn = nn.MSELoss()

for epoch in range(1, epochs + 1):
    model.train()
    tot = 0.0
    for xs, xst, yb in train_loader:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            pred = model(xs, xst)
        loss = loss_fn(pred.float(), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        tot += loss.item()
    model.eval()
    se, n = 0.0, 0
    with torch.no_grad():
        for xs, xst, yb in val_loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                pred = model(xs, xst)
            se += ((pred.float() - yb) ** 2).sum().item()
            n += len(yb)
    rmse = (se / n) ** 0.5 * y_sd
    if epoch % 2 == 0:
        print(f"epoch {epoch:2d}  lr {scheduler.get_last_lr()[0]:.2e}  train MSE {tot / len(train_loader):.4f}  "
              f"val RMSE {rmse:.4f} m3/m3")

r2 = 1 - (se / n) * y_sd ** 2 / sm[n_tr:].var()
print(f"final val RMSE {rmse:.4f} m3/m3  (target std {sm[n_tr:].std():.4f}), R2 {r2:.3f}")
