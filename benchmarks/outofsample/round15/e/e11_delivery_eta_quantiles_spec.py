"""Checkup spec: food-delivery ETA intervals (10th / 50th / 90th percentile) with a pinball loss.

Delivery times are right-skewed and their spread grows with distance and rain, so the model predicts
three quantiles instead of a mean. Targets are centred on the training median and scaled by the IQR;
continuous features are standardised, the rain flag and cuisine one-hot columns are left as 0/1.
Quantile heads are parameterised as median + softplus offsets so they never cross.
"""
import numpy as np
import torch
from torch import nn

QUANTILES = (0.1, 0.5, 0.9)
CUISINES = 5


def make_orders(n, rng):
    dist = rng.gamma(2.0, 2.2, n).clip(0.3, 18)                 # km
    prep = rng.gamma(4.0, 3.0, n)                               # kitchen estimate, minutes
    hour = rng.uniform(10, 23, n)
    rain = (rng.random(n) < 0.2).astype(np.float32)
    load = rng.poisson(3, n).astype(np.float32)                  # open orders per courier nearby
    cuisine = rng.integers(0, CUISINES, n)
    rush = np.exp(-0.5 * ((hour - 12.5) / 0.8) ** 2) + np.exp(-0.5 * ((hour - 19.5) / 1.0) ** 2)
    median = 8 + 0.9 * prep + 3.2 * dist * (1 + 0.35 * rain) + 4 * rush + 1.2 * load + np.array([0, 3, -2, 5, 1])[cuisine]
    spread = 2 + 0.6 * dist + 4 * rain + 2 * rush
    minutes = median + spread * rng.gumbel(0, 1, n)              # right-skewed delays
    X = np.column_stack([dist, prep, np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24), load,
                         rain, np.eye(CUISINES)[cuisine]]).astype(np.float32)
    return X, minutes.astype(np.float32)


class QuantileMLP(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.out = nn.Linear(hidden, len(QUANTILES))

    def forward(self, x):
        raw = self.out(self.body(x))
        mid = raw[:, 1:2]
        lo = mid - nn.functional.softplus(raw[:, 0:1])
        hi = mid + nn.functional.softplus(raw[:, 2:3])
        return torch.cat([lo, mid, hi], dim=1)


class PinballLoss(nn.Module):
    def __init__(self, quantiles):
        super().__init__()
        self.register_buffer("q", torch.tensor(quantiles))

    def forward(self, pred, target):
        err = target - pred                                      # target (N, 1) broadcasts over quantiles
        return torch.maximum(self.q * err, (self.q - 1) * err).mean()


def build(seed=0):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    X, y = make_orders(3000, rng)
    Xtr, Xva, ytr, yva = X[:2400], X[2400:], y[:2400], y[2400:]
    cont = slice(0, 5)
    mu, sd = Xtr[:, cont].mean(0), Xtr[:, cont].std(0)
    Xtr, Xva = Xtr.copy(), Xva.copy()
    Xtr[:, cont] = (Xtr[:, cont] - mu) / sd
    Xva[:, cont] = (Xva[:, cont] - mu) / sd
    med = np.median(ytr)
    iqr = np.subtract(*np.percentile(ytr, [75, 25]))
    t = lambda a: torch.from_numpy(a)
    return dict(
        model=QuantileMLP(X.shape[1]),
        train=(t(Xtr), t((ytr - med) / iqr)[:, None]),
        val=(t(Xva), t((yva - med) / iqr)[:, None]),
        loss=PinballLoss(QUANTILES),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-5),
        batch_size=64,
    ), (med, iqr)


def setup():
    import nndoctor
    kw, _ = build()
    return nndoctor.Setup(**kw)


if __name__ == "__main__":
    kw, (med, iqr) = build()
    model, loss_fn = kw["model"], kw["loss"]
    (xtr, ytr), (xva, yva) = kw["train"], kw["val"]
    opt = kw["optimizer"](model.parameters())
    for epoch in range(40):
        model.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(perm), kw["batch_size"]):
            b = perm[i:i + kw["batch_size"]]
            opt.zero_grad()
            loss_fn(model(xtr[b]), ytr[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(xva)
        val_pinball = loss_fn(pred, yva).item() * iqr
        const = torch.quantile(ytr, torch.tensor(QUANTILES, dtype=ytr.dtype)).view(1, -1).expand(len(yva), -1)
        base_pinball = loss_fn(const, yva).item() * iqr
        cover = ((yva >= pred[:, :1]) & (yva <= pred[:, 2:])).float().mean().item()
        mae = (pred[:, 1:2] - yva).abs().mean().item() * iqr
    print(f"FINAL val pinball={val_pinball:.3f} min (constant-quantile baseline {base_pinball:.3f} min); "
          f"10-90% interval coverage {cover:.3f} (target 0.80); median MAE {mae:.2f} min")
