"""Bicycle-wheel building: predict the lateral runout (mm) left after a truing pass from the
32 spoke tensions measured with a tensiometer, plus rim depth, rim weight and hub flange gap.

Workshop data is scarce (a few hundred wheels), so the network is first trained on a large
set of simulated wheels (a beam model of the rim), then fine-tuned on the workshop
wheels: the first layer, which learned how tension deviations around the rim combine,
stays frozen, and the rest is fine-tuned with a small learning rate (Adam, 1e-4) so the
simulation's knowledge is adjusted rather than overwritten.  Targets are standardised
with the workshop training set's mean and std.
"""
import numpy as np
import torch
from torch import nn

import nndoctor

N_SPOKES = 32
ANGLE = np.arange(N_SPOKES) * 2 * np.pi / N_SPOKES
SIDE = np.where(np.arange(N_SPOKES) % 2 == 0, 1.0, -1.0)          # drive / non-drive side


def wheels(n, rng, width, stiff_scale, noise):
    depth = rng.uniform(20, 45, n)                                 # rim depth, mm
    weight = rng.uniform(380, 620, n)                              # g
    flange = rng.uniform(30, 40, n)                                # hub flange gap, mm
    tension = rng.normal(1.0, 0.08, (n, N_SPOKES))                 # relative to target tension
    dev = tension - tension.mean(1, keepdims=True)
    theta = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    d = np.angle(np.exp(1j * (theta[:, None] - ANGLE[None, :])))
    influence = np.exp(-0.5 * (d / width) ** 2)                    # (72, 32)
    stiff = stiff_scale * (depth / 30) ** 1.5 * (weight / 500)
    lateral = (dev * SIDE) @ influence.T * (flange / 35)[:, None] / stiff[:, None] * 12
    runout = np.abs(lateral).max(1) + noise * rng.normal(0, 1, n)
    X = np.column_stack([dev / 0.08, (depth - 32.5) / 7.2, (weight - 500) / 69, (flange - 35) / 2.9])
    return X.astype(np.float32), runout.astype(np.float32)


def make_model():
    return nn.Sequential(nn.Linear(N_SPOKES + 3, 128), nn.ReLU(),
                         nn.Linear(128, 64), nn.ReLU(),
                         nn.Linear(64, 1))


def pretrain(model, X, y, epochs=12):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    X, y = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        perm = torch.randperm(len(X), generator=g)
        for i in range(0, len(X), 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            nn.functional.mse_loss(model(X[idx]), y[idx]).backward()
            opt.step()
    return model


def setup():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    # simulated wheels: a slightly different rim stiffness and spoke spread than real ones
    Xs, ys = wheels(8000, rng, width=0.30, stiff_scale=1.0, noise=0.02)
    Xw, yw = wheels(700, rng, width=0.34, stiff_scale=1.15, noise=0.06)
    Xtr, ytr, Xva, yva = Xw[:500], yw[:500], Xw[500:], yw[500:]
    mu, sd = ytr.mean(), ytr.std()
    model = make_model()
    pretrain(model, Xs, (ys - mu) / sd)
    for p in model[0].parameters():
        p.requires_grad_(False)
    return nndoctor.Setup(
        model=model,
        train=(torch.from_numpy(Xtr), torch.from_numpy((ytr - mu) / sd).unsqueeze(1)),
        val=(torch.from_numpy(Xva), torch.from_numpy((yva - mu) / sd).unsqueeze(1)),
        loss=nn.MSELoss(),
        optimizer=lambda params: torch.optim.Adam([p for p in params if p.requires_grad], lr=1e-4),
        batch_size=32,
    )


if __name__ == "__main__":
    # workshop check: fine-tuned vs ridge regression and vs the same network trained from scratch
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score

    s = setup()
    rng = np.random.default_rng(0)
    wheels(8000, rng, 0.30, 1.0, 0.02)
    Xw, yw = wheels(700, rng, 0.34, 1.15, 0.06)
    Xtr, ytr, Xva, yva = Xw[:500], yw[:500], Xw[500:], yw[500:]
    mu, sd = ytr.mean(), ytr.std()

    def fit(model, lr, epochs=30, params=None):
        opt = torch.optim.Adam(params if params is not None else model.parameters(), lr=lr)
        X, y = torch.from_numpy(Xtr), torch.from_numpy((ytr - mu) / sd).unsqueeze(1)
        g = torch.Generator().manual_seed(1)
        for _ in range(epochs):
            perm = torch.randperm(len(X), generator=g)
            for i in range(0, len(X), 32):
                idx = perm[i:i + 32]
                opt.zero_grad()
                nn.functional.mse_loss(model(X[idx]), y[idx]).backward()
                opt.step()
        with torch.no_grad():
            return r2_score(yva, model(torch.from_numpy(Xva)).squeeze(1).numpy() * sd + mu)

    with torch.no_grad():
        r2_pre = r2_score(yva, s.model(torch.from_numpy(Xva)).squeeze(1).numpy() * sd + mu)
    r2_ft = fit(s.model, 1e-4, params=[p for p in s.model.parameters() if p.requires_grad])
    torch.manual_seed(0)
    r2_scratch = fit(make_model(), 1e-3)
    r2_ridge = r2_score(yva, Ridge(1.0).fit(Xtr, ytr).predict(Xva))
    print(f"val R2: ridge {r2_ridge:.3f}  scratch MLP {r2_scratch:.3f}  pretrained only {r2_pre:.3f}  fine-tuned {r2_ft:.3f}")
