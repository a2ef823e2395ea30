"""Checkup spec: foxing severity grade (0-4) of archive paper sheets, ordinal head.

Conservators grade foxing on a 0-4 scale; grades are ordered, so the model predicts the four
cumulative events "grade > k" with one logit each under BCEWithLogitsLoss (a cumulative-link
ordinal head). Inputs: reflectance at 8 bands, paper pH, iron content, relative-humidity
history and a rag/wood-pulp flag (left unscaled, it is 0/1).
"""
import numpy as np
import torch
from torch import nn

import nndoctor

GRADES = 5


def foxing_sheets(n, seed=31):
    rng = np.random.default_rng(seed)
    ph = rng.normal(6.0, 0.9, n)
    iron = rng.lognormal(3.0, 0.6, n)                  # ppm
    rh_days = rng.gamma(3.0, 20, n)                     # days above 65% RH per year
    rag = (rng.random(n) < 0.35).astype(float)
    latent = (0.025 * rh_days + 0.02 * iron * (ph < 6.2) - 0.9 * rag + 0.6 * np.maximum(5.8 - ph, 0) ** 2
              + rng.logistic(0, 0.35, n))
    cuts = np.quantile(latent, [0.35, 0.6, 0.8, 0.93])
    grade = np.searchsorted(cuts, latent)
    bands = np.linspace(400, 750, 8)
    spots = np.clip(latent - latent.min(), 0, None)[:, None]
    refl = 0.85 - 0.05 * spots * np.exp(-((bands - 520) / 120) ** 2) + rng.normal(0, 0.02, (n, 8))
    cont = np.column_stack([refl, ph, np.log(iron), np.log1p(rh_days)])
    return cont.astype(np.float32), rag.astype(np.float32), grade


def cumulative(grade):
    return (grade[:, None] > np.arange(GRADES - 1)[None]).astype(np.float32)


def data():
    cont, rag, grade = foxing_sheets(2400)
    mu, sd = cont[:1900].mean(0), cont[:1900].std(0)
    X = np.column_stack([(cont - mu) / sd, rag]).astype(np.float32)
    T = cumulative(grade)
    return (torch.from_numpy(X[:1900]), torch.from_numpy(T[:1900]),
            torch.from_numpy(X[1900:]), torch.from_numpy(T[1900:]))


def build_model(d_in):
    torch.manual_seed(31)
    return nn.Sequential(nn.Linear(d_in, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                         nn.Linear(32, GRADES - 1))


def setup():
    Xtr, Ttr, Xva, Tva = data()
    model = build_model(Xtr.shape[1])
    return nndoctor.Setup(
        model=model,
        train=(Xtr, Ttr),
        val=(Xva, Tva),
        loss=nn.BCEWithLogitsLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=2e-3, weight_decay=1e-5),
        batch_size=64,
    )


if __name__ == "__main__":
    # quick self-check without nndoctor: train the same setup and score grades
    Xtr, Ttr, Xva, Tva = data()
    model = build_model(Xtr.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    g = torch.Generator().manual_seed(0)
    for epoch in range(30):
        for idx in torch.randperm(len(Xtr), generator=g).split(64):
            opt.zero_grad()
            loss_fn(model(Xtr[idx]), Ttr[idx]).backward()
            opt.step()
    with torch.no_grad():
        pred = (torch.sigmoid(model(Xva)) > 0.5).sum(1)
    true = Tva.sum(1)
    print(f"val exact grade {(pred == true).float().mean():.3f}, "
          f"MAE {(pred - true).abs().float().mean():.3f} grades, "
          f"within one grade {((pred - true).abs() <= 1).float().mean():.3f}")
