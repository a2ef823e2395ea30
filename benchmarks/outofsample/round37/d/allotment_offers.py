"""Allotment society: will a household on the waiting list accept the plot it is offered?
Sparse one-hot site and plot-size columns next to scaled continuous ones; ~1 in 10 accept, so
BCEWithLogitsLoss with pos_weight = negatives/positives (which makes a zero output bias the right start)."""
import numpy as np
import torch
from torch import nn
import nndoctor

SITES, SIZES = 7, 3


def make_data(seed=9, n=3200):
    rng = np.random.default_rng(seed)
    site = rng.integers(0, SITES, n)
    size = rng.choice(SIZES, n, p=[0.5, 0.35, 0.15])           # quarter / half / full plot
    years = rng.gamma(2.0, 1.5, n)                            # years waited
    dist = rng.lognormal(0.3, 0.6, n)                         # km from home
    greenhouse = (rng.random(n) < 0.25).astype(float)
    returning = (rng.random(n) < 0.2).astype(float)
    site_eff = rng.normal(0, 0.8, SITES)
    z = (site_eff[site] + np.array([0.4, 0.0, -0.9])[size] - 0.9 * np.log(dist) + 0.5 * greenhouse
         + 0.8 * returning - 0.25 * np.abs(years - 3) - 1.2)
    y = (z + rng.logistic(size=n) * 0.4 > 0).astype(np.float32)
    cont = np.stack([years, np.log(dist)], 1)
    return site, size, cont, greenhouse, returning, y


def build():
    torch.manual_seed(9)
    site, size, cont, gh, ret, y = make_data()
    n_tr = 2600
    cont = (cont - cont[:n_tr].mean(0)) / cont[:n_tr].std(0)
    X = np.hstack([np.eye(SITES)[site], np.eye(SIZES)[size], cont, gh[:, None], ret[:, None]]).astype(np.float32)
    Xtr, ytr = torch.tensor(X[:n_tr]), torch.tensor(y[:n_tr, None])
    Xva, yva = torch.tensor(X[n_tr:]), torch.tensor(y[n_tr:, None])
    pos = ytr.sum()
    model = nn.Sequential(nn.Linear(X.shape[1], 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 1))
    loss = nn.BCEWithLogitsLoss(pos_weight=(len(ytr) - pos) / pos)
    optimizer = lambda params: torch.optim.Adam(params, lr=2e-3)
    return model, (Xtr, ytr), (Xva, yva), loss, optimizer


def setup():
    model, train, val, loss, optimizer = build()
    return nndoctor.Setup(model=model, train=train, val=val, loss=loss, optimizer=optimizer, batch_size=64)


if __name__ == "__main__":
    from sklearn.metrics import roc_auc_score, balanced_accuracy_score
    model, (Xtr, ytr), (Xva, yva), loss_fn, make_opt = build()
    opt = make_opt(model.parameters())
    g = torch.Generator().manual_seed(0)
    for epoch in range(30):
        model.train()
        for b in torch.randperm(len(ytr), generator=g).split(64):
            opt.zero_grad()
            loss_fn(model(Xtr[b]), ytr[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        s = model(Xva).squeeze(1)
    print(f"accept rate train {ytr.mean():.3f}")
    print(f"FINAL val_auc={roc_auc_score(yva.squeeze(1), s):.4f} "
          f"balanced_acc={balanced_accuracy_score(yva.squeeze(1), (s > 0).float()):.4f}")
