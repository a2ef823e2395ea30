"""Forecast next-month shell-weight gain per oyster bag on an estuary lease.

Site logs: water temperature, salinity, chlorophyll-a, turbidity, tidal exposure, stocking
density, bag age, and the lease block (one-hot). Gains are heavy-tailed: a good plankton bloom
sends a few bags far above the rest, and those are real, so we keep them and fit with a
Huber loss instead of trimming. An EMA copy of the weights is what goes to the farm app;
it is saved whole and reloaded to score, as the app does.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn

N_BLOCKS = 7


def lease_logs(n, rng):
    temp = rng.uniform(8, 26, n)
    sal = rng.uniform(18, 34, n)
    chl = rng.lognormal(1.0, 0.6, n)
    turb = rng.lognormal(1.5, 0.5, n)
    exposure = rng.uniform(0, 0.4, n)
    density = rng.uniform(80, 260, n)
    age = rng.uniform(1, 30, n)
    block = rng.integers(0, N_BLOCKS, n)
    block_eff = np.array([0.0, 0.25, -0.2, 0.1, 0.4, -0.35, 0.05])[block]
    growth = (np.exp(0.09 * (temp - 18)) * np.clip(1 - np.abs(sal - 27) / 14, 0.05, None)
              * chl ** 0.8 / (1 + 0.004 * density) * (1 - exposure) * np.exp(-age / 40)
              * np.exp(block_eff))
    bloom = rng.random(n) < 0.05
    gain = 4.0 * growth * np.where(bloom, rng.lognormal(1.2, 0.4, n), 1.0)
    gain = gain * rng.lognormal(0, 0.15, n)
    cont = np.stack([temp, sal, np.log(chl), np.log(turb), exposure, density, age], 1)
    onehot = np.eye(N_BLOCKS)[block]
    return cont.astype(np.float32), onehot.astype(np.float32), gain.astype(np.float32)


class GrowthNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 96), nn.SiLU(), nn.Linear(96, 48), nn.SiLU(),
                                 nn.Linear(48, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    cont, onehot, gain = lease_logs(3000, rng)
    tr, va = np.arange(2400), np.arange(2400, 3000)
    mu, sd = cont[tr].mean(0), cont[tr].std(0)
    X = np.concatenate([(cont - mu) / sd, onehot], 1)          # one-hot block left as 0/1
    med = np.median(gain[tr])
    iqr = np.subtract(*np.percentile(gain[tr], [75, 25]))
    t = ((gain - med) / iqr).astype(np.float32)                # robust target scaling

    Xt, tt = torch.from_numpy(X), torch.from_numpy(t)
    model = GrowthNet(X.shape[1])
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)

    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.3)
    loss_fn = nn.HuberLoss(delta=1.0)
    ds = torch.utils.data.TensorDataset(Xt[tr], tt[tr])
    loader = torch.utils.data.DataLoader(ds, batch_size=64, shuffle=True)

    for epoch in range(40):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            ema_update(ema, model, 0.98)
            total += loss.item() * len(xb)
        sched.step()
        if epoch % 10 == 9:
            ema.eval()
            with torch.no_grad():
                vl = loss_fn(ema(Xt[va]), tt[va]).item()
            print(f"epoch {epoch + 1}: train huber {total / len(tr):.4f}  val huber (ema) {vl:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "oyster_ema.pt")
    torch.save(ema, path)
    served = torch.load(path, weights_only=False)
    served.eval()
    with torch.no_grad():
        pred = served(Xt[va]).numpy() * iqr + med
    true = gain[va]
    mae = np.abs(pred - true).mean()
    base = np.abs(np.median(gain[tr]) - true).mean()
    r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
    print(f"val MAE={mae:.3f} g (median baseline {base:.3f} g)  val r2={r2:.4f}")


if __name__ == "__main__":
    main()
