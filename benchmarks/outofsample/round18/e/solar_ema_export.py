"""Hour-ahead PV output (fraction of nameplate) for three rooftop sites.

Features: clear-sky irradiance from sun geometry, forecast cloud cover, temperature,
the last observed output and site one-hot. Days are split whole between train and
test so neighbouring hours never straddle the split. An exponential moving average of
the weights (a deepcopy updated after every step) is what gets exported: the whole
module is saved with torch.save and reloaded for the test score.
"""
import copy
import os
import tempfile

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SITES = 3


def simulate(days, rng):
    rows, target, day_id = [], [], []
    lat = np.radians([48.0, 45.5, 52.3])
    tilt_loss = [0.95, 1.0, 0.9]
    for site in range(SITES):
        cloud_state = 0.4
        prev = 0.0
        for d in range(days):
            doy = (d * 3) % 365
            decl = np.radians(23.44) * np.sin(2 * np.pi * (284 + doy) / 365)
            for h in range(5, 21):
                ha = np.radians(15 * (h + 0.5 - 12))
                elev = np.sin(lat[site]) * np.sin(decl) + np.cos(lat[site]) * np.cos(decl) * np.cos(ha)
                clear = max(elev, 0.0) ** 1.15
                cloud_state = np.clip(0.9 * cloud_state + 0.1 * rng.beta(1.2, 1.5) + rng.normal(0, 0.05), 0, 1)
                forecast = np.clip(cloud_state + rng.normal(0, 0.12), 0, 1)
                temp = 8 + 14 * clear + 10 * np.sin(2 * np.pi * (doy - 100) / 365) + rng.normal(0, 2)
                out = clear * (1 - 0.75 * cloud_state ** 1.6) * tilt_loss[site] * (1 - 0.004 * max(temp - 25, 0))
                out = float(np.clip(out + rng.normal(0, 0.015), 0, 1))
                onehot = np.eye(SITES)[site]
                rows.append(np.concatenate([[clear, forecast, temp / 10.0, prev, np.sin(ha), np.cos(ha)], onehot]))
                target.append(out)
                day_id.append(site * days + d)
                prev = out
    return (np.array(rows, dtype=np.float32), np.array(target, dtype=np.float32), np.array(day_id))


class PVNet(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 64), nn.GELU(), nn.Linear(64, 64), nn.GELU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.lerp_(pm, 1.0 - decay)


@torch.no_grad()
def rmse(model, x, y):
    model.eval()
    return torch.sqrt(((model(x) - y) ** 2).mean()).item()


def main():
    torch.manual_seed(13)
    rng = np.random.default_rng(13)
    X, y, day = simulate(120, rng)
    days = np.unique(day)
    test_days = rng.choice(days, size=len(days) // 5, replace=False)
    te = np.isin(day, test_days)
    tr = ~te
    cont = slice(0, 6)
    mu, sd = X[tr, cont].mean(0), X[tr, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd

    xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
    xte, yte = torch.from_numpy(X[te]), torch.from_numpy(y[te])
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=64, shuffle=True)

    model = PVNet(X.shape[1])
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    loss_fn = nn.MSELoss()

    for epoch in range(1, 21):
        model.train()
        epoch_loss = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            ema_update(ema, model, decay=0.995)
            epoch_loss += loss.item() * len(xb)
        epoch_loss /= len(xtr)
        plateau.step(epoch_loss)
        if epoch % 4 == 0:
            print(f"epoch {epoch:2d}  train MSE {epoch_loss:.5f}  lr {opt.param_groups[0]['lr']:.1e}  "
                  f"test RMSE raw {rmse(model, xte, yte):.4f}  ema {rmse(ema, xte, yte):.4f}")

    path = os.path.join(tempfile.mkdtemp(prefix="pv_"), "pvnet_ema.pt")
    torch.save(ema, path)
    exported = torch.load(path, weights_only=False)
    persistence = torch.sqrt(((xte[:, 3] * sd[3] + mu[3] - yte) ** 2).mean()).item()
    print(f"exported EMA model test RMSE {rmse(exported, xte, yte):.4f} of capacity "
          f"(persistence {persistence:.4f})")


if __name__ == "__main__":
    main()
