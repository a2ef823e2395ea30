"""Display-ad click-through: a factorization machine on one-hot categorical fields.

Fields: publisher site, app category, device type, hour of day, banner position, campaign.
Every row is a sparse one-hot vector (one active column per field, no scaling: they are
indicators). The model is deliberately small (first-order weights plus rank-4 pairwise
factors), the output bias starts at the log-odds of the base click rate, and the update is
written by hand (SGD with L2 on the factors). Judged by AUC and log-loss against the
base-rate predictor, as CTR models are.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score

FIELDS = {"site": 40, "app_cat": 18, "device": 5, "hour": 24, "banner_pos": 7, "campaign": 30}


def impressions(n=30000, seed=17):
    rng = np.random.default_rng(seed)
    cols, offset = [], 0
    logit = np.full(n, -2.9)
    eff = {}
    for name, card in FIELDS.items():
        pop = rng.dirichlet(np.full(card, 0.8))
        v = rng.choice(card, size=n, p=pop)
        eff[name] = (v, rng.normal(0, 0.45, card))
        logit += eff[name][1][v]
        cols.append(v + offset)
        offset += card
    # a few real interactions: campaign x site affinity, banner x device
    aff = rng.normal(0, 0.7, (FIELDS["campaign"], FIELDS["site"])) * (rng.random((FIELDS["campaign"], FIELDS["site"])) < 0.15)
    logit += aff[eff["campaign"][0], eff["site"][0]]
    bd = rng.normal(0, 0.5, (FIELDS["banner_pos"], FIELDS["device"]))
    logit += bd[eff["banner_pos"][0], eff["device"][0]]
    clicked = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X = np.zeros((n, offset), dtype=np.float32)
    X[np.arange(n)[:, None], np.stack(cols, 1)] = 1.0
    return X, clicked


def fm_logit(x, w0, w, V):
    linear = x @ w
    xv = x @ V
    pair = 0.5 * (xv.pow(2) - (x * x) @ V.pow(2)).sum(1)
    return w0 + linear + pair


def main():
    torch.manual_seed(2)
    X, y = impressions()
    n_tr = 24000
    Xtr, ytr = torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])
    Xva, yva = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])
    d, k = X.shape[1], 4

    base_rate = ytr.mean()
    w0 = torch.log(base_rate / (1 - base_rate)).reshape(1).clone().requires_grad_(True)
    w = torch.zeros(d, requires_grad=True)
    V = (0.01 * torch.randn(d, k)).requires_grad_(True)
    params = [w0, w, V]

    lr, l2, batch = 1.0, 1e-4, 128
    for epoch in range(10):
        perm = torch.randperm(n_tr)
        total = 0.0
        for i in range(0, n_tr, batch):
            idx = perm[i:i + batch]
            xb, yb = Xtr[idx], ytr[idx]
            loss = F.binary_cross_entropy_with_logits(fm_logit(xb, w0, w, V), yb)
            (loss + l2 * V.pow(2).sum()).backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None
            total += loss.item() * len(idx)
        with torch.no_grad():
            p_va = torch.sigmoid(fm_logit(Xva, w0, w, V))
            val_ll = F.binary_cross_entropy(p_va, yva).item()
        print(f"epoch {epoch}  train_logloss {total / n_tr:.4f}  val_logloss {val_ll:.4f}")

    base_ll = F.binary_cross_entropy(torch.full_like(yva, base_rate.item()), yva).item()
    auc = roc_auc_score(yva.numpy(), p_va.numpy())
    print(f"val AUC {auc:.4f}  logloss {val_ll:.4f} (base rate {base_rate.item():.3f}: {base_ll:.4f})  "
          f"mean pCTR {p_va.mean().item():.4f} vs observed {yva.mean().item():.4f}")


if __name__ == "__main__":
    main()
