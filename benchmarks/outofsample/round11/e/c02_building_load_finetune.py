"""Hourly electricity load of a newly metered building: fine-tune a fleet model at a small LR.

A load model is first fitted on 14 buildings of the same portfolio (20k hourly rows).  The new
building has only 10 days of metered data (240 rows, the first 8 days for training, the
last 2 for validation).  The pretrained network is fine-tuned end to end with Adam at
lr=1e-4, a tenth of the pretraining LR, on purpose: the fleet model already fits the new
building well and a fine-tuning step must nudge, not relearn, it.  Targets are standardised
with the fleet statistics (the model was pretrained on that scale).
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor


def simulate(building, hours, rng):
    h = np.arange(hours)
    hod, dow = h % 24, (h // 24) % 7
    temp = 12 + 9 * np.sin(2 * np.pi * (h / 24 - 9) / 24) + rng.normal(0, 2.0, hours).cumsum() * 0.1
    humid = np.clip(60 + rng.normal(0, 10, hours), 10, 100)
    workday = (dow < 5).astype(float)
    occupied = workday * ((hod >= building["open"]) & (hod < building["close"]))
    load = (building["base"] + building["occ"] * occupied
            + building["cool"] * np.clip(temp - 18, 0, None) + building["heat"] * np.clip(14 - temp, 0, None)
            + 0.02 * building["cool"] * np.clip(humid - 60, 0, None) * occupied)
    load = load + rng.normal(0, 0.05 * building["base"] + 2, hours)
    X = np.stack([temp, humid, np.sin(2 * np.pi * hod / 24), np.cos(2 * np.pi * hod / 24),
                  workday, np.sin(2 * np.pi * dow / 7), np.cos(2 * np.pi * dow / 7),
                  np.full(hours, building["area"])], 1)
    return X.astype(np.float32), load.astype(np.float32)


def random_building(rng):
    area = rng.uniform(2, 12)                           # thousand m2
    return {"area": area, "base": 8 * area, "occ": rng.uniform(4, 7) * area,
            "cool": rng.uniform(0.8, 1.6) * area, "heat": rng.uniform(0.3, 1.0) * area,
            "open": int(rng.integers(6, 9)), "close": int(rng.integers(17, 21))}


def make_model(n_in):
    return nn.Sequential(nn.Linear(n_in, 128), nn.GELU(), nn.Linear(128, 128), nn.GELU(),
                         nn.Linear(128, 1), nn.Flatten(0))


def build(lr=1e-4):
    rng = np.random.default_rng(77)
    torch.manual_seed(77)
    fleet = [simulate(random_building(rng), 1440, rng) for _ in range(14)]
    Xf = np.concatenate([x for x, _ in fleet])
    yf = np.concatenate([y for _, y in fleet])
    x_mu, x_sd = Xf.mean(0), Xf.std(0)
    y_mu, y_sd = yf.mean(), yf.std()
    norm_x = lambda a: torch.from_numpy((a - x_mu) / x_sd)
    norm_y = lambda a: torch.from_numpy((a - y_mu) / y_sd)

    # pretraining on the fleet
    model = make_model(Xf.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = norm_x(Xf), norm_y(yf)
    for epoch in range(8):
        for b in torch.randperm(len(yt)).split(128):
            opt.zero_grad()
            F.mse_loss(model(Xt[b]), yt[b]).backward()
            opt.step()

    new = random_building(rng)
    new["occ"] *= 1.25                                  # a busier tenant than the fleet's typical
    Xn, yn = simulate(new, 240, rng)
    Xn, yn = norm_x(Xn), norm_y(yn)
    return dict(
        model=model,
        train=(Xn[:192], yn[:192]),
        val=(Xn[192:], yn[192:]),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=lr),
        batch_size=16,
    )


def setup():
    return nndoctor.Setup(**build())


if __name__ == "__main__":
    import copy

    def r2(model, X, y):
        with torch.no_grad():
            p = model(X)
        return 1 - ((p - y) ** 2).sum().item() / ((y - y.mean()) ** 2).sum().item()

    for lr in (1e-4, 1e-3, None):
        parts = build(lr or 1e-3)
        model = parts["model"] if lr else make_model(parts["train"][0].shape[1])
        (Xtr, ytr), (Xva, yva) = parts["train"], parts["val"]
        before = r2(model, Xva, yva)
        opt = parts["optimizer"](model.parameters())
        torch.manual_seed(0)
        for epoch in range(30):
            for b in torch.randperm(len(ytr)).split(parts["batch_size"]):
                opt.zero_grad()
                parts["loss"](model(Xtr[b]), ytr[b]).backward()
                opt.step()
        name = f"fine-tune lr={lr:g}" if lr else "from scratch lr=1e-3"
        print(f"{name:22s} val R2 before {before:.4f} after 30 epochs {r2(model, Xva, yva):.4f} "
              f"(train R2 {r2(model, Xtr, ytr):.4f})")
