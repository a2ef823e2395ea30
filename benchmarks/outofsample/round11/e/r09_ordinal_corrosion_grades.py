"""Pipeline corrosion severity (grades 0-4) with a rank-consistent ordinal head (CORAL).

The grades are ordered, so instead of 5-way softmax the network outputs one severity score
plus four ordered thresholds; each of the 4 outputs answers "is the grade above k?" and is
trained with binary cross-entropy against the cumulative encoding of the grade
(grade 2 -> [1, 1, 0, 0]).  Predicted grade = number of thresholds passed.  Scored with
MAE in grades and quadratic-weighted kappa.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from sklearn.metrics import cohen_kappa_score

N_GRADES = 5


def make_segments(n, rng):
    age = rng.uniform(1, 60, n)                       # years in service
    ph = rng.normal(6.8, 0.8, n)
    temp = rng.normal(35, 12, n)                      # deg C
    cp_mv = rng.normal(-900, 120, n)                  # cathodic protection potential
    chloride = rng.lognormal(4.0, 0.8, n)             # ppm
    coating = rng.integers(0, 3, n)                   # FBE, 3LPE, coal tar
    coating_eff = np.array([0.0, -0.8, 0.9])[coating]
    latent = (0.05 * age + 0.9 * np.clip(6.5 - ph, 0, None) + 0.03 * temp
              + 0.004 * (cp_mv + 850).clip(0) + 0.5 * np.log(chloride) + coating_eff
              + 0.015 * age * np.clip(6.5 - ph, 0, None))
    latent += rng.logistic(0, 0.45, n)
    cuts = np.quantile(latent, [0.35, 0.65, 0.85, 0.95])
    grade = np.searchsorted(cuts, latent)
    cont = np.stack([age, ph, temp, cp_mv, np.log(chloride)], 1)
    X = np.concatenate([cont, np.eye(3)[coating]], 1)
    return X.astype(np.float32), grade.astype(np.int64)


class CoralNet(nn.Module):
    def __init__(self, n_in, n_grades=N_GRADES):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_in, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.score = nn.Linear(32, 1, bias=False)
        self.thresholds = nn.Parameter(torch.linspace(1.0, -1.0, n_grades - 1))

    def forward(self, x):
        return self.score(self.body(x)) + self.thresholds          # (B, K-1) logits


def cumulative_targets(y, k=N_GRADES):
    return (y[:, None] > torch.arange(k - 1)[None, :]).float()


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = make_segments(4000, rng)
    X_tr, y_tr, X_va, y_va = X[:3200], y[:3200], X[3200:], y[3200:]
    mu, sd = X_tr[:, :5].mean(0), X_tr[:, :5].std(0)
    X_tr[:, :5] = (X_tr[:, :5] - mu) / sd
    X_va[:, :5] = (X_va[:, :5] - mu) / sd
    X_tr, X_va = torch.from_numpy(X_tr), torch.from_numpy(X_va)
    y_tr, y_va = torch.from_numpy(y_tr), torch.from_numpy(y_va)
    print("grade counts (train):", torch.bincount(y_tr).tolist())

    model = CoralNet(X.shape[1])
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=15, gamma=0.3)
    batch_size = 64
    for epoch in range(1, 41):
        model.train()
        perm = torch.randperm(len(y_tr))
        for s in range(0, len(perm), batch_size):
            idx = perm[s:s + batch_size]
            logits = model(X_tr[idx])
            loss = F.binary_cross_entropy_with_logits(logits, cumulative_targets(y_tr[idx]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        if epoch % 10 == 0:
            model.eval()
            with torch.no_grad():
                logits = model(X_va)
                val_loss = F.binary_cross_entropy_with_logits(logits, cumulative_targets(y_va))
                pred = (torch.sigmoid(logits) > 0.5).sum(1)
            mae = (pred - y_va).abs().float().mean().item()
            print(f"epoch {epoch} train_loss {loss.item():.4f} val_loss {val_loss.item():.4f} "
                  f"val_mae {mae:.4f}")
    qwk = cohen_kappa_score(y_va.numpy(), pred.numpy(), weights="quadratic")
    acc = (pred == y_va).float().mean().item()
    base_mae = (y_va - y_tr.median()).abs().float().mean().item()
    print(f"final val MAE={mae:.4f} grades (median-grade predictor {base_mae:.4f}) "
          f"QWK={qwk:.4f} exact={acc:.4f}")


if __name__ == "__main__":
    main()
