"""University library: occupied share of reading-room seats one hour ahead.

Input: the last 168 hourly readings (one week) of seat-sensor occupancy, gate entries,
outdoor temperature and a term/exam-period indicator, plus hour-of-day sin/cos. Target:
the occupied share of seats in the next hour (0-1), fitted with MSE on the raw share.
GRU over the full week, OneCycle schedule stepped per batch, an exponential moving average
of the weights kept with deepcopy, and the EMA model saved whole for the dashboard.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(12)
rng = np.random.default_rng(12)
LOOKBACK = 168


def sensor_history(n_hours):
    h = np.arange(n_hours)
    hod, dow = h % 24, (h // 24) % 7
    week = h // (24 * 7)
    exam = ((week % 15) >= 12).astype(float)
    term = ((week % 15) >= 1).astype(float)
    open_ = (hod >= 8) & (hod <= 22) & ~((dow == 6) & (hod > 18))
    daily = np.exp(-0.5 * ((hod - 14.5) / 3.5) ** 2) + 0.35 * np.exp(-0.5 * ((hod - 20) / 1.5) ** 2)
    temp = 10 + 8 * np.sin(2 * np.pi * h / (24 * 365)) + 4 * np.sin(2 * np.pi * (hod - 9) / 24) + rng.normal(0, 1.5, n_hours)
    level = (0.25 + 0.35 * term + 0.3 * exam) * (1 - 0.35 * (dow >= 5)) * (1 + 0.01 * np.clip(8 - temp, 0, None))
    occ = np.zeros(n_hours)
    noise = 0.0
    for t in range(n_hours):
        noise = 0.8 * noise + rng.normal(0, 0.04)
        occ[t] = np.clip(open_[t] * (level[t] * daily[t] + noise), 0, 1) if open_[t] else 0.0
    gate = np.clip(np.diff(occ, prepend=0) * 400 + rng.normal(0, 8, n_hours), 0, None) + 40 * occ
    feats = np.stack([occ, gate / 100.0, (temp - 10) / 8, exam, np.sin(2 * np.pi * hod / 24),
                      np.cos(2 * np.pi * hod / 24)], 1)
    return feats.astype(np.float32), occ.astype(np.float32)


def make_windows(feats, occ, idx):
    X = np.stack([feats[t - LOOKBACK:t] for t in idx])
    return torch.from_numpy(X), torch.from_numpy(occ[idx])


class OccupancyGRU(nn.Module):
    def __init__(self, n_in, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    se, ae, n = 0.0, 0.0, 0
    for xb, yb in loader:
        pred = model(xb)
        se += nn.functional.mse_loss(pred, yb, reduction="sum").item()
        ae += (pred - yb).abs().sum().item()
        n += len(yb)
    return se / n, ae / n


def main():
    feats, occ = sensor_history(24 * 7 * 30)
    all_t = np.arange(LOOKBACK, len(occ))
    split = int(0.8 * len(occ))
    tr_t = rng.choice(all_t[all_t < split - 1], 1500, replace=False)
    va_t = all_t[all_t >= split + LOOKBACK][::4]
    Xtr, ytr = make_windows(feats, occ, tr_t)
    Xva, yva = make_windows(feats, occ, va_t)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)

    model = OccupancyGRU(Xtr.shape[-1])
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs = 6
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, epochs=epochs,
                                                    steps_per_epoch=len(train_loader), pct_start=0.25)
    loss_fn = nn.MSELoss()
    decay = 0.95
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(pm, alpha=1 - decay)
        mse, mae = evaluate(model, val_loader)
        ema_mse, ema_mae = evaluate(ema, val_loader)
        print(f"epoch {epoch + 1}: lr={scheduler.get_last_lr()[0]:.2e} val_mse={mse:.5f} val_mae={mae:.4f} "
              f"ema_val_mse={ema_mse:.5f} ema_val_mae={ema_mae:.4f}")

    base_mae = (yva - ytr.mean()).abs().mean().item()
    path = os.path.join(tempfile.mkdtemp(), "occupancy_gru_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    mse, mae = evaluate(restored, val_loader)
    r2 = 1 - mse / yva.var(unbiased=False).item()
    print(f"saved EMA model: val_mse={mse:.5f} val_mae={mae:.4f} val_r2={r2:.4f} (mean-predictor mae={base_mae:.4f})")


if __name__ == "__main__":
    main()
