"""Card-fraud style tabular model: 9 numeric transaction features plus a
high-cardinality merchant id, target-encoded (smoothed mean fraud rate per merchant).
An MLP trained with hand-cut mini-batches; validation on a random hold-out, and a
final check on next month's transactions."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

SEED = 17
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

N_MERCHANTS = 5000
merchant_risk = rng.normal(0, 1.0, N_MERCHANTS)
W = rng.normal(0, 1, 9)


def transactions(n):
    X = rng.normal(0, 1, (n, 9))
    X[:, 0] = rng.lognormal(3, 1, n)                     # amount
    m = rng.integers(0, N_MERCHANTS, n)
    amount_z = (np.log(X[:, 0]) - 3)
    logit = -1.0 + 0.8 * X[:, 1:] @ W[1:] / 3 + 0.7 * amount_z + 0.8 * merchant_risk[m]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    X[:, 0] = np.log1p(X[:, 0])
    return X.astype(np.float32), m, y


def target_encode(m_fit, y_fit, m_apply, prior, k=1.0):
    sums = np.bincount(m_fit, weights=y_fit, minlength=N_MERCHANTS)
    counts = np.bincount(m_fit, minlength=N_MERCHANTS)
    enc = (sums + k * prior) / (counts + k)
    return enc[m_apply].astype(np.float32)


class FraudNet(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)


def main():
    X, m, y = transactions(6000)
    X_next, m_next, y_next = transactions(3000)         # next month
    prior = y.mean()

    # merchant fraud rate as a feature
    te = target_encode(m, y, m, prior)
    te_next = target_encode(m, y, m_next, prior)
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.25, random_state=SEED,
                                      stratify=y)

    def features(X_, te_):
        return np.column_stack([X_, te_])

    F_all, F_next = features(X, te), features(X_next, te_next)
    mu, sd = F_all[idx_tr].mean(0), F_all[idx_tr].std(0)
    t = lambda a: torch.tensor((a - mu) / sd, dtype=torch.float32)
    X_tr, X_va, X_nx = t(F_all[idx_tr]), t(F_all[idx_va]), t(F_next)
    y_tr, y_va = torch.tensor(y[idx_tr]), torch.tensor(y[idx_va])

    model = FraudNet(X_tr.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    bs = 128
    for epoch in range(15):
        model.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(perm), bs):
            b = perm[i:i + bs]
            loss = loss_fn(model(X_tr[b]), y_tr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            p_va = torch.sigmoid(model(X_va)).numpy()
            val_loss = loss_fn(model(X_va), y_va).item()
        if epoch % 3 == 2:
            print(f"epoch {epoch + 1}: train_loss {loss.item():.4f} val_loss {val_loss:.4f} "
                  f"val_auc {roc_auc_score(y_va.numpy(), p_va):.4f}")

    with torch.no_grad():
        p_nx = torch.sigmoid(model(X_nx)).numpy()
    print(f"final val_auc={roc_auc_score(y_va.numpy(), p_va):.4f} "
          f"next_month_auc={roc_auc_score(y_next, p_nx):.4f}")


if __name__ == "__main__":
    main()
