"""Card-transaction fraud scoring: ~5% positives, weighted BCE, output bias at the weighted prior.

Continuous columns (log amount, log distance from home, velocity counts, account age) are
standardised with training statistics; merchant category is one-hot and the hour is encoded
as sin/cos; the card-present and foreign flags stay 0/1.  The split is stratified.
Positives are up-weighted with pos_weight = sqrt(neg/pos) (a moderate weight, not full
balancing), and the output bias starts at the constant that minimises that weighted loss,
log(pos_weight * pos/neg), so the loss at init is the weighted prior's loss.
"""
import numpy as np
import torch
from torch import nn
from sklearn.model_selection import train_test_split

import nndoctor

N_MCC = 8


def make_transactions(n, rng):
    amount = rng.lognormal(3.4, 1.1, n)
    dist = rng.lognormal(1.5, 1.2, n)
    hour = rng.integers(0, 24, n)
    velocity = rng.poisson(1.5, n).astype(float)
    acct_age = rng.gamma(2.0, 400.0, n)
    mcc = rng.integers(0, N_MCC, n)
    present = (rng.random(n) < 0.7).astype(float)
    foreign = (rng.random(n) < 0.08).astype(float)
    mcc_risk = np.array([-0.5, 0.0, 1.2, -1.0, 0.4, 1.8, -0.3, 0.6])
    night = ((hour <= 4) | (hour >= 23)).astype(float)
    logit = (-4.6 + 0.9 * (np.log(amount) - 3.4) + 0.7 * (np.log(dist) - 1.5)
             + 0.5 * velocity + 1.5 * mcc_risk[mcc] - 1.8 * present + 2.0 * foreign
             + 1.4 * night - 0.0012 * acct_age + 1.2 * foreign * (1 - present))
    fraud = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    cont = np.stack([np.log(amount), np.log(dist), velocity, acct_age], 1)
    rest = np.concatenate([np.eye(N_MCC)[mcc],
                           np.stack([np.sin(2 * np.pi * hour / 24), np.cos(2 * np.pi * hour / 24),
                                     present, foreign], 1)], 1)
    return cont.astype(np.float32), rest.astype(np.float32), fraud


def build():
    torch.manual_seed(31)
    rng = np.random.default_rng(31)
    cont, rest, y = make_transactions(12000, rng)
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y,
                                      random_state=31)
    mu, sd = cont[idx_tr].mean(0), cont[idx_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, rest], 1).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)

    pos = y[idx_tr].sum().item()
    neg = len(idx_tr) - pos
    pos_weight = (neg / pos) ** 0.5
    model = nn.Sequential(nn.Linear(X.shape[1], 64), nn.ReLU(),
                          nn.Linear(64, 32), nn.ReLU(),
                          nn.Linear(32, 1), nn.Flatten(0))
    with torch.no_grad():
        model[-2].bias.fill_(float(np.log(pos_weight * pos / neg)))

    return dict(
        model=model,
        train=(X[idx_tr], y[idx_tr]),
        val=(X[idx_va], y[idx_va]),
        loss=nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight)),
        optimizer=lambda params: torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-4),
        batch_size=128,
    )


def setup():
    return nndoctor.Setup(**build())


if __name__ == "__main__":
    # plain training of the same pieces, for the record
    from sklearn.metrics import average_precision_score, balanced_accuracy_score, roc_auc_score
    parts = build()
    model, loss_fn = parts["model"], parts["loss"]
    (Xtr, ytr), (Xva, yva) = parts["train"], parts["val"]
    opt = parts["optimizer"](model.parameters())
    for epoch in range(30):
        model.train()
        for b in torch.randperm(len(ytr)).split(parts["batch_size"]):
            opt.zero_grad()
            loss_fn(model(Xtr[b]), ytr[b]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        s = model(Xva).numpy()
    print(f"fraud share {ytr.mean():.4f}; val ROC-AUC={roc_auc_score(yva, s):.4f} "
          f"PR-AUC={average_precision_score(yva, s):.4f} (prevalence {yva.mean():.4f}) "
          f"balanced acc @0={balanced_accuracy_score(yva, s > 0):.4f}")
