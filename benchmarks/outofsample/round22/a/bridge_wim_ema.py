# Bridge weigh-in-motion: estimate a vehicle's gross weight (tonnes) from the strain-gauge
# trace recorded under the mid-span girder as it crosses. Traffic is mostly cars, with a long
# tail of loaded trucks, so we fit a Huber loss and evaluate an EMA of the weights.
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

TRACE = 256


def vehicle(rng):
    kind = rng.choice(3, p=[0.7, 0.15, 0.15])
    if kind == 0:
        loads = rng.uniform(0.6, 1.0, 2) * np.array([0.55, 0.45]) * rng.uniform(1.2, 2.2)
        gaps = [rng.uniform(2.4, 2.9)]
    elif kind == 1:
        loads = rng.uniform(0.8, 1.2, 2) * rng.uniform(1.2, 2.0)
        gaps = [rng.uniform(3.0, 3.8)]
    else:
        n_ax = rng.integers(3, 6)
        loads = rng.uniform(5.0, 9.5, n_ax) * rng.uniform(0.4, 1.0)
        gaps = rng.uniform(1.3, 6.0, n_ax - 1)
    return loads, np.concatenate([[0.0], np.cumsum(gaps)])


def strain_trace(loads, pos, rng):
    speed = rng.uniform(12, 30)                      # m/s
    t = np.arange(TRACE) / 64.0                      # 64 Hz gauge
    x0 = rng.uniform(0.6, 1.2)
    sig = np.zeros(TRACE)
    for w, p in zip(loads, pos):
        arrival = x0 + p / speed
        sig += w * np.exp(-0.5 * ((t - arrival) * speed / 4.0) ** 2)   # influence line, ~4 m wide
    temp_gain = rng.normal(1.0, 0.03)
    drift = rng.normal(0, 0.2) + rng.normal(0, 0.1) * t
    return (temp_gain * sig + drift + rng.normal(0, 0.08, TRACE)).astype(np.float32), np.float32(speed)


def make_set(n, rng):
    X, S, y = [], [], []
    for _ in range(n):
        loads, pos = vehicle(rng)
        tr, sp = strain_trace(loads, pos, rng)
        X.append(tr); S.append(sp); y.append(loads.sum())
    return np.stack(X)[:, None, :], np.array(S, dtype=np.float32), np.array(y, dtype=np.float32)


class WIMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv1d(1, 16, 7, padding=3), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(32 * 2 + 1, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x, speed):
        h = self.conv(x - x[:, :, :16].mean(-1, keepdim=True))     # remove the pre-arrival offset
        feats = torch.cat([h.mean(-1), h.amax(-1), speed[:, None] / 20.0], dim=1)
        return self.head(feats).squeeze(-1)


def main():
    rng = np.random.default_rng(0)
    Xtr, Str, ytr = make_set(3000, rng)
    Xva, Sva, yva = make_set(600, rng)
    Xtr, Str, ytr, Xva, Sva, yva = map(torch.from_numpy, (Xtr, Str, ytr, Xva, Sva, yva))
    scale = 10.0                                     # predict in units of 10 t

    model = WIMNet()
    ema = copy.deepcopy(model).eval()
    for p in ema.parameters():
        p.requires_grad_(False)
    epochs, bs = 12, 64
    steps = epochs * ((len(ytr) + bs - 1) // bs)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps, pct_start=0.2)
    crit = nn.HuberLoss(delta=0.5)

    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(ytr))
        tot = 0.0
        for i in range(0, len(ytr), bs):
            idx = perm[i:i + bs]
            loss = crit(model(Xtr[idx], Str[idx]), ytr[idx] / scale)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            opt.step()
            sched.step()
            with torch.no_grad():
                for pe, pm in zip(ema.parameters(), model.parameters()):
                    pe.mul_(0.98).add_(pm, alpha=0.02)
                for be, bm in zip(ema.buffers(), model.buffers()):
                    be.copy_(bm)
            tot += loss.item() * len(idx)
        with torch.no_grad():
            abs_err = (ema(Xva, Sva) * scale - yva).abs().sum().item()
        print(f"epoch {epoch + 1:2d} train huber {tot / len(ytr):.4f}  val MAE (EMA) {abs_err / len(yva):.3f} t")

    path = os.path.join(tempfile.gettempdir(), "bridge_wim_ema.pt")
    torch.save(ema, path)
    restored = torch.load(path, weights_only=False)
    with torch.no_grad():
        pred = restored(Xva, Sva) * scale
    mae = (pred - yva).abs().mean().item()
    heavy = yva > 8
    print(f"final val_mae={mae:.3f} t  (trucks {(pred - yva)[heavy].abs().mean():.3f} t, "
          f"median-predictor {(yva - ytr.median()).abs().mean():.3f} t)")


if __name__ == "__main__":
    main()
